"""``esgledger assess topics|governance|policies ...``: the topic library, the governance
structure (bodies, meetings, director training) and the policy register. Thin: parse, call one
service operation (:mod:`esgledger.services.topics`, ``.governance``, ``.policies``), print."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from esgledger.cli.common import acting, console, handled, services

topics_app = typer.Typer(no_args_is_help=True, help="The topic library (SSE 21 topics + own).")
governance_app = typer.Typer(
    no_args_is_help=True, help="Governance bodies, their meetings, director training."
)
policies_app = typer.Typer(no_args_is_help=True, help="The policy register.")

_JSON = typer.Option("--json", help="print JSON")
_FORMAT = typer.Option("--format", help="csv or xlsx")
_OUT = typer.Option("--out", help="write to this file (required for xlsx)")
_KIND = typer.Argument(help="bodies, meetings or training")
Opt = typer.Option


def _show(rows: Sequence[dict[str, Any]], columns: Sequence[str], as_json: bool) -> None:
    if as_json:
        print(json.dumps(list(rows), ensure_ascii=False, indent=2, default=str))
        return
    table = Table()
    for column in columns:
        table.add_column(column, no_wrap=column == "id")
    for row in rows:
        table.add_row(*(escape(_cell(row.get(column))) for column in columns))
    console.print(table)
    console.print(f"{len(rows)} records", highlight=False)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(
            f"{v['name']} ({v['role']})" if isinstance(v, dict) else str(v) for v in value
        )
    return "" if value is None else str(value)


def _write(content: bytes, fmt: str, out: Path | None) -> None:
    if out is not None:
        out.write_bytes(content)
        console.print(f"written to {escape(str(out))}", highlight=False)
    elif fmt == "xlsx":
        raise typer.BadParameter("an XLSX export needs --out FILE", param_hint="--out")
    else:
        sys.stdout.write(content.decode("utf-8-sig"))


def _warn(warnings: Sequence[dict[str, Any]]) -> None:
    for item in warnings:
        console.print(
            f"warning: {escape(item['name'])!s} resembles {escape(item['other_name'])} "
            f"(policy {escape(item['other'])}, similarity {item['ratio']:.2f})",
            highlight=False,
        )


# -- topics ---------------------------------------------------------------------------------------
@topics_app.command("list")
@handled
def topics_list(
    as_json: Annotated[bool, _JSON] = False,
    origin: Annotated[str | None, Opt(help="built-in or organisation")] = None,
    lang: Annotated[str, Opt(help="en or zh")] = "en",
) -> None:
    """Print every topic with its SSE article and the frameworks it maps to."""
    svc = services()
    rows = svc.topics.listing(acting(svc), origin)
    for row in rows:
        row["name"] = row[f"name_{lang}"] if lang in ("en", "zh") else row["name_en"]
    _show(rows, ("id", "name", "dimension", "sse_article", "frameworks", "origin"), as_json)


@topics_app.command("show")
@handled
def topics_show(topic_id: str, as_json: Annotated[bool, _JSON] = False) -> None:
    """Print one topic: names, frameworks, metrics, and the versions of an organisation's one."""
    svc = services()
    print(json.dumps(svc.topics.show(acting(svc), topic_id), ensure_ascii=False, indent=2))


@topics_app.command("add")
@handled
def topics_add(
    topic_id: Annotated[str, Opt("--id", help="`org.<name>`")],
    name_en: Annotated[str, Opt()],
    name_zh: Annotated[str, Opt()],
    dimension: Annotated[str, Opt(help="environment, social or governance")],
    frameworks: Annotated[str, Opt(help="items separated by ';', e.g. 'GRI-14; SSE14-31'")] = "",
    metrics: Annotated[str, Opt(help="catalogue metric ids separated by ';'")] = "",
    citation: Annotated[str, Opt()] = "",
) -> None:
    """Add (or change) one of the organisation's own topics."""
    svc = services()
    fields = {"id": topic_id, "name_en": name_en, "name_zh": name_zh, "dimension": dimension}
    fields |= {"frameworks": frameworks, "metrics": metrics, "citation": citation}
    stored = svc.topics.add(acting(svc), fields)
    console.print(f"topic {stored['id']} version {stored['version']}", highlight=False)


@topics_app.command("import")
@handled
def topics_import(
    path: Annotated[Path, typer.Argument(help="a .yaml, .csv or .xlsx file")],
) -> None:
    """Add the organisation's topics of a file; all or nothing."""
    svc = services()
    result = svc.topics.import_file(acting(svc), path)
    console.print(f"{len(result['topics'])} topics stored", highlight=False)


@topics_app.command("export")
@handled
def topics_export(
    fmt: Annotated[str, _FORMAT] = "csv",
    out: Annotated[Path | None, _OUT] = None,
    every: Annotated[bool, Opt("--all", help="the built-ins too")] = False,
) -> None:
    """Write the organisation's topics (or all) as CSV or XLSX."""
    svc = services()
    _write(svc.topics.export(acting(svc), fmt, "" if every else "organisation"), fmt, out)


# -- governance -----------------------------------------------------------------------------------
@governance_app.command("tree")
@handled
def governance_tree(as_json: Annotated[bool, _JSON] = False) -> None:
    """Print the governance structure as a tree: body, kind, frequency, topics covered."""
    svc = services()
    rows = svc.governance.structure(acting(svc))
    if as_json:
        _show(rows, (), True)
        return
    for row in rows:
        facts = escape(f"[{row['kind']}, {row['reporting_frequency']}]")
        console.print(
            f"{'    ' * row['depth']}{escape(row['name_en'])} / {escape(row['name_zh'])} "
            f"{facts} {escape(_cell(row['topic_ids']))}",
            highlight=False,
        )


@governance_app.command("list")
@handled
def governance_list(kind: Annotated[str, _KIND], as_json: Annotated[bool, _JSON] = False) -> None:
    """Print the bodies, meetings or director training sessions in force."""
    svc = services()
    columns = {
        "bodies": ("id", "kind", "name_en", "parent_id", "reporting_frequency", "topic_ids"),
        "meetings": ("id", "body_id", "held_on", "topic_ids", "attended", "invited"),
        "training": ("id", "held_on", "directors", "subject", "hours", "provider"),
    }
    rows = svc.governance.listing(acting(svc), kind)
    _show(rows, columns.get(kind, ("id",)), as_json)


@governance_app.command("show")
@handled
def governance_show(kind: Annotated[str, _KIND], record_id: str) -> None:
    """Print one record with every version of it (JSON)."""
    svc = services()
    shown = svc.governance.show(acting(svc), kind, record_id)
    print(json.dumps(shown, ensure_ascii=False, indent=2, default=str))


@governance_app.command("add-body")
@handled
def governance_add_body(
    body_id: Annotated[str, Opt("--id")],
    kind: Annotated[str, Opt(help="board, committee, working_group or team")],
    name_en: Annotated[str, Opt()],
    name_zh: Annotated[str, Opt()],
    duties: Annotated[str, Opt()],
    frequency: Annotated[str, Opt(help="monthly, quarterly, half_yearly, yearly, as_needed")],
    parent: Annotated[str, Opt(help="the parent body's id")] = "",
    entity: Annotated[str, Opt(help="the entity of a subsidiary's team")] = "",
    members: Annotated[str, Opt(help="'name: role; name: role'")] = "",
    topics: Annotated[str, Opt(help="topic ids the duties cover, separated by ';'")] = "",
) -> None:
    """Add a governance body, or a new version of one (same --id)."""
    svc = services()
    fields = {"id": body_id, "kind": kind, "name_en": name_en, "name_zh": name_zh}
    fields |= {"duties": duties, "reporting_frequency": frequency, "parent_id": parent}
    fields |= {"entity_id": entity, "members": members, "topic_ids": topics}
    stored = svc.governance.save_body(acting(svc), fields)
    console.print(f"body {stored['id']} version {stored['version']}", highlight=False)


@governance_app.command("withdraw-body")
@handled
def governance_withdraw(body_id: str, reason: Annotated[str, Opt()]) -> None:
    """Withdraw a body (kept, marked withdrawn with the reason)."""
    svc = services()
    stored = svc.governance.withdraw_body(acting(svc), body_id, reason)
    console.print(f"body {stored['id']} withdrawn (version {stored['version']})", highlight=False)


@governance_app.command("add-meeting")
@handled
def governance_add_meeting(
    body: Annotated[str, Opt(help="the body's id")],
    held_on: Annotated[str, Opt(help="YYYY-MM-DD")],
    decisions: Annotated[str, Opt()],
    attended: Annotated[int, Opt()],
    invited: Annotated[int, Opt()],
    topics: Annotated[str, Opt(help="topic ids discussed, separated by ';'")] = "",
) -> None:
    """Record a meeting held by a body."""
    svc = services()
    fields = {"body_id": body, "held_on": held_on, "decisions": decisions, "topic_ids": topics}
    stored = svc.governance.add_meeting(
        acting(svc), fields | {"attended": attended, "invited": invited}
    )
    console.print(f"meeting {stored['id']} recorded", highlight=False)


@governance_app.command("add-training")
@handled
def governance_add_training(
    held_on: Annotated[str, Opt(help="YYYY-MM-DD")],
    directors: Annotated[str, Opt(help="names separated by ';'")],
    subject: Annotated[str, Opt()],
    hours: Annotated[str, Opt()],
    provider: Annotated[str, Opt()],
) -> None:
    """Record training given to directors."""
    svc = services()
    fields = {"held_on": held_on, "directors": directors, "subject": subject}
    stored = svc.governance.add_training(
        acting(svc), fields | {"hours": hours, "provider": provider}
    )
    console.print(f"training {stored['id']} recorded", highlight=False)


@governance_app.command("covered")
@handled
def governance_covered(as_json: Annotated[bool, _JSON] = False) -> None:
    """Print the topics the duties of a body in force cover (SSE No. 14 Art. 11(1))."""
    svc = services()
    topics = svc.governance.topics_covered(acting(svc))
    print(json.dumps(topics) if as_json else "\n".join(topics))


@governance_app.command("import")
@handled
def governance_import(kind: Annotated[str, _KIND], path: Path) -> None:
    """Add the bodies, meetings or training of a CSV, XLSX or YAML file; all or nothing."""
    svc = services()
    result = svc.governance.import_file(acting(svc), kind, path)
    console.print(f"{len(result['ids'])} {kind} records stored", highlight=False)


@governance_app.command("export")
@handled
def governance_export(
    kind: Annotated[str, _KIND],
    fmt: Annotated[str, _FORMAT] = "csv",
    out: Annotated[Path | None, _OUT] = None,
) -> None:
    """Write the records in force as CSV or XLSX (the import reads it back)."""
    svc = services()
    _write(svc.governance.export(acting(svc), kind, fmt), fmt, out)


# -- policies -------------------------------------------------------------------------------------
@policies_app.command("list")
@handled
def policies_list(as_json: Annotated[bool, _JSON] = False) -> None:
    """Print the policy register, with the near-duplicates of each policy."""
    svc = services()
    rows = svc.policies.listing(acting(svc))
    for row in rows:
        row["near"] = [d["other"] for d in row["near_duplicates"]]
    columns = ("id", "name_en", "name_zh", "owner", "policy_version", "effective_on", "near")
    _show(rows, columns, as_json)


@policies_app.command("duplicates")
@handled
def policies_duplicates(as_json: Annotated[bool, _JSON] = False) -> None:
    """Print every pair of policies with near-duplicate names."""
    svc = services()
    _show(
        svc.policies.duplicates(acting(svc)),
        ("policy", "name", "other", "other_name", "ratio"),
        as_json,
    )


@policies_app.command("show")
@handled
def policies_show(policy_id: str) -> None:
    """Print one policy with its versions (JSON)."""
    svc = services()
    print(json.dumps(svc.policies.show(acting(svc), policy_id), ensure_ascii=False, indent=2))


@policies_app.command("add")
@handled
def policies_add(
    policy_id: Annotated[str, Opt("--id")],
    name_en: Annotated[str, Opt()],
    name_zh: Annotated[str, Opt()],
    owner: Annotated[str, Opt()],
    version: Annotated[str, Opt()],
    effective: Annotated[str, Opt(help="YYYY-MM-DD")],
    aliases: Annotated[str, Opt(help="other names, separated by ';'")] = "",
    topics: Annotated[str, Opt(help="topic ids, separated by ';'")] = "",
    document: Annotated[Path | None, Opt(help="the policy document (PDF, XLSX, ...)")] = None,
) -> None:
    """Register a policy, or a new version of one (same --id); warns of near-duplicate names."""
    svc = services()
    fields = {"id": policy_id, "name_en": name_en, "name_zh": name_zh, "owner": owner}
    fields |= {"policy_version": version, "effective_on": effective}
    fields |= {"aliases": aliases, "topic_ids": topics}
    attached = (document.name, document.read_bytes()) if document else None
    stored = svc.policies.add(acting(svc), fields, attached)
    console.print(f"policy {stored['id']} version {stored['version']}", highlight=False)
    _warn(stored["warnings"])


@policies_app.command("withdraw")
@handled
def policies_withdraw(policy_id: str, reason: Annotated[str, Opt()]) -> None:
    """Withdraw a policy (kept, marked withdrawn with the reason)."""
    svc = services()
    stored = svc.policies.withdraw(acting(svc), policy_id, reason)
    console.print(f"policy {stored['id']} withdrawn (version {stored['version']})", highlight=False)


@policies_app.command("import")
@handled
def policies_import(path: Path) -> None:
    """Register the policies of a CSV, XLSX or YAML file; all or nothing."""
    svc = services()
    result = svc.policies.import_file(acting(svc), path)
    console.print(f"{len(result['ids'])} policies stored", highlight=False)
    _warn(result["warnings"])


@policies_app.command("export")
@handled
def policies_export(
    fmt: Annotated[str, _FORMAT] = "csv", out: Annotated[Path | None, _OUT] = None
) -> None:
    """Write the register as CSV or XLSX (the import reads it back)."""
    svc = services()
    _write(svc.policies.export(acting(svc), fmt), fmt, out)


def register(app: typer.Typer) -> None:
    app.add_typer(topics_app, name="topics")
    app.add_typer(governance_app, name="governance")
    app.add_typer(policies_app, name="policies")
