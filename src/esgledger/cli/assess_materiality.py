"""``esgledger assess materiality ...``: create (last year's carried forward), method, explain,
run, override, show, sensitivity, matrix, approve, export. Thin: parse, call one service
operation (:mod:`esgledger.services.materiality`), print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.markup import escape
from rich.table import Table

from esgledger.cli.common import acting, console, handled, services
from esgledger.service_errors import Invalid

materiality_app = typer.Typer(no_args_is_help=True, help="Double materiality assessments.")
_JSON = typer.Option("--json", help="print JSON")


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def read_mapping(path: Path) -> Any:
    """A YAML or JSON file's content (Invalid naming the file when it cannot be read)."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise Invalid(f"{path.name}: cannot be read as YAML or JSON ({exc})", field="file") from exc


@materiality_app.command("list")
@handled
def listing(as_json: Annotated[bool, _JSON] = False) -> None:
    """Every assessment: id, period, status, approval."""
    svc = services()
    rows = svc.materiality.listing(acting(svc))
    if as_json:
        print_json(rows)
        return
    for row in rows:
        approved = (
            f"  approved by {row['approved_by']} ({row['approved_body']}, {row['approved_on']})"
        )
        console.print(
            f"{row['id']}  {row['period']}  {row['status']}"
            f"{approved if row['status'] == 'approved' else ''}",
            highlight=False,
        )


@materiality_app.command("create")
@handled
def create(
    period: Annotated[str, typer.Option(help="the reporting year, e.g. 2025")],
    method_text: Annotated[str, typer.Option("--method-text", help="the process, in words")] = "",
    method_file: Annotated[
        Path | None, typer.Option("--method", help="YAML: scale, thresholds, horizons, ...")
    ] = None,
    topics: Annotated[str | None, typer.Option(help="topic ids, comma-separated")] = None,
    carry: Annotated[bool, typer.Option(help="start from last year's assessment")] = True,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """A draft assessment of PERIOD (last year's carried forward as its starting point)."""
    svc = services()
    chosen = [t.strip() for t in topics.split(",") if t.strip()] if topics else None
    method = read_mapping(method_file) if method_file else None
    row = svc.materiality.create(acting(svc), period, method_text, method, chosen, carry)
    if as_json:
        print_json(row)
        return
    carried = f" (carried forward from {row['carried_from']})" if row["carried_from"] else ""
    console.print(f"assessment {row['id']} of {row['period']}: draft{carried}", highlight=False)


@materiality_app.command("method")
@handled
def method(
    assessment: int,
    method_file: Annotated[Path | None, typer.Option("--file", help="YAML of the method")] = None,
    impact: Annotated[float | None, typer.Option(help="impact threshold")] = None,
    financial: Annotated[float | None, typer.Option(help="financial threshold")] = None,
    method_text: Annotated[str | None, typer.Option("--method-text")] = None,
) -> None:
    """Change the method of a draft: a YAML file and/or the thresholds."""
    svc = services()
    given = dict(read_mapping(method_file) or {}) if method_file else {}
    thresholds = {k: v for k, v in (("impact", impact), ("financial", financial)) if v is not None}
    if thresholds:
        given["thresholds"] = {**given.get("thresholds", {}), **thresholds}
    svc.materiality.set_method(acting(svc), assessment, method_text, given)
    console.print(f"assessment {assessment}: method changed", highlight=False)


@materiality_app.command("explain")
@handled
def explain(assessment: int, topic: str, explanation: str) -> None:
    """The SSE No. 14 Art. 7 explanation of a topic found not material."""
    svc = services()
    svc.materiality.explain(acting(svc), assessment, topic, explanation)
    console.print(f"assessment {assessment}: {topic} explained", highlight=False)


@materiality_app.command("run")
@handled
def run(assessment: int, as_json: Annotated[bool, _JSON] = False) -> None:
    """Compute the classes from the stored scores and answers (logged in the decision log)."""
    svc = services()
    result = svc.materiality.run(acting(svc), assessment)
    if as_json:
        print_json(result)
        return
    _results_table(result["results"])
    console.print(f"inputs digest {result['inputs_digest']}", highlight=False)


@materiality_app.command("override")
@handled
def override(
    assessment: int,
    topic: str,
    decided: Annotated[str, typer.Argument(metavar="CLASS", help="a class, or computed")],
    reason: Annotated[str, typer.Option(help="why (required)")],
) -> None:
    """Set a topic's class by judgement, with the reason (shown beside the computed class)."""
    svc = services()
    svc.materiality.override(acting(svc), assessment, topic, decided, reason)
    console.print(f"assessment {assessment}: {topic} set to {decided}", highlight=False)


@materiality_app.command("show")
@handled
def show(assessment: int, as_json: Annotated[bool, _JSON] = False) -> None:
    """The assessment: topics, scores, classes, what an approval still needs, the decisions."""
    svc = services()
    shown = svc.materiality.show(acting(svc), assessment)
    if as_json:
        print_json(shown)
        return
    console.print(
        f"assessment {shown['id']} of {shown['period']}: {shown['status']}; thresholds "
        f"impact {shown['method']['thresholds']['impact']:g}, financial "
        f"{shown['method']['thresholds']['financial']:g}; "
        f"{'run on the current inputs' if shown['current'] else 'not run on the current inputs'}",
        highlight=False,
    )
    _results_table({t["id"]: t for t in shown["topics"]})
    needs = shown["approval_needs"]
    for topic in needs["explanations"]:
        console.print(f"missing Art. 7 explanation: {topic}", highlight=False)
    for topic, lacks in needs["elements"].items():
        console.print(f"missing SSE elements of {topic}: {', '.join(lacks)}", highlight=False)


def _results_table(results: dict[str, dict[str, Any]]) -> None:
    table = Table()
    for header in ("topic", "impact", "financial", "computed", "class"):
        table.add_column(header)
    for topic, found in results.items():
        table.add_row(
            escape(topic),
            "-" if found["impact"] is None else f"{found['impact']:.2f}",
            "-" if found["financial"] is None else f"{found['financial']:.2f}",
            found["computed_class"],
            found["class"],
        )
    console.print(table)


@materiality_app.command("sensitivity")
@handled
def sensitivity(assessment: int, as_json: Annotated[bool, _JSON] = False) -> None:
    """Which topics change class if a threshold moves by -10 % or +10 %."""
    svc = services()
    rows = svc.materiality.sensitivity(acting(svc), assessment)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        changes = ", ".join(f"{c['topic']} {c['from']} -> {c['to']}" for c in row["changes"])
        console.print(
            f"{row['axis']} {row['step']:+.0%} ({row['threshold']:.2f}): {changes or 'no change'}",
            highlight=False,
        )


@materiality_app.command("matrix")
@handled
def matrix(
    assessment: int,
    out: Annotated[Path, typer.Option(help="the SVG file to write")],
    lang: Annotated[str, typer.Option(help="en or zh")] = "en",
) -> None:
    """Write the materiality matrix as SVG."""
    svc = services()
    out.write_text(svc.materiality.matrix(acting(svc), assessment, lang), encoding="utf-8")
    console.print(f"wrote {out}", highlight=False)


@materiality_app.command("approve")
@handled
def approve(
    assessment: int,
    body: Annotated[str, typer.Option(help="the board or the delegated committee")],
    date: Annotated[str, typer.Option(help="the date of the decision, e.g. 2026-03-20")],
) -> None:
    """Approve (and lock) an assessment; refused naming what is missing."""
    svc = services()
    row = svc.materiality.approve(acting(svc), assessment, body, date)
    console.print(
        f"assessment {row['id']} approved by {row['approved_by']} ({row['approved_body']}, "
        f"{row['approved_on']})",
        highlight=False,
    )


@materiality_app.command("export")
@handled
def export(
    assessment: int, out: Annotated[Path, typer.Option(help="a .csv or .xlsx file to write")]
) -> None:
    """Write the topics with their scores and classes as CSV or XLSX."""
    svc = services()
    out.write_bytes(svc.materiality.export(acting(svc), assessment, out.suffix))
    console.print(f"wrote {out}", highlight=False)
