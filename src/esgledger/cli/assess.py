"""``esgledger assess ...``: targets, double materiality, the IRO register, governance,
stakeholders and policies. Each part is a command group in a module of its own, added here."""

from __future__ import annotations

import typer

from esgledger.cli import assess_governance
from esgledger.cli.assess_materiality import materiality_app
from esgledger.cli.assess_register import iro_app, stakeholders_app
from esgledger.cli.targets import targets_app

assess_app = typer.Typer(
    no_args_is_help=True,
    help="Assessment: targets, double materiality, impacts/risks/opportunities, governance.",
)

assess_app.add_typer(materiality_app, name="materiality")
assess_app.add_typer(iro_app, name="iro")
assess_app.add_typer(stakeholders_app, name="stakeholders")
assess_app.add_typer(targets_app, name="targets")
assess_governance.register(assess_app)
