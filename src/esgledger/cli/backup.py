"""``esgledger backup FILE`` and ``esgledger restore FILE``. Thin: parse options, call the
services (:mod:`esgledger.services.backup`), show progress, print."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from esgledger.cli.common import acting, console, errors, handled, services
from esgledger.services.backup import Progress as Report


@contextmanager
def _progress() -> Iterator[Report]:
    """A progress bar per stage on the terminal (stderr); nothing when it is not a terminal."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=errors,
        transient=True,
    ) as bars:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            kind = "tables" if stage.startswith(("copying", "tables")) else stage
            if kind not in tasks:
                tasks[kind] = bars.add_task(stage, total=total)
            bars.update(tasks[kind], description=stage, completed=done, total=total)

        yield report


def register(app: typer.Typer) -> None:
    """Add ``backup`` and ``restore`` to the main CLI."""

    @app.command("backup")
    @handled
    def backup(
        file: Annotated[Path, typer.Argument(help="the archive to write (a new file, .tar.gz)")],
        as_json: Annotated[bool, typer.Option("--json", help="print the manifest as JSON")] = False,
    ) -> None:
        """Back up the ledger while it is in use (admins): a consistent snapshot of the database
        and its evidence, report and activity files, in one archive with a manifest of
        checksums; the backup is recorded in the audit log."""
        svc = services()
        try:
            with _progress() as report:
                manifest = svc.backups.take(acting(svc), file, report)
        finally:
            svc.dispose()
        if as_json:
            print(json.dumps(manifest.as_dict(), ensure_ascii=False))
            return
        for warning in manifest.warnings:
            errors.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False)
        head = manifest.audit_head
        console.print(
            f"backed up {svc.db.url} to {file}: {sum(manifest.tables.values()):,} rows in "
            f"{len(manifest.tables)} tables, {len(manifest.files)} file(s), audit head entry "
            f"{head['seq']} ({str(head['hash'])[:12]}...)",
            highlight=False,
            soft_wrap=True,
        )

    @app.command("restore")
    @handled
    def restore(
        file: Annotated[Path, typer.Argument(help="a backup written by 'esgledger backup'")],
        as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """Restore a backup into an empty ledger (--db) and its file folders, then verify it (the
        chain, and every table against it). All or nothing: a refused or failed restore leaves
        nothing behind."""
        svc = services(create=True)
        try:
            with _progress() as report:
                restored = svc.restore(file, report)
        finally:
            svc.dispose()
        manifest = restored.manifest
        if as_json:
            print(
                json.dumps(
                    {
                        "target": svc.db.url,
                        "rows": restored.rows,
                        "files_written": restored.files_written,
                        "files_present": restored.files_present,
                        "audit_head": manifest.audit_head,
                        "verified": restored.verdict.ok,
                        "backup": {
                            "created_at": manifest.created_at,
                            "source_backend": manifest.source_backend,
                            "esgledger_version": manifest.esgledger_version,
                        },
                    },
                    ensure_ascii=False,
                )
            )
            return
        for warning in manifest.warnings:
            errors.print(
                f"[yellow]warning (at backup):[/yellow] {escape(warning)}", highlight=False
            )
        console.print(
            f"restored {file} ({manifest.source_backend}, {manifest.created_at}) into "
            f"{svc.db.url}: {sum(restored.rows.values()):,} rows, "
            f"{restored.files_written + restored.files_present} file(s); audit chain and tables "
            f"verified to entry {manifest.audit_head['seq']}",
            highlight=False,
            soft_wrap=True,
        )
