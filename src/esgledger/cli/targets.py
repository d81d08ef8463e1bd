"""``esgledger assess targets ...``: add, list, show, import, export and withdraw targets. Thin:
parse, call one operation of :mod:`esgledger.services.targets`, print (statuses in the words of
the string tables, the same as the web page's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from esgledger.cli.common import acting, console, handled, services
from esgledger.i18n import Strings
from esgledger.report.formatting import format_number, unit_label

targets_app = typer.Typer(no_args_is_help=True, help="Targets, with their status from the ledger.")
_JSON = typer.Option("--json", help="print JSON")
_LANG = typer.Option(help="en or zh: the language of the statuses and names")
STYLE = {
    "achieved": "green",
    "on_track": "green",
    "off_track": "red",
    "not_assessable": "yellow",
    "withdrawn": "dim",
}


def _num(value: float | None) -> str:
    return "-" if value is None else format_number(value)


def _status(target: dict[str, Any], t: Strings) -> str:
    status = target["assessment"]["status"]
    return f"[{STYLE[status]}]{escape(t('target.status.' + status))}[/{STYLE[status]}]"


def _progress(assessment: dict[str, Any]) -> str:
    share = assessment["progress"]
    if share is None:
        return "-"
    filled = max(0, min(10, round(share * 10)))
    return f"{'█' * filled}{'░' * (10 - filled)} {share:.0%}"


def _why(target: dict[str, Any], lang: str) -> str:
    reason = target["assessment"]["reason"]
    return "" if reason is None else str(reason["text"][lang])


@targets_app.command("list")
@handled
def list_targets(
    as_json: Annotated[bool, _JSON] = False,
    lang: Annotated[str, _LANG] = "en",
    active: Annotated[bool, typer.Option("--active", help="leave withdrawn targets out")] = False,
) -> None:
    """Print every target with its status and progress, computed from the ledger now."""
    svc = services()
    rows = svc.targets.listing(acting(svc), include_withdrawn=not active)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    t = Strings(lang)
    table = Table()
    table.add_column("target", no_wrap=True)  # ids are typed back: never cut
    for header in ("name", "indicator", "base → target", "current"):
        table.add_column(header)
    table.add_column("progress", no_wrap=True)
    table.add_column("status", no_wrap=True)  # the status is read first: never cut
    for row in rows:
        a = row["assessment"]
        base, current = a["base"], a["current"]
        name = row["name_zh"] if lang == "zh" and row["name_zh"] else row["name"]
        table.add_row(
            escape(row["target_id"]),
            escape(name),
            escape(f"{row['metric_key']} of {row['entity_id']} [{unit_label(row['unit'], t)}]"),
            ("-" if base is None else f"{_num(base['value'])} ({base['year']})")
            + f" → {_num(a['target_value'])} ({row['target_year']})",
            "-" if current is None else f"{_num(current['value'])} ({current['year']})",
            _progress(a),
            _status(row, t) + (f"\n{escape(_why(row, lang))}" if a["reason"] else ""),
        )
    console.print(table)
    console.print(f"{len(rows)} targets")


@targets_app.command("show")
@handled
def show_target(
    target_id: Annotated[str, typer.Argument(help="the target's id")],
    as_json: Annotated[bool, _JSON] = False,
    lang: Annotated[str, _LANG] = "en",
) -> None:
    """Print one target: its definition, status, trajectory and versions."""
    svc = services()
    row = svc.targets.show(acting(svc), target_id)
    if as_json:
        print(json.dumps(row, ensure_ascii=False, indent=2))
        return
    t, a = Strings(lang), row["assessment"]
    console.print(f"[bold]{escape(row['target_id'])}[/bold] {escape(row['name'])}")
    console.print(
        f"{escape(row['metric_key'])} of {escape(row['entity_id'])} "
        f"[{escape(unit_label(row['unit'], t))}], "
        f"{row['kind']}, {row['base_year']} → {row['target_year']}",
        highlight=False,
    )
    console.print(f"status: {_status(row, t)}  progress: {_progress(a)}  {escape(_why(row, lang))}")
    for point in a["trajectory"]:
        console.print(f"  {point['year']}: {_num(point['value'])}", highlight=False)
    for version in row["history"]:
        reason = f" ({escape(version['reason'])})" if version["reason"] else ""
        console.print(
            f"v{version['version']} {version['at'][:19]} {escape(version['by'])} "
            f"{version['state']}{reason}",
            highlight=False,
        )


@targets_app.command("add")
@handled
def add_target(
    target_id: Annotated[str, typer.Option("--id", help="the target's id (T-GHG-2030)")],
    name: Annotated[str, typer.Option(help="its name in English")],
    metric: Annotated[str, typer.Option(help="a catalogue metric key (breakdowns allowed)")],
    entity: Annotated[str, typer.Option(help="the entity the target is for")],
    base_year: Annotated[str, typer.Option(help="the base year")] = "",
    target_year: Annotated[str, typer.Option(help="the target year")] = "",
    target: Annotated[str, typer.Option(help="a value in the metric's unit, or -30%")] = "",
    kind: Annotated[str, typer.Option(help="absolute or intensity")] = "absolute",
    name_zh: Annotated[str, typer.Option(help="its name in Chinese")] = "",
    covers: Annotated[str, typer.Option(help="the part of the entity's subtree")] = "",
    base_value: Annotated[str, typer.Option(help="a reported base value")] = "",
    base_source: Annotated[str, typer.Option(help="the source of that base value")] = "",
    base_method: Annotated[str, typer.Option(help="measured, estimated, ...")] = "",
    milestones: Annotated[str, typer.Option(help="2025=-10%;2027=9.1")] = "",
    gases: Annotated[str, typer.Option(help="CO2,CH4,... (GHG targets)")] = "",
    scopes: Annotated[str, typer.Option(help="1,2,3 (GHG targets)")] = "",
    net: Annotated[bool, typer.Option("--net", help="a net target")] = False,
    gross_target: Annotated[str, typer.Option(help="a net target's gross target")] = "",
    credits: Annotated[str, typer.Option(help="YEAR|QUANTITY|SOURCE;...")] = "",
    note: Annotated[str, typer.Option(help="a note")] = "",
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Add a target (ESG managers, admins); audited."""
    svc = services()
    row = {
        "target_id": target_id, "name": name, "name_zh": name_zh, "kind": kind,
        "metric_key": metric, "entity": entity, "covers": covers, "base_year": base_year,
        "base_value": base_value, "base_source": base_source, "base_method": base_method,
        "target_year": target_year, "target": target, "milestones": milestones,
        "gases": gases, "scopes": scopes, "net": "yes" if net else "no",
        "gross_target": gross_target, "credits": credits, "note": note,
    }  # fmt: skip
    shown = svc.targets.create(acting(svc), row, text=True)
    if as_json:
        print(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    status = Strings("en")("target.status." + shown["assessment"]["status"])
    console.print(f"target {escape(target_id)} added: {status}", highlight=False)


@targets_app.command("withdraw")
@handled
def withdraw_target(
    target_id: Annotated[str, typer.Argument(help="the target's id")],
    reason: Annotated[str, typer.Option(help="why it is withdrawn")],
) -> None:
    """Withdraw a target with its reason (a new version: nothing is deleted)."""
    svc = services()
    shown = svc.targets.withdraw(acting(svc), target_id, reason)
    console.print(f"target {escape(target_id)} withdrawn (version {shown['version']})")


@targets_app.command("import")
@handled
def import_targets(
    path: Annotated[Path, typer.Argument(help="a .csv or .xlsx file of targets")],
) -> None:
    """Import targets (columns as 'export' writes them): all or nothing, problems named by row
    and cell; a changed target becomes a new version."""
    svc = services()
    done = svc.targets.import_file(acting(svc), path)
    console.print(
        f"{done['created']} targets created, {done['updated']} changed, "
        f"{done['unchanged']} unchanged",
        highlight=False,
    )


@targets_app.command("export")
@handled
def export_targets(
    path: Annotated[Path, typer.Argument(help="the file to write: .csv or .xlsx")],
) -> None:
    """Write the targets in force to a CSV or XLSX file that 'import' reads back."""
    svc = services()
    data = svc.targets.export(acting(svc), path.suffix.lower().lstrip("."))
    path.write_bytes(data)
    console.print(f"wrote {path}", highlight=False)
