"""PDFs of printed report documents, in worker processes.

WeasyPrint lays a document out in single-threaded Python, so the English and Chinese PDFs go to a
process each: :class:`PdfWriters` starts them as soon as the first document is handed over, so
that the PDF work overlaps the rest of the build. This module imports nothing of esgledger: a
worker process starts with WeasyPrint alone.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType


def write_pdf(html: str, path: Path) -> Path:
    """The PDF of the document (WeasyPrint, print media: pages, running headers, page numbers,
    contents with page numbers; fonts, Noto CJK included, embedded as subsets)."""
    from weasyprint import HTML  # imported here: loading pango takes a moment

    HTML(string=html, base_url=str(path.parent)).write_pdf(str(path))
    return path


def _write_pdf_and_exit(html: str, path: Path) -> Path:
    """``write_pdf`` in a worker that exits after this one document: the layout's objects are
    frozen instead of freed one by one at exit (about half a second per document)."""
    written = write_pdf(html, path)
    gc.freeze()
    return written


class PdfWriters:
    """Writes PDFs in up to ``workers`` processes, one document each; without a second core,
    in this process. Use as a context manager: ``submit`` returns at once; ``results`` yields the
    paths in the order submitted, as they are written."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers if (os.cpu_count() or 1) >= 2 else 0
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[Future[Path]] = []
        self._inline: list[tuple[str, Path]] = []

    def __enter__(self) -> PdfWriters:
        return self

    def submit(self, html: str, path: Path) -> None:
        if not self.workers:
            self._inline.append((html, path))
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),  # no fork of a server's threads
                max_tasks_per_child=1,
            )
        self._pending.append(self._pool.submit(_write_pdf_and_exit, html, path))

    def results(self) -> Iterator[Path]:
        """Wait for every PDF; yields the paths in the order submitted, as they are written."""
        while self._inline:
            yield write_pdf(*self._inline.pop(0))
        while self._pending:
            yield self._pending.pop(0).result()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            # the workers are done or abandoned: do not wait for their processes to exit
            self._pool.shutdown(wait=error is None, cancel_futures=True)
