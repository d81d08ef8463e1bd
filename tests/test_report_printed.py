"""The printed document the PDF is made of: its stylesheet with custom properties written out,
links into screen-only chapters left as text, and PDFs written by worker processes in the order
the documents were handed over, and any report file replaced whole."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from esgledger.errors import EsgLedgerError
from esgledger.report import annex, pdf
from esgledger.report.full.document import (
    resolve_custom_properties,
    stylesheet,
    unlink_absent_targets,
)
from esgledger.report.pdf import PdfWriters
from esgledger.report.whole import written_whole


def test_custom_properties_are_written_out_and_the_root_rule_dropped() -> None:
    css = ":root {\n  --ink: #1c2429;\n  --rule: #cfd8dc;\n}\np { color: var(--ink); }\n"
    css += "td { border-bottom: 1px solid var(--rule); color: var(--ink) }"

    resolved = resolve_custom_properties(css)

    assert "var(" not in resolved and ":root" not in resolved
    assert "p { color: #1c2429; }" in resolved
    assert "td { border-bottom: 1px solid #cfd8dc; color: #1c2429 }" in resolved


def test_a_property_root_does_not_declare_is_named() -> None:
    with pytest.raises(ValueError, match="--missing"):
        resolve_custom_properties(":root { --ink: #000; }\np { color: var(--missing); }")


def test_the_report_stylesheet_has_no_custom_property_left() -> None:
    css = str(stylesheet())
    assert "var(--" not in css
    assert "@page" in css and "#1f4e5f" in css  # the print rules and the accent colour


def test_links_to_anchors_the_document_lacks_become_text_with_their_class() -> None:
    html = (
        '<h2 id="sec-energy">Energy</h2>'
        '<td><a href="#a-energy.total-2024">2,501,524</a></td>'
        '<td><a class="missing gap" href="#a-ghg.scope3-2024">not computed</a></td>'
        '<p><a href="#sec-energy">Energy</a></p>'
    )

    printed = unlink_absent_targets(html)

    assert "<td><span>2,501,524</span></td>" in printed
    assert '<span class="missing gap">not computed</span>' in printed
    assert '<a href="#sec-energy">Energy</a>' in printed  # its anchor is in the document


def _document(title: str) -> str:
    return f"<html><body><h1>{title}</h1><p>碳排放 {title}</p></body></html>"


@pytest.mark.parametrize("workers", [2, 0])
def test_pdfs_come_back_in_the_order_handed_over(tmp_path: Path, workers: int) -> None:
    paths = [tmp_path / "first.pdf", tmp_path / "second.pdf"]
    with PdfWriters(workers) as pdfs:
        for path in paths:
            pdfs.submit(_document(path.stem), path)
        written = list(pdfs.results())

    assert written == paths
    for path in paths:
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert path.stem in text and "碳排放" in text


def test_a_pdf_a_worker_could_not_write_is_named(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "report.pdf"  # the worker cannot create it
    with PdfWriters(1) as pdfs:
        pdfs.submit(_document("x"), target)
        with pytest.raises(EsgLedgerError, match="report.pdf was not written"):
            list(pdfs.results())


def test_workers_left_without_a_document_are_ended(tmp_path: Path) -> None:
    with PdfWriters(2) as pdfs:
        workers = list(pdfs._idle)
        pdfs.submit(_document("only"), tmp_path / "only.pdf")
        assert list(pdfs.results()) == [tmp_path / "only.pdf"]
    assert len(workers) == 2
    assert all(worker.poll() is not None for worker in workers)


def _fake_worker(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    """Workers that run ``code`` (a Python script) in place of ``esgledger.report.pdf``."""
    monkeypatch.setattr(pdf, "WORKER", (sys.executable, "-c", code))


HALF_THEN_FAIL = """
import sys
written = sys.stdin.read().splitlines()[1]  # the document, the PDF, the base folder
open(written, "wb").write(b"%PDF-1.7 half")
sys.exit("weasyprint: the layout failed")
"""


def test_a_failing_worker_leaves_no_half_written_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_worker(monkeypatch, HALF_THEN_FAIL)
    target = tmp_path / "report.pdf"
    with PdfWriters(1) as pdfs:
        folder = Path(pdfs._folder.name)
        pdfs.submit(_document("x"), target)
        with pytest.raises(EsgLedgerError, match="report.pdf was not written: weasyprint: the"):
            list(pdfs.results())
    assert not target.exists() and list(tmp_path.iterdir()) == []
    assert not folder.exists()  # the documents and half PDFs handed over are removed


def test_a_worker_that_ended_before_its_document_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_worker(monkeypatch, "import sys; sys.exit('no module named weasyprint')")
    with PdfWriters(1) as pdfs:
        (worker,) = pdfs._idle
        worker.wait(30)  # ended: handing it the document meets a closed pipe
        pdfs.submit(_document("x") * 20000, tmp_path / "report.pdf")
        with pytest.raises(EsgLedgerError, match="report.pdf was not written: no module named"):
            list(pdfs.results())


HALF_THEN_WAIT = """
import sys, time
written = sys.stdin.read().splitlines()[1]  # the document, the PDF, the base folder
open(written, "wb").write(b"%PDF-1.7 half")
time.sleep(60)
"""


def test_a_worker_abandoned_mid_pdf_is_ended_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_worker(monkeypatch, HALF_THEN_WAIT)
    target = tmp_path / "report.pdf"
    with pytest.raises(RuntimeError, match="the annex failed"), PdfWriters(1) as pdfs:
        (worker,) = pdfs._idle
        pdfs.submit(_document("x"), target)
        deadline = time.monotonic() + 30
        while not (target.exists() or any(Path(pdfs._folder.name).glob("*.pdf"))):
            assert time.monotonic() < deadline, "the worker never began its PDF"
            time.sleep(0.02)
        raise RuntimeError("the annex failed")  # the build fails while the PDF is written
    assert worker.poll() is not None  # ended, not left running
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_a_report_file_is_replaced_whole_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "esgledger-full-report-2024-en.html"
    path.write_text("the report as last built", encoding="utf-8")

    def cut_short(partial: Path) -> None:  # the disk fills up halfway
        partial.write_text("<html><body>half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        written_whole(path, cut_short)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    assert path.read_text(encoding="utf-8") == "the report as last built"
    written_whole(path, lambda partial: partial.write_text("rebuilt", encoding="utf-8"))
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    assert path.read_text(encoding="utf-8") == "rebuilt"


def test_an_annex_that_could_not_be_saved_leaves_the_last_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = tmp_path / "esgledger-annex-2024-en.xlsx"
    last.write_bytes(b"PK the annex as last built")

    class CutShort:
        def save(self, path: Path) -> None:
            Path(path).write_bytes(b"PK half")
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(annex, "annex_workbook", lambda *args: CutShort())
    context, strings = SimpleNamespace(year="2024"), SimpleNamespace(lang="en")
    with pytest.raises(OSError, match="No space left"):
        annex.write_annex(context, None, strings, tmp_path)  # type: ignore[arg-type]
    assert [p.name for p in tmp_path.iterdir()] == [last.name]
    assert last.read_bytes() == b"PK the annex as last built"
