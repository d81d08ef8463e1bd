"""``esgledger assurance --period P -o FILE.zip``: the assurance pack of a report year (every
published number with its lineage, factors, evidence, approvals, the audit extract and anchor, the
differences, a seeded sample; a manifest and a standalone verify.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from esgledger.cli.common import acting, console, handled, services
from esgledger.service_errors import Invalid


def register(app: typer.Typer) -> None:
    @app.command("assurance")
    @handled
    def assurance(
        period: Annotated[str, typer.Option(help="reporting year, e.g. 2024")],
        output: Annotated[Path, typer.Option("--output", "-o", help="the zip file to write")],
        seed: Annotated[
            int | None,
            typer.Option(
                help="seed of the assurer's sample (default: from the period and the audit "
                "chain head, so the same ledger state draws the same sample)"
            ),
        ] = None,
        entity: Annotated[
            str | None, typer.Option(help="reporting entity (default: the organisation's root)")
        ] = None,
    ) -> None:
        """Write the assurance pack of a report year: unpack it and run 'python3 verify.py'."""
        svc = services()
        started = time.perf_counter()
        built = svc.assurance.pack(acting(svc), period, seed=seed, entity=entity)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(built.data)
        except OSError as exc:
            raise Invalid(f"cannot write {output}: {exc.strerror}", field="output") from exc
        summary = built.summary
        console.print(
            f"assurance pack of {summary['period']} written to {output} "
            f"({len(built.data):,} bytes, {time.perf_counter() - started:.1f} s): "
            f"{summary['figures']} published numbers, {summary['records']} lineage records, "
            f"{summary['evidence_files']} evidence files, {summary['approvals']} approvals, "
            f"{summary['audit_entries']} audit entries, {summary['sampled']} sampled "
            f"(seed {summary['seed']}); chain head {summary['head']['seq']}:"
            f"{summary['head']['hash'][:16]}…",
            highlight=False,
            soft_wrap=True,
        )
        for line in pack_notes(summary, output):
            console.print(line, highlight=False, soft_wrap=True)


def pack_notes(summary: dict[str, object], output: Path) -> list[str]:
    """What the assurer should know before relying on the pack, and how to check it."""
    notes = []
    versions, approvals = summary.get("datapoint_versions"), summary.get("approvals")
    if isinstance(versions, int) and isinstance(approvals, int) and approvals < versions:
        notes.append(
            f"note: {approvals} approval(s) on record for the {versions} data point versions "
            "behind these numbers: a pack of a draft (approve the values and lock the period "
            "for the final one)"
        )
    errors = summary.get("qa_errors_open")
    if isinstance(errors, int) and errors:
        notes.append(f"note: {errors} error-level quality finding(s) are open (esgledger check)")
    notes.append(f"check it: unzip {output} -d pack && cd pack && python3 verify.py")
    return notes
