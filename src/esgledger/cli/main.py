"""``esgledger`` command line. Exit codes: 0 success, 1 bad input or failed check, 2 unexpected error.

Commands are thin: they parse options, call one operation of :mod:`esgledger.services` on behalf
of the acting person (``--user NAME``, or the account of the OS login: see
:mod:`esgledger.services.accounts`), and print.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from esgledger.cli import calc as calc_commands
from esgledger.cli.activity import register as register_activity_commands
from esgledger.cli.assess import assess_app
from esgledger.cli.assurance import register as register_assurance_commands
from esgledger.cli.audit import register as register_audit_commands
from esgledger.cli.backup import register as register_backup_commands
from esgledger.cli.catalogue import register as register_catalogue_commands
from esgledger.cli.check import register as register_check_commands
from esgledger.cli.common import acting, console, handled, services, state
from esgledger.cli.disclose import disclose_app
from esgledger.cli.frameworks import frameworks_app
from esgledger.cli.justify import register as register_justify_commands
from esgledger.cli.report import register as register_report_commands
from esgledger.cli.server import register as register_server_commands
from esgledger.service_errors import Invalid

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    # help as Markdown: a docstring's paragraphs are reflowed to the terminal (Rich's markup mode
    # keeps its hard line breaks, so help broke mid-sentence); write `<name>` or `*` in backticks
    rich_markup_mode="markdown",
    help="esgledger: traceable ESG data, calculation and reporting.",
)
org_app = typer.Typer(no_args_is_help=True, help="The organisation tree.")
data_app = typer.Typer(no_args_is_help=True, help="Data points.")
app.add_typer(org_app, name="org")
app.add_typer(data_app, name="data")
transfer_app = typer.Typer(no_args_is_help=True, help="Energy supplied between group entities.")
certificate_app = typer.Typer(
    no_args_is_help=True, help="Green certificates and green power purchases."
)
app.add_typer(transfer_app, name="transfer")
app.add_typer(certificate_app, name="certificate")
app.add_typer(assess_app, name="assess")
app.add_typer(frameworks_app, name="frameworks")
app.add_typer(disclose_app, name="disclose")


@app.callback()
def main(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="SQLite path or database URL "
            "(default ./esgledger.db; ESGLEDGER_DATABASE_URL overrides)",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            envvar="ESGLEDGER_USER",
            help="act as this account (its password from ESGLEDGER_PASSWORD or a prompt); "
            "default: the account named after your OS login",
        ),
    ] = None,
) -> None:
    state.db = db
    state.user = user


register_server_commands(app)
register_activity_commands(app)
register_backup_commands(app)
calc_commands.register(app)
register_audit_commands(app)
register_catalogue_commands(app)
register_report_commands(app)
register_assurance_commands(app)
register_check_commands(app)
register_justify_commands(app)


@app.command()
@handled
def init() -> None:
    """Create (or upgrade) a ledger with the metric catalogue and factor sets loaded, and an admin
    account for your OS login when it has no account yet."""
    svc = services(create=True)
    result = svc.init()
    console.print(
        f"ledger ready at {svc.db.url}: {result.metrics} metrics, "
        f"{result.factors} factors ({len(result.factor_sets_added)} factor sets added)",
        highlight=False,
    )
    if result.first_admin:
        console.print(
            f"account {result.first_admin} (admin) created for your OS login; it has no password "
            f"until you set one ('esgledger user password {result.first_admin}'), so it acts on "
            "the command line only",
            highlight=False,
        )
    for note in result.notes:
        console.print(f"[yellow]{escape(note)}[/yellow]", highlight=False)


@org_app.command("import")
@handled
def org_import(path: Path) -> None:
    """Import entities from CSV/XLSX (id,name,parent,country; optional name_zh,type,grid_region,
    ownership,operational_control,valid_from,valid_to,aliases,cell_technology)."""
    svc = services()
    result = svc.imports.organisation(acting(svc), path)
    console.print(
        f"organisation imported: {result['created']} created, {result['updated']} updated"
    )


@org_app.command("list")
@handled
def org_list() -> None:
    """Print the organisation tree (the part you may see)."""
    svc = services()
    tree = svc.organisation.tree(acting(svc))
    for entity_id in tree.depth_first():
        entity = tree.by_id[entity_id]
        region = f", {entity.grid_region}" if entity.grid_region else ""
        line = f"{entity.id}  {entity.name} [{entity.type}, {entity.country}{region}]"
        console.print("  " * tree.depth(entity_id) + escape(line), highlight=False)


@data_app.command("import")
@handled
def data_import(
    path: Path,
    draft: Annotated[
        bool, typer.Option("--draft", help="import as drafts instead of submitting for review")
    ] = False,
    covers: Annotated[
        str | None,
        typer.Option(
            help="the entities every figure of the file covers when not its entity's whole "
            "subtree: ids separated by ';', or -ID to leave one out (a row's covers cell wins)"
        ),
    ] = None,
) -> None:
    """Import data points from CSV or XLSX (entity,period,metric,value,unit; optional
    method,source,note) and submit them for review. All or nothing: one bad row and nothing is
    written. Values that changed against last year by more than the threshold stay drafts until
    their change is explained."""
    svc = services()
    result = svc.imports.data(acting(svc), path, submit=not draft, covers=covers)
    summary = result.written
    console.print(
        f"imported {path.name}: {summary.created} new, {summary.corrected} corrected, "
        f"{summary.unchanged} unchanged",
        highlight=False,
    )
    if result.held:
        console.print(
            f"[yellow]{len(result.held)} value(s) kept as drafts[/yellow]: they changed against "
            "last year by more than the threshold; explain each change (web entry page or "
            "POST /api/v1/datapoints/ID/submit with an explanation), then submit",
            highlight=False,
        )


@app.command()
@handled
def template(
    entity: Annotated[str, typer.Option(help="entity id")],
    period: Annotated[str, typer.Option(help="reporting period, e.g. 2024")],
    output: Annotated[Path, typer.Option("-o", "--output", help="workbook to write (.xlsx)")],
) -> None:
    """Write a data-collection workbook for one entity and period."""
    if output.suffix.lower() != ".xlsx":
        raise Invalid(f"the workbook must be a .xlsx file, not {output.name!r}")
    svc = services()
    _name, content = svc.imports.template(acting(svc), entity, period)
    output.write_bytes(content)
    console.print(f"wrote {output} for {entity} {period}", highlight=False)


@transfer_app.command("import")
@handled
def transfer_import(path: Path) -> None:
    """Import internal supplies (from,to,period,carrier,value,unit; optional reported_by = from|to
    when both sides report: they must agree)."""
    svc = services()
    count = svc.imports.transfers(acting(svc), path)
    console.print(f"imported {count} transfer(s) from {path.name}", highlight=False)


@certificate_app.command("import")
@handled
def certificate_import(path: Path) -> None:
    """Import certificate claims (entity,period,scheme,certificate_id,mwh); each id once, ever."""
    svc = services()
    count = svc.imports.certificates(acting(svc), path)
    console.print(f"claimed {count} certificate(s) from {path.name}", highlight=False)


@app.command()
@handled
def demo(
    out: Annotated[Path, typer.Option(help="output directory")] = Path("esgledger-demo"),
) -> None:
    """Build the demo aluminium group, compute three years and write English and Chinese reports."""
    from esgledger.demo import run_demo

    paths = run_demo(
        out, db=state.db, console=console, acting=acting if (state.db or state.user) else None
    )
    for path in paths:
        console.print(f"[green]report:[/green] {path}")


def run() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
