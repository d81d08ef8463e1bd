"""``esgledger check``: the quality checks of a period's figures and of a report's tables
(issue 12). Text grouped by severity, or JSON (a list of findings, :func:`finding_dict`); exit 1
when an error-level finding exists, 0 otherwise. Thin: parse, call :meth:`QA.check`, print.

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

from esgledger.cli.common import acting, console, errors, handled, services
from esgledger.i18n import Strings
from esgledger.service_errors import NotInitialised
from esgledger.services import Services
from esgledger.services.qa import CheckResult, finding_dict

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
    @app.command("check")
    @handled
    def check(
        period: Annotated[
            str | None, typer.Option(help="the period whose ledger figures are checked (2024)")
        ] = None,
        reported: Annotated[
            Path | None,
            typer.Option(help="a report's tables (CSV or XLSX: table, row_label, entity, ...)"),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="print the findings as JSON")] = False,
        lang: Annotated[str, typer.Option(help="en or zh: the language of the messages")] = "en",
    ) -> None:
        """Run the quality checks: exit 1 when an error-level finding is open (it blocks the
        report; a justified one does not)."""
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
            rows = []
            for finding in result.findings:
                row = finding_dict(finding)
                row["justification"] = justified.get((finding.rule, finding.key))
                rows.append(row)
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            _print(result, lang, justified)
        open_errors = [
            f for f in result.findings if f.severity == "error" and (f.rule, f.key) not in justified
        ]
        if open_errors:
            raise typer.Exit(1)


def _print(result: CheckResult, lang: str, justified: dict[tuple[str, str], Any]) -> None:
    """The findings grouped by severity, each with its rule and key (what ``justify`` takes) and
    its justification, if any, then how to resolve one; in the run's language."""
    t = Strings(lang)
    scope = " + ".join(p for p in (result.period, result.reported_file) if p)
    counts = result.counts
    console.print(
        t(
            "qa.cli.summary",
            scope=scope,
            facts=result.facts,
            rules=len(result.rules),
            errors=counts["error"],
            warnings=counts["warning"],
        ),
        highlight=False,
    )
    for severity in ("error", "warning"):
        found = [f for f in result.findings if f.severity == severity]
        if not found:
            continue
        style = SEVERITY_STYLE[severity]
        heading = t(f"qa.cli.heading.{severity}")
        console.print(f"\n[{style}]{heading} ({len(found)})[/{style}]")
        for finding in found:
            key = t("qa.cli.key", id=finding.key)
            console.print(
                f"[{style}]{escape(finding.rule)}[/{style}] [dim]{escape(key)}[/dim] "
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
    if result.findings:
        on_ledger = any(f.origin != "reported_table" for x in result.findings for f in x.facts)
        if result.period and on_ledger:
            console.print("\n" + escape(t("qa.cli.next", period=result.period)), highlight=False)
        else:
            console.print("\n" + escape(t("qa.cli.next_reported")), highlight=False)
