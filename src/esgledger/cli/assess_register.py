"""``esgledger assess iro ...`` (the IRO register and its scores) and ``esgledger assess
stakeholders ...`` (groups, questionnaire links, responses). Thin: parse, call one service
operation (:mod:`esgledger.services.iros`, :mod:`esgledger.services.stakeholders`), print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from esgledger.cli.assess_materiality import print_json as _print_json
from esgledger.cli.assess_materiality import read_mapping
from esgledger.cli.common import acting, console, handled, services
from esgledger.service_errors import Invalid

iro_app = typer.Typer(no_args_is_help=True, help="The register of impacts, risks, opportunities.")
stakeholders_app = typer.Typer(no_args_is_help=True, help="Stakeholder groups and answers.")
links_app = typer.Typer(no_args_is_help=True, help="Questionnaire links (one response each).")
responses_app = typer.Typer(no_args_is_help=True, help="Stakeholder responses.")
stakeholders_app.add_typer(links_app, name="links")
stakeholders_app.add_typer(responses_app, name="responses")
_JSON = typer.Option("--json", help="print JSON")


def _records(path: Path) -> list[dict[str, Any]]:
    content = read_mapping(path)
    found = content if isinstance(content, list) else [content]
    if not all(isinstance(item, dict) for item in found):
        raise Invalid(f"{path.name}: expected a mapping or a list of mappings", field="file")
    return found


@iro_app.command("list")
@handled
def iro_list(assessment: int, as_json: Annotated[bool, _JSON] = False) -> None:
    """The register of an assessment with each IRO's current score."""
    svc = services()
    rows = svc.iros.listing(acting(svc), assessment)
    if as_json:
        _print_json(rows)
        return
    table = Table()
    for header in ("id", "topic", "kind", "title", "score", "scorer"):
        table.add_column(header)
    for row in rows:
        score = row["score"]
        table.add_row(
            str(row["id"]),
            escape(row["topic_id"]),
            row["kind"],
            escape(row["title"]),
            "-" if score is None else f"{score['axis']} {score['score']:.2f}",
            "" if score is None else escape(score["scorer"]),
        )
    console.print(table)


@iro_app.command("add")
@handled
def iro_add(assessment: int, path: Path) -> None:
    """Add the IROs of a YAML or JSON file (a record or a list of records)."""
    svc = services()
    user = acting(svc)
    for record in _records(path):
        row = svc.iros.create(user, assessment, record)
        console.print(f"IRO {row['id']}: {escape(row['title'])}", highlight=False)


@iro_app.command("update")
@handled
def iro_update(iro: int, path: Path) -> None:
    """Change fields of an IRO from a YAML or JSON mapping (the others kept)."""
    svc = services()
    (record,) = _records(path)
    row = svc.iros.update(acting(svc), iro, record)
    console.print(f"IRO {row['id']} version {row['version']}", highlight=False)


@iro_app.command("show")
@handled
def iro_show(iro: int) -> None:
    """An IRO with every version of its score."""
    svc = services()
    _print_json(svc.iros.get(acting(svc), iro))


@iro_app.command("score")
@handled
def iro_score(
    iro: int,
    part: Annotated[list[str], typer.Option("--set", help="component=value, e.g. scale=4")],
    rationale: Annotated[str, typer.Option(help="why (required)")],
    evidence: Annotated[str, typer.Option(help="evidence ids, comma-separated")] = "",
) -> None:
    """Score an IRO (a new version): impacts by scale, scope, irremediability, likelihood;
    risks and opportunities by magnitude, likelihood, horizon."""
    components: dict[str, Any] = {}
    for item in part:
        name, sep, value = item.partition("=")
        if not sep:
            raise Invalid(f"--set {item!r}: expected component=value", field="set")
        components[name.strip()] = value.strip()
    ids: list[int | str] = [e.strip() for e in evidence.split(",") if e.strip()]
    svc = services()
    row = svc.iros.score(acting(svc), iro, components, rationale, ids)
    console.print(
        f"IRO {iro} score version {row['version']}: {row['axis']} {row['score']:.2f}",
        highlight=False,
    )


@iro_app.command("export")
@handled
def iro_export(
    assessment: int, out: Annotated[Path, typer.Option(help="a .csv or .xlsx file to write")]
) -> None:
    """Write the register as CSV or XLSX."""
    svc = services()
    out.write_bytes(svc.iros.export(acting(svc), assessment, out.suffix))
    console.print(f"wrote {out}", highlight=False)


@stakeholders_app.command("list")
@handled
def groups(as_json: Annotated[bool, _JSON] = False) -> None:
    """The stakeholder groups: concerns, channels, topics, weight."""
    svc = services()
    rows = svc.stakeholders.groups(acting(svc))
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        console.print(
            f"{escape(row['id'])}  {escape(row['name'])} / {escape(row['name_zh'])}  weight "
            f"{row['weight']:g}  topics {escape(', '.join(row['topic_ids']))}",
            highlight=False,
        )


@stakeholders_app.command("save")
@handled
def save(path: Path) -> None:
    """Create or change the groups of a YAML or JSON file (a record or a list)."""
    svc = services()
    user = acting(svc)
    for record in _records(path):
        row = svc.stakeholders.save_group(user, record)
        console.print(f"group {escape(row['id'])} saved", highlight=False)


@links_app.command("issue")
@handled
def issue(
    assessment: int,
    group: str,
    count: Annotated[int, typer.Option(help="how many links (one response each)")] = 1,
    base_url: Annotated[str, typer.Option(help="the server's address")] = "http://127.0.0.1:8000",
) -> None:
    """Print COUNT questionnaire links of GROUP for the assessment."""
    svc = services()
    for token in svc.stakeholders.issue_links(acting(svc), assessment, group, count):
        print(f"{base_url.rstrip('/')}/q/{token}")


@responses_app.command("import")
@handled
def responses_import(assessment: int, path: Path) -> None:
    """Import responses from CSV or XLSX (group, respondent, comment, one column per topic);
    all or nothing."""
    svc = services()
    result = svc.stakeholders.import_responses(acting(svc), assessment, path)
    console.print(f"{result['responses']} responses imported", highlight=False)


@responses_app.command("show")
@handled
def responses_show(assessment: int, as_json: Annotated[bool, _JSON] = False) -> None:
    """The spread of the answers per topic and group (count, mean, min, max)."""
    svc = services()
    found = svc.stakeholders.responses(acting(svc), assessment)
    if as_json:
        _print_json(found)
        return
    for topic, by_group in found["spread"].items():
        for group, stats in by_group.items():
            console.print(
                f"{escape(topic)}  {escape(group)}  n={stats['count']}  mean {stats['mean']:.2f}"
                f"  min {stats['min']}  max {stats['max']}",
                highlight=False,
            )
