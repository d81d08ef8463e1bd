"""``esgledger disclose ...``: the reporting profile of a period, explanations of framework items,
and the coverage computed from the ledger. Thin: parse, call one operation of
:mod:`esgledger.services.disclose`, print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from esgledger.cli.assess_governance import _write
from esgledger.cli.common import acting, console, handled, services
from esgledger.i18n import Strings

disclose_app = typer.Typer(
    no_args_is_help=True,
    help="Disclosure: frameworks chosen per period, explanations, coverage (computed).",
)
profile_app = typer.Typer(no_args_is_help=True, help="The period's frameworks and issuer class.")
disclose_app.add_typer(profile_app, name="profile")

_PERIOD = typer.Option("--period", help="the reporting year (YYYY)")
_JSON = typer.Option("--json", help="print JSON")
Opt = typer.Option


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@profile_app.command("set")
@handled
def profile_set(
    period: Annotated[str, _PERIOD],
    framework: Annotated[
        list[str], Opt("--framework", help="sse14, hkex, gri, ifrs_s2, mof_climate (hkex@2020)")
    ],
    issuer_class: Annotated[
        str | None, Opt("--issuer-class", help="main_board, largecap or gem")
    ] = None,
) -> None:
    """Choose the frameworks the period's report follows (a new version of the profile)."""
    svc = services()
    actor = acting(svc)
    stored = svc.disclose.set_profile(actor, period, framework, issuer_class)
    named = _issuer_class(svc.disclose.choices(actor), stored["issuer_class"])
    console.print(
        f"{period}: {', '.join(stored['frameworks'])} (issuer class {named}), "
        f"version {stored['version']}",
        highlight=False,
    )


def _issuer_class(choices: dict[str, dict[str, str]], issuer_class: str | None) -> str:
    """``main_board: Main Board issuer (not LargeCap)``: the id a user types, and its name."""
    if not issuer_class:
        return "-"
    return f"{issuer_class}: {choices['issuer_classes'].get(issuer_class, issuer_class)}"


@profile_app.command("show")
@handled
def profile_show(period: Annotated[str, _PERIOD], as_json: Annotated[bool, _JSON] = False) -> None:
    """Print the period's profile and its versions."""
    svc = services()
    actor = acting(svc)
    found = svc.disclose.profile(actor, period)
    if as_json:
        _print_json(found)
        return
    choices = svc.disclose.choices(actor)
    for version in found["history"]:
        console.print(
            f"v{version['version']} {version['recorded_at']} {version['recorded_by']}: "
            f"{', '.join(version['frameworks'])} "
            f"(issuer class {_issuer_class(choices, version['issuer_class'])})",
            highlight=False,
        )


@disclose_app.command("explain")
@handled
def explain(
    item: Annotated[str, typer.Argument(help="the item reference, e.g. HKEX-A2.5")],
    period: Annotated[str, _PERIOD],
    reason: Annotated[str | None, Opt("--reason", help="a reason id of the framework")] = None,
    text: Annotated[str, Opt("--text", help="the explanation in English")] = "",
    text_zh: Annotated[str, Opt("--text-zh", help="the explanation in Chinese")] = "",
    not_applicable: Annotated[
        bool, Opt("--not-applicable", help="declare the item not applicable")
    ] = False,
) -> None:
    """Explain an item (comply or explain) or declare it not applicable."""
    svc = services()
    fields = {
        "reference": item,
        "status": "not_applicable" if not_applicable else "explained",
        "reason_id": reason,
        "text_en": text,
        "text_zh": text_zh,
    }
    stored = svc.disclose.explain(acting(svc), period, fields)
    console.print(
        f"{stored['reference']}: {stored['status']} ({stored['reason_id'] or '-'}), "
        f"version {stored['version']}",
        highlight=False,
    )


@disclose_app.command("withdraw")
@handled
def withdraw(
    item: Annotated[str, typer.Argument(help="the item reference")],
    period: Annotated[str, _PERIOD],
    reason: Annotated[str, Opt("--reason", help="why it is withdrawn")],
) -> None:
    """Withdraw an explanation (a version marked withdrawn)."""
    svc = services()
    svc.disclose.withdraw(acting(svc), period, item, reason)
    console.print(f"{item}: explanation withdrawn", highlight=False)


@disclose_app.command("import")
@handled
def import_file(path: Path, period: Annotated[str, _PERIOD]) -> None:
    """Store the explanations of a CSV or XLSX file (reference, status, reason_id, text_en,
    text_zh); all or nothing."""
    svc = services()
    result = svc.disclose.import_file(acting(svc), period, path)
    console.print(f"{len(result['references'])} explanations stored", highlight=False)


@disclose_app.command("export")
@handled
def export(
    period: Annotated[str, _PERIOD],
    fmt: Annotated[str, Opt("--format", help="csv or xlsx")] = "csv",
    out: Annotated[Path | None, Opt("--out", help="write to this file")] = None,
) -> None:
    """Write the period's explanations as CSV or XLSX (the import reads it back)."""
    svc = services()
    _write(svc.disclose.export(acting(svc), period, fmt), fmt, out)


@disclose_app.command("coverage")
@handled
def coverage(
    period: Annotated[str, _PERIOD],
    framework: Annotated[str | None, Opt("--framework", help="one framework only")] = None,
    as_json: Annotated[bool, _JSON] = False,
    lang: Annotated[str, Opt("--lang", help="en or zh")] = "en",
    strict: Annotated[bool, Opt("--strict", help="exit 1 when there are errors")] = False,
) -> None:
    """Print each item's status and the errors and warnings (errors first)."""
    svc = services()
    shown = svc.disclose.coverage(acting(svc), period, framework, lang)
    if as_json:
        _print_json(shown)
    else:
        _print_coverage(shown, Strings(lang))
    if strict and shown["errors"]:
        raise typer.Exit(1)


def _print_coverage(shown: dict[str, Any], t: Strings) -> None:
    """The coverage in the language: names, not ids; each finding with its next steps."""
    names = shown["profile_names"]
    line = t(
        "disclose.profile.line",
        frameworks=t.join(names["frameworks"]),
        issuer_class=names["issuer_class"] or "-",
    )
    console.print(escape(line), highlight=False)
    table = Table()
    for column in ("item", "level", "status", "location", "missing"):
        table.add_column(t(f"disclose.column.{column}"))
    for row in shown["rows"]:
        status = row["status_name"] + (f" ({row['reason']})" if row["reason"] else "")
        table.add_row(
            escape(row["reference"]),
            row["level_name"],
            escape(status),
            escape(t.join(row["location_names"])),
            escape(row["missing_text"]),
        )
    console.print(table)
    for finding in shown["findings"]:
        severity = t(f"disclose.severity.{finding['severity']}")
        sep = t("disclose.index.sep")
        console.print(f"{severity}{sep}{escape(finding['message'])}", highlight=False)
        steps = Table.grid(padding=(0, 1, 0, 0))  # a hanging indent: wrapped lines stay under it
        steps.add_column(no_wrap=True)
        steps.add_column()
        for step in finding["steps"]:
            steps.add_row("→", Text(step["text"], overflow="fold"))
            if step["command"]:
                steps.add_row("", Text(f"$ {step['command']}", overflow="fold"))
        console.print(Padding(steps, (0, 0, 0, 2)))
    counts = t.join([f"{v} {shown['status_names'][k]}" for k, v in shown["counts"].items()])
    summary = t("disclose.summary", counts=counts, **{k: shown[k] for k in ("errors", "warnings")})
    console.print(escape(summary), highlight=False)
