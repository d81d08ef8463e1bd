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
from esgledger.service_errors import NotInitialised
from esgledger.services import Services
from esgledger.services.qa import CheckResult, finding_dict

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow"}
JUSTIFIED = {"en": "justified by", "zh": "已说明，说明人"}
HEADINGS = {
    "en": {"error": "Errors (block the report)", "warning": "Warnings"},
    "zh": {"error": "错误（阻止发布报告）", "warning": "警告"},
}


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
        if lang not in HEADINGS:
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
    scope = " + ".join(p for p in (result.period, result.reported_file) if p)
    counts = result.counts
    console.print(
        f"{scope}: {result.facts} figure(s), {len(result.rules)} rule(s): "
        f"{counts['error']} error(s), {counts['warning']} warning(s)",
        highlight=False,
    )
    for severity in ("error", "warning"):
        found = [f for f in result.findings if f.severity == severity]
        if not found:
            continue
        style = SEVERITY_STYLE[severity]
        console.print(f"\n[{style}]{HEADINGS[lang][severity]} ({len(found)})[/{style}]")
        for finding in found:
            console.print(
                f"[{style}]{escape(finding.rule)}[/{style}] {escape(finding.message)}",
                highlight=False,
            )
            why = justified.get((finding.rule, finding.key))
            if why is not None:
                console.print(
                    f"  [green]{JUSTIFIED[lang]}[/green] {escape(str(why['recorded_by']))}: "
                    f"{escape(str(why['text']))}",
                    highlight=False,
                )
