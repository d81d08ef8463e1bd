"""``esgledger check``: the quality checks of a period's figures and of a report's tables
(issue 12). Text grouped by severity, each finding with its short reference (what ``justify
--key`` takes), the report rows not read apart, and the command to justify a finding; or JSON
(:meth:`CheckResult.as_dict`, each finding with its justification). Exit 1 when an open
error-level finding exists, 0 otherwise. Thin: parse, call :meth:`QA.check`, print.

Without a ledger at ``--db`` and with ``--reported``, the tables are checked alone in a scratch
ledger that is thrown away (the catalogue and the rules are the built-in ones)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from esgledger.cli.common import acting, console, errors, handled, services, state
from esgledger.i18n import Strings
from esgledger.service_errors import NotInitialised
from esgledger.services import Services
from esgledger.services.qa import CheckResult

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow"}
LANGUAGES = ("en", "zh")


@contextmanager
def _ledger(reported: Path | None) -> Iterator[Services]:
    try:
        svc = services()
        svc.require_initialised()
    except NotInitialised:
        if reported is None:
            raise
        errors.print("no ledger here: the report tables are checked alone", highlight=False)
        with tempfile.TemporaryDirectory(prefix="esgledger-check-") as scratch:
            svc = Services.open(str(Path(scratch) / "scratch.db"), create=True)
            svc.init()
            try:
                yield svc
            finally:
                svc.dispose()
        return
    yield svc


def register(app: typer.Typer) -> None:
    @app.command("check", epilog=EPILOG)
    @handled
    def check(
        period: Annotated[
            str | None,
            typer.Option(help="the year whose ledger figures are checked, e.g. 2024"),
        ] = None,
        reported: Annotated[
            Path | None,
            typer.Option(
                help="a report's tables to check (CSV or XLSX: table, row_label, entity, metric, "
                "period, value, unit); alone, or against the ledger with --period"
            ),
        ] = None,
        as_json: Annotated[
            bool,
            typer.Option(
                "--json",
                help="print one JSON object: counts, findings (each with its reference and "
                "key), rows_not_read",
            ),
        ] = False,
        lang: Annotated[str, typer.Option(help="en or zh: the language of the messages")] = "en",
    ) -> None:
        """Run the quality checks. Each finding is printed with its reference
        (sum.totals#3fa9c2): fix the data, or justify the finding with
        `esgledger justify --period 2024 --key REFERENCE --text "why"`. Exit 1 when an
        error-level finding is open (it blocks the final report), 0 otherwise."""
        if lang not in LANGUAGES:
            raise typer.BadParameter("en or zh", param_hint="--lang")
        if period is None and reported is None:
            raise typer.BadParameter("give --period, --reported or both", param_hint="--period")
        with _ledger(reported) as svc:
            actor = acting(svc)
            tables = svc.qa.read_reported(actor, reported) if reported is not None else None
            result = svc.qa.check(actor, period, tables, lang=lang)
            justified = (
                {
                    (j["rule"], j["finding_key"]): j
                    for j in svc.qa_review.justifications(actor, period)
                }
                if period is not None
                else {}
            )
        if as_json:
            shown = result.as_dict()
            for row in shown["findings"]:
                row["justification"] = justified.get((row["rule"], row["key"]))
            print(json.dumps(shown, ensure_ascii=False, indent=2))
        else:
            _print(result, lang, justified)
        open_errors = [
            f for f in result.findings if f.severity == "error" and (f.rule, f.key) not in justified
        ]
        if open_errors or any(f.severity == "error" for f in result.unread):
            raise typer.Exit(1)


EPILOG = "\n\n".join(
    (
        "Examples:",
        "  esgledger --db group.db check --period 2024",
        "  esgledger --db group.db check --period 2024 --reported tables.xlsx --lang zh",
        "  esgledger check --reported tables.csv --json   (a report's tables alone, no ledger)",
        '  esgledger --db group.db justify --period 2024 --key sum.totals#3fa9c2 --text "why"',
        "Report rows the checks cannot read (a label that names no metric, a unit that is not "
        "its metric's) are listed apart as rows not read, each with its file row and what was "
        "expected: they are not checked, not counted as findings, and fail the run only if the "
        "rule label.unresolved is made an error.",
    )
)


def _print(result: CheckResult, lang: str, justified: dict[tuple[str, str], Any]) -> None:
    """The findings grouped by severity, each with its reference (what ``justify --key`` takes)
    and its justification, if any; the report rows not read; then how to resolve a finding,
    with the command for one of them; in the run's language."""
    t = Strings(lang)
    scope = " + ".join(p for p in (result.period, result.reported_file) if p)
    counts = result.counts
    summary = t(
        "qa.cli.summary",
        scope=scope,
        facts=result.facts,
        rules=len(result.rules),
        errors=counts["error"],
        warnings=counts["warning"],
    )
    settled = sum(1 for f in result.findings if (f.rule, f.key) in justified)
    if settled:
        summary += t("qa.cli.summary_justified", justified=settled)
    if result.unread:
        summary += t("qa.cli.summary_unread", rows=counts["rows_not_read"])
    console.print(summary, highlight=False)
    # open findings by severity, then the justified ones (which block nothing), as on /qa
    for group in ("error", "warning", "justified"):
        found = [
            f
            for f in result.findings
            if ((f.rule, f.key) in justified) == (group == "justified")
            and group in (f.severity, "justified")
        ]
        if not found:
            continue
        heading = t(f"qa.cli.heading.{group}")
        style = SEVERITY_STYLE.get(group, "green")
        console.print(f"\n[{style}]{heading} ({len(found)})[/{style}]")
        for finding in found:
            style = SEVERITY_STYLE[finding.severity]
            console.print(
                f"[{style}]{escape(result.reference(finding))}[/{style}]  "
                f"{escape(finding.message)}",
                highlight=False,
            )
            why = justified.get((finding.rule, finding.key))
            if why is not None:
                console.print(
                    f"  [green]{escape(t('qa.cli.justified'))}[/green] "
                    f"{escape(str(why['recorded_by']))}: {escape(str(why['text']))}",
                    highlight=False,
                )
    if result.unread:
        console.print(
            f"\n[cyan]{escape(t('qa.cli.heading.unread', rows=len(result.unread)))}[/cyan]"
        )
        for row in result.unread:
            console.print(f"- {escape(row.message)}", highlight=False)
    _next(result, t, justified)


def _next(result: CheckResult, t: Strings, justified: dict[tuple[str, str], Any]) -> None:
    """What to do now: nothing; correct the report's tables; or fix or justify, with the exact
    command for the first open finding on the ledger's figures."""
    if not result.findings:
        if result.unread:
            console.print("\n" + escape(t("qa.cli.next_unread")), highlight=False)
        elif result.period:
            console.print("\n" + escape(t("qa.cli.none")), highlight=False)
        return
    still_open = [f for f in result.findings if (f.rule, f.key) not in justified]
    if not still_open:
        console.print("\n" + escape(t("qa.cli.all_justified")), highlight=False)
        return
    on_ledger = [f for f in still_open if all(x.origin != "reported_table" for x in f.facts)]
    if result.period and on_ledger:
        command = " ".join(
            part
            for part in (
                "esgledger",
                _db_option(),
                f"--user {state.user}" if state.user else "",
                f"justify --period {result.period} --key {result.reference(on_ledger[0])}",
            )
            if part
        )
        text = t("qa.cli.next", period=result.period, command=command)
        console.print("\n" + escape(text), highlight=False, soft_wrap=True)
    else:
        console.print("\n" + escape(t("qa.cli.next_reported")), highlight=False)


def _db_option() -> str:
    """``--db`` as this run was given it (a database URL with credentials is not repeated)."""
    if not state.db:
        return ""
    return "--db DATABASE-URL" if "@" in state.db else f"--db {state.db}"
