"""``esgledger assess ...``: targets, double materiality, the IRO register, governance,
stakeholders and policies. Each part is a command group in a module of its own, added here."""

from __future__ import annotations

import typer

assess_app = typer.Typer(
    no_args_is_help=True,
    help="Assessment: targets, double materiality, impacts/risks/opportunities, governance.",
)

# double materiality, the IRO register and stakeholders (issue 10, parts 2 and 3)
from esgledger.cli.assess_materiality import materiality_app  # noqa: E402
from esgledger.cli.assess_register import iro_app, stakeholders_app  # noqa: E402

assess_app.add_typer(materiality_app, name="materiality")
assess_app.add_typer(iro_app, name="iro")
assess_app.add_typer(stakeholders_app, name="stakeholders")
