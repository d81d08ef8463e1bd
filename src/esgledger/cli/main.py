"""``esgledger`` command line. Exit codes: 0 success, 1 bad input or failed check, 2 unexpected error.

Commands are thin: they parse options, call :mod:`esgledger.services`, and print.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from esgledger.calc import CalcOptions
from esgledger.cli.activity import register as register_activity_commands
from esgledger.cli.backup import register as register_backup_commands
from esgledger.cli.render import print_explain, print_verify
from esgledger.cli.server import register as register_server_commands
from esgledger.errors import EsgLedgerError, InputRejected
from esgledger.services import Workspace

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="esgledger: traceable ESG data, calculation and reporting.",
)
org_app = typer.Typer(no_args_is_help=True, help="The organisation tree.")
data_app = typer.Typer(no_args_is_help=True, help="Data points.")
audit_app = typer.Typer(no_args_is_help=True, help="The hash-chained audit log.")
app.add_typer(org_app, name="org")
app.add_typer(data_app, name="data")
app.add_typer(audit_app, name="audit")
transfer_app = typer.Typer(no_args_is_help=True, help="Energy supplied between group entities.")
certificate_app = typer.Typer(
    no_args_is_help=True, help="Green certificates and green power purchases."
)
inventory_app = typer.Typer(no_args_is_help=True, help="Inventory settings: base year.")
app.add_typer(transfer_app, name="transfer")
app.add_typer(certificate_app, name="certificate")
app.add_typer(inventory_app, name="inventory")

console = Console()
errors = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


class State:
    db: str | None = None


state = State()


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
) -> None:
    state.db = db


def handled(function: F) -> F:
    """Map errors to exit codes: 1 for input and check failures, 2 for anything unexpected."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except typer.Exit:
            raise
        except InputRejected as exc:
            errors.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
            raise typer.Exit(1) from exc
        except (EsgLedgerError, ValueError) as exc:
            errors.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
            raise typer.Exit(1) from exc
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            errors.print(
                f"[red]unexpected error:[/red] {type(exc).__name__}: {exc}", highlight=False
            )
            raise typer.Exit(2) from exc

    return wrapper  # type: ignore[return-value]


def workspace() -> Workspace:
    return Workspace.open(state.db)


register_server_commands(app, handled, lambda: state.db)
register_activity_commands(app, handled, lambda: state.db)
register_backup_commands(app, handled, lambda: state.db)


@app.command()
@handled
def init() -> None:
    """Create an empty ledger with the metric catalogue and factor sets loaded."""
    ws = workspace()
    result = ws.init()
    console.print(
        f"ledger ready at {ws.db.url}: {result['metrics']} metrics, "
        f"{result['factors']} factors ({len(result['factor_sets_added'])} factor sets added)"
    )


@org_app.command("import")
@handled
def org_import(path: Path) -> None:
    """Import entities from CSV/XLSX (id,name,parent,country; optional name_zh,type,grid_region,
    ownership,operational_control,valid_from,valid_to,aliases)."""
    result = workspace().import_organisation(path)
    console.print(
        f"organisation imported: {result['created']} created, {result['updated']} updated"
    )


@org_app.command("list")
@handled
def org_list() -> None:
    """Print the organisation tree."""
    tree = workspace().org_tree()
    for entity_id in _depth_first(tree):
        entity = tree.by_id[entity_id]
        region = f", {entity.grid_region}" if entity.grid_region else ""
        line = f"{entity.id}  {entity.name} [{entity.type}, {entity.country}{region}]"
        console.print("  " * tree.depth(entity_id) + escape(line), highlight=False)


def _depth_first(tree: Any) -> list[str]:
    order: list[str] = []

    def visit(entity_id: str) -> None:
        order.append(entity_id)
        for child in tree.children.get(entity_id, []):
            visit(child)

    for root in tree.roots():
        visit(root)
    return order


@data_app.command("import")
@handled
def data_import(path: Path) -> None:
    """Import data points from CSV or XLSX (entity,period,metric,value,unit; optional
    method,source,note). All or nothing: one bad row and nothing is written."""
    summary = workspace().import_data(path)
    console.print(
        f"imported {path.name}: {summary.created} new, {summary.corrected} corrected, "
        f"{summary.unchanged} unchanged"
    )


@app.command()
@handled
def template(
    entity: Annotated[str, typer.Option(help="entity id")],
    period: Annotated[str, typer.Option(help="reporting period, e.g. 2024")],
    output: Annotated[Path, typer.Option("-o", "--output", help="workbook to write (.xlsx)")],
) -> None:
    """Write a data-collection workbook for one entity and period."""
    from esgledger.ingest.template import write_template

    ws = workspace()
    count = write_template(ws, entity, period, output)
    console.print(f"wrote {output} with {count} metrics for {entity} {period}")


@transfer_app.command("import")
@handled
def transfer_import(path: Path) -> None:
    """Import internal supplies (from,to,period,carrier,value,unit; optional reported_by = from|to
    when both sides report: they must agree)."""
    count = workspace().import_transfers(path)
    console.print(f"imported {count} transfer(s) from {path.name}")


@certificate_app.command("import")
@handled
def certificate_import(path: Path) -> None:
    """Import certificate claims (entity,period,scheme,certificate_id,mwh); each id once, ever."""
    count = workspace().import_certificates(path)
    console.print(f"claimed {count} certificate(s) from {path.name}")


@inventory_app.command("base-year")
@handled
def inventory_base_year(
    year: str,
    threshold: Annotated[
        float | None, typer.Option(help="restatement threshold as a fraction (default 0.05)")
    ] = None,
) -> None:
    """Set the base year; later calcs restate it when the boundary or method moves it more than
    the threshold."""
    ws = workspace()
    ws.set_base_year(year, threshold)
    chosen, limit = ws.base_year()
    console.print(f"base year {chosen}, restatement threshold {limit:.1%}")


@app.command()
@handled
def recompute(
    period: Annotated[str, typer.Option(help="period of the stored calculation")],
    metric: Annotated[str | None, typer.Option(help="one metric (with --entity)")] = None,
    entity: Annotated[str | None, typer.Option(help="one entity (with --metric)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Re-derive stored values from their lineage (recorded inputs and factor editions) and report
    any difference; exit 1 if one differs."""
    checks = workspace().recompute(period, metric, entity)
    failed = [c for c in checks if not c.ok]
    if as_json:
        print(
            json.dumps(
                {"checked": len(checks), "differences": [c.as_dict() for c in failed]},
                ensure_ascii=False,
            )
        )
    else:
        for check in failed:
            console.print(f"[red]difference[/red] {check.key}: {check.problem}", highlight=False)
        console.print(f"recomputed {len(checks)} value(s): {len(failed)} difference(s)")
    if failed:
        raise typer.Exit(1)


def _options(gwp: str, electricity: str, grid: str, consolidation: str) -> CalcOptions:
    return CalcOptions(
        electricity_tce=electricity, grid_series=grid, gwp=gwp, consolidation=consolidation
    )


@app.command()
@handled
def calc(
    period: Annotated[str, typer.Option(help="reporting period, e.g. 2024")],
    gwp: Annotated[str, typer.Option(help="GWP set: SAR, AR4, AR5, AR6")] = "AR5",
    electricity: Annotated[
        str, typer.Option(help="electricity to tce: calorific (当量值) or equivalent (等价值)")
    ] = "calorific",
    grid: Annotated[
        str, typer.Option(help="grid factor series: default, national, regional, ets")
    ] = "default",
    consolidation: Annotated[str, typer.Option(help="operational, financial or equity")] = (
        "operational"
    ),
) -> None:
    """Compute every derived metric for every entity of the period and store the inventory."""
    ws = workspace()
    inventory, run_id, restatement = ws.calc_with_restatement(
        period, _options(gwp, electricity, grid, consolidation)
    )
    console.print(
        f"calculated {len(inventory.results)} values for {period} (run {run_id}, "
        f"GWP {gwp}, electricity {electricity}, {consolidation} control/share)"
    )
    if restatement is not None and restatement.restated_run is not None:
        console.print(
            f"[yellow]base year {restatement.base_year} restated[/yellow]: "
            f"{restatement.original:,.0f} -> {restatement.restated:,.0f} tCO2e "
            f"({restatement.change:+.1%}, threshold {restatement.threshold:.0%}); "
            + "; ".join(restatement.reasons),
            highlight=False,
        )


@app.command()
@handled
def show(
    metric: str,
    entity: Annotated[str, typer.Option(help="entity id")],
    period: Annotated[str, typer.Option(help="period")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Show one value (reported or calculated)."""
    shown = workspace().show(metric, entity, period)
    if as_json:
        print(json.dumps(shown.as_dict(), ensure_ascii=False))
    else:
        console.print(
            f"{metric}@{entity}@{period} = {shown.value:,.6g} {shown.unit} ({shown.status})",
            highlight=False,
        )


@app.command()
@handled
def explain(
    metric: str,
    entity: Annotated[str, typer.Option(help="entity id")],
    period: Annotated[str, typer.Option(help="period")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    depth: Annotated[int, typer.Option(help="levels of the tree to print")] = 4,
) -> None:
    """Explain a value: formula, inputs (with their own lineage), factors with citations."""
    result = workspace().explain(metric, entity, period)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print_explain(console, result, depth)


@audit_app.command("verify")
@handled
def audit_verify(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Check the audit chain; exit 1 at the first entry edited, removed or reordered."""
    result = workspace().verify_audit()
    if as_json:
        print(json.dumps(result.as_dict()))
    else:
        print_verify(console, result)
    if not result.ok:
        raise typer.Exit(1)


@app.command()
@handled
def report(
    period: Annotated[str, typer.Option(help="reporting year, e.g. 2024")],
    out: Annotated[Path, typer.Option(help="output directory")] = Path("out"),
    lang: Annotated[str, typer.Option(help="en or zh")] = "en",
) -> None:
    """Write the self-contained HTML report for the period (three years of KPIs)."""
    from esgledger.report import build_report

    path = build_report(workspace(), period, out, lang)
    console.print(f"report written to {path}")


@app.command()
@handled
def demo(
    out: Annotated[Path, typer.Option(help="output directory")] = Path("esgledger-demo"),
) -> None:
    """Build the demo aluminium group, compute three years and write English and Chinese reports."""
    from esgledger.demo import run_demo

    paths = run_demo(out, db=state.db, console=console)
    for path in paths:
        console.print(f"[green]report:[/green] {path}")


def run() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
