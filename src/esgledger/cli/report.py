"""``esgledger report``: the full report (HTML and PDF, English and Chinese), or the KPI book
(``--kpi``); ``esgledger report sections list|show|save|import|export``: its narrative sections."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from esgledger.cli.common import acting, console, handled, services

PeriodOption = Annotated[str, typer.Option(help="reporting year, e.g. 2024")]

REPORT_FORMATS = ("html", "pdf", "xlsx")  # the full report's files and the data annex


def _langs(lang: str) -> tuple[str, ...]:
    if lang == "both":
        return ("en", "zh")
    if lang not in ("en", "zh"):
        raise typer.BadParameter("en, zh or both", param_hint="--lang")
    return (lang,)


def register(app: typer.Typer) -> None:
    report_app = typer.Typer(
        invoke_without_command=True,
        help="Build the period's report (full report: HTML and PDF), or work on its sections.",
    )
    sections_app = typer.Typer(no_args_is_help=True, help="The report's narrative sections.")
    report_app.add_typer(sections_app, name="sections")
    app.add_typer(report_app, name="report")

    @report_app.callback()
    @handled
    def report(
        ctx: typer.Context,
        period: Annotated[str | None, typer.Option(help="reporting year, e.g. 2024")] = None,
        out: Annotated[Path, typer.Option(help="output directory")] = Path("out"),
        lang: Annotated[str, typer.Option(help="en, zh or both")] = "both",
        fmt: Annotated[
            str, typer.Option("--format", help="html, pdf, xlsx (comma-separated)")
        ] = "html,pdf",
        kpi: Annotated[bool, typer.Option("--kpi", help="the KPI book (HTML) instead")] = False,
        override_qa: Annotated[
            str | None,
            typer.Option(
                "--override-qa",
                help="admins: publish a final report over open error-level quality findings, "
                "for this reason (recorded in the ledger, printed in the basis of preparation)",
            ),
        ] = None,
    ) -> None:
        """Build the full report of the period (cover, contents, chapters, indexes; DRAFT on every
        page unless the period is locked and every value approved; a final report's files are
        recorded with their SHA-256), or with --kpi the three-year KPI book."""
        if ctx.invoked_subcommand is not None:
            return
        if period is None:
            raise typer.BadParameter("the reporting year is required", param_hint="--period")
        svc = services()
        actor = acting(svc)
        langs = _langs(lang)
        if kpi:
            for one in langs:
                built = svc.reports.build(actor, period, one)
                _record, path = svc.reports.download(actor, period, one)
                out.mkdir(parents=True, exist_ok=True)
                target = out / built["file_name"]
                shutil.copyfile(path, target)
                console.print(f"report written to {target} (sha256 {built['sha256'][:16]}…)")
            return
        formats = tuple(f.strip() for f in fmt.split(",") if f.strip())
        unknown = [f for f in formats if f not in REPORT_FORMATS]
        if unknown or not formats:
            raise typer.BadParameter(
                f"--format is {', '.join(REPORT_FORMATS)} (comma-separated), not "
                f"{', '.join(unknown) or 'nothing'}",
                param_hint="--format",
            )
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("building the report", total=None)

            def progress(done: int, total: int, message: str) -> None:
                bar.update(task, completed=done, total=total, description=message)

            built = svc.report_content.build(
                actor, period, out, langs, formats, progress, override_qa=override_qa
            )
        for file in built["files"]:
            console.print(f"{file['path']} (sha256 {file['sha256'][:16]}…)", highlight=False)
        if built["draft"]:
            console.print(f"[yellow]DRAFT[/yellow]: {'; '.join(built['draft'])}", highlight=False)
        else:
            console.print("final report: its files are recorded in the report register")
        qa = built["qa"]
        for finding in qa["errors_open"]:
            console.print(f"open QA error: {escape(finding)}", highlight=False)
        if qa["override"]:
            console.print(
                escape(f"QA override by {qa['override']['by']}: {qa['override']['reason']}"),
                highlight=False,
            )

    @sections_app.command("list")
    @handled
    def sections_list(
        period: PeriodOption, as_json: Annotated[bool, typer.Option("--json")] = False
    ) -> None:
        """Every narrative section and where its text comes from (ledger version or default)."""
        svc = services()
        found = svc.report_content.sections(acting(svc), period)
        if as_json:
            print(json.dumps(found, ensure_ascii=False))
            return
        for s in found:
            origins = ", ".join(
                f"{lang}: {o['origin']}"
                + (f" v{o['version']} ({o['period']})" if "version" in o else "")
                for lang, o in s["langs"].items()
            )
            console.print(escape(f"{s['id']:<24} {s['title']['en']} [{origins}]"), highlight=False)

    @sections_app.command("import")
    @handled
    def sections_import(folder: Path, period: PeriodOption) -> None:
        """Import a folder of `<lang>/<section>.md` files (all checked, then all saved, or none)."""
        svc = services()
        result = svc.report_content.import_folder(acting(svc), period, folder)
        console.print(
            f"{result['files']} file(s): {result['saved']} new version(s), "
            f"{result['unchanged']} unchanged"
        )

    @sections_app.command("export")
    @handled
    def sections_export(folder: Path, period: PeriodOption) -> None:
        """Write every section's text in force as `<lang>/<section>.md` under FOLDER."""
        svc = services()
        written = svc.report_content.export_folder(acting(svc), period, folder)
        console.print(f"wrote {len(written)} file(s) under {folder}")

    @sections_app.command("show")
    @handled
    def sections_show(
        section: str,
        period: PeriodOption,
        lang: Annotated[str, typer.Option(help="en or zh")] = "en",
    ) -> None:
        """Print a section's text in force and its versions."""
        svc = services()
        shown = svc.report_content.show(acting(svc), period, section, lang)
        print(shown["body"])
        for v in shown["versions"]:
            console.print(f"v{v['version']} {v['saved_at']} {v['saved_by']}", highlight=False)
