"""PDFs of printed report documents, in worker processes.

WeasyPrint lays a document out in single-threaded Python, so each language's PDF goes to a
process of its own: :class:`PdfWriters` starts the workers first (each loads WeasyPrint while
the year is read and the documents assembled) and hands each one its document as soon as it is
assembled, so that the PDF work overlaps the rest of the build. A worker is
``python -m esgledger.report.pdf``: it imports WeasyPrint and nothing else of esgledger (a
``multiprocessing`` child would import the parent's main module: the whole CLI or server).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from esgledger.errors import EsgLedgerError
from esgledger.report.whole import written_whole

WORKER = (sys.executable, "-m", "esgledger.report.pdf")


def write_pdf(html: str, path: Path, base: Path | None = None) -> Path:
    """The PDF of the document (WeasyPrint, print media: pages, running headers, page numbers,
    contents with page numbers; fonts, Noto CJK included, embedded as subsets); relative links
    resolved from ``base`` (by default the PDF's folder)."""
    from weasyprint import HTML  # imported here: loading pango takes a moment

    HTML(string=html, base_url=str(base or path.parent)).write_pdf(str(path))
    return path


@dataclass
class _Handed:
    worker: subprocess.Popen[bytes]
    written: Path  # where the worker writes the PDF (in the writers' temporary folder)
    path: Path


class PdfWriters:
    """Writes up to ``workers`` PDFs in worker processes started now (none without a second
    core); documents beyond them are written in this process. A context manager: ``submit``
    returns at once; ``results`` yields the paths in the order submitted, as they are written.
    A PDF is written in a temporary folder and moved to its path once whole: a failed or ended
    worker leaves no partial PDF behind."""

    def __init__(self, workers: int = 2) -> None:
        count = min(workers, 2) if (os.cpu_count() or 1) >= 2 else 0
        self._folder = tempfile.TemporaryDirectory(prefix="esgledger-pdf-")
        self._idle = [
            subprocess.Popen(
                WORKER,
                stdin=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(count)
        ]
        self._pending: list[_Handed | tuple[str, Path]] = []
        self._numbers = itertools.count()

    def __enter__(self) -> PdfWriters:
        return self

    def submit(self, html: str, path: Path) -> None:
        if not self._idle:
            self._pending.append((html, path))
            return
        worker = self._idle.pop(0)
        document = self._temporary(".html")
        document.write_text(html, encoding="utf-8")
        written = self._temporary(".pdf")
        assert worker.stdin is not None
        try:
            worker.stdin.write(f"{document}\n{written}\n{path.parent.resolve()}\n".encode())
            worker.stdin.close()
        except BrokenPipeError:  # the worker has ended: ``results`` names its error
            pass
        self._pending.append(_Handed(worker, written, path))

    @property
    def waiting(self) -> list[Path]:
        """The PDFs handed over and not yet collected."""
        return [h.path if isinstance(h, _Handed) else h[1] for h in self._pending]

    def results(self) -> Iterator[Path]:
        """Wait for every PDF; yields the paths in the order submitted, as they are written."""
        while self._pending:
            handed = self._pending.pop(0)
            if isinstance(handed, tuple):
                html, path = handed
                yield _moved(write_pdf(html, self._temporary(".pdf"), path.parent), path)
                continue
            errors = _finish(handed.worker)
            if handed.worker.returncode != 0 or not handed.written.is_file():
                detail = errors.decode("utf-8", "replace").strip().splitlines()[-1:]
                reason = detail[0] if detail else f"the worker ended ({handed.worker.returncode})"
                raise EsgLedgerError(f"the PDF {handed.path.name} was not written: {reason}")
            yield _moved(handed.written, handed.path)

    def _temporary(self, suffix: str) -> Path:
        return Path(self._folder.name) / f"{next(self._numbers)}{suffix}"

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        workers = self._idle + [h.worker for h in self._pending if isinstance(h, _Handed)]
        self._idle, self._pending = [], []
        for worker in workers:  # not needed (fewer documents than workers) or abandoned
            worker.kill()
            _finish(worker)
        self._folder.cleanup()


def _moved(written: Path, path: Path) -> Path:
    """The PDF moved from the temporary folder to ``path`` (whole: copied beside it first when
    the folders are on different file systems)."""
    try:
        try:
            os.replace(written, path)
        except OSError:
            written_whole(path, lambda whole: shutil.copyfile(written, whole))
    except OSError as exc:
        raise EsgLedgerError(f"the PDF {path.name} was not written: {exc}") from exc
    return path


def _finish(worker: subprocess.Popen[bytes]) -> bytes:
    """Wait for the worker to end; what it wrote on stderr."""
    if worker.stdin is not None and not worker.stdin.closed:
        worker.stdin.close()
    assert worker.stderr is not None
    errors = worker.stderr.read()
    worker.stderr.close()
    worker.wait()
    return errors


def _work() -> None:
    """A worker: load WeasyPrint, then read from stdin the paths of the document, of the PDF to
    write and of the folder its relative links are resolved from."""
    import weasyprint  # noqa: F401 - loaded while the parent assembles the document

    lines = sys.stdin.read().splitlines()
    if len(lines) != 3:  # the parent needed no PDF of this worker
        os._exit(0)
    write_pdf(Path(lines[0]).read_text(encoding="utf-8"), Path(lines[1]), Path(lines[2]))
    sys.stderr.flush()
    os._exit(0)  # skip freeing the layout's objects one by one at exit (about half a second)


if __name__ == "__main__":
    _work()
