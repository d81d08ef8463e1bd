"""The demo's full report as PDF and HTML: pages rendered to PNG and read back. Chinese glyphs are
drawn from an embedded CJK font; no table is wider than the page; the contents' page numbers
point to the pages holding their chapters; DRAFT on every page of a report of an unlocked period;
a final report (period locked, every value approved) is recorded with its files' SHA-256."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from rich.console import Console

from esgledger.catalogue import load_catalogue
from esgledger.demo import run_demo
from esgledger.ledger import report_builds
from esgledger.report.full.build import outline_for
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import World

DPI = 40
MM = DPI / 25.4
PAGE_MARGIN_MM = 16  # full.css @page: left and right margins


@dataclass
class Built:
    out: Path
    files: dict[str, Path]  # "en.pdf" -> path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("full-demo")
    paths = run_demo(out, console=Console(file=io.StringIO()))
    files = {}
    for path in paths:
        match = re.search(r"full-report-2024-(en|zh)\.(html|pdf)$", path.name)
        if match:
            files[f"{match.group(1)}.{match.group(2)}"] = path
    assert sorted(files) == ["en.html", "en.pdf", "zh.html", "zh.pdf"]
    return Built(out, files)


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def test_chinese_glyphs_come_from_an_embedded_cjk_font(demo: Built) -> None:
    fonts = subprocess.run(
        ["pdffonts", str(demo.files["zh.pdf"])], capture_output=True, text=True, check=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes yes " in line for line in cjk)  # embedded, subset
    pages = _pages(demo.files["zh.pdf"])
    assert "应对气候变化与能源" in "".join(pages)  # a chapter title, extracted as text
    assert "\ufffd" not in "".join(pages)  # no glyph without its character


def test_no_table_or_figure_reaches_past_the_page_margins(demo: Built, tmp_path: Path) -> None:
    for lang in ("en", "zh"):
        prefix = tmp_path / lang
        subprocess.run(
            ["pdftoppm", "-r", str(DPI), "-png", str(demo.files[f"{lang}.pdf"]), str(prefix)],
            check=True,
        )
        images = sorted(tmp_path.glob(f"{lang}-*.png"))
        assert len(images) > 12
        for image_path in images:
            image = Image.open(image_path).convert("L")
            width, height = image.size
            band = int((PAGE_MARGIN_MM - 2) * MM)
            for box in ((0, 0, band, height), (width - band, 0, width, height)):
                darkest = image.crop(box).getextrema()[0]
                assert darkest > 200, f"{image_path.name}: ink in the side margin {box}"


def test_contents_page_numbers_point_to_their_chapters(demo: Built) -> None:
    for lang in ("en", "zh"):
        pages = _pages(demo.files[f"{lang}.pdf"])
        contents = pages[1]
        entries = re.findall(r"^\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$", contents, re.MULTILINE)
        assert len(entries) >= 20, contents
        for title, number in entries:
            page = pages[int(number) - 1]
            assert title.replace(" ", "") in page.replace(" ", ""), (lang, title, number)


def test_index_entries_carry_the_page_of_the_section_they_point_to(demo: Built) -> None:
    outline = outline_for(load_catalogue())
    titles = sorted({s.title["en"] for s in outline.sections()}, key=len, reverse=True)
    pages = _pages(demo.files["en.pdf"])
    index = [p for p in pages if "Content Indexes" in p.split("\n", 1)[0]]
    found = []
    for page in index:
        for title in titles:
            found += [(title, int(n)) for n in re.findall(re.escape(title) + r" p\. (\d+)", page)]
    assert len(found) >= 10, found
    for title, number in found:
        assert title in pages[number - 1], (title, number)


def test_an_unlocked_period_s_report_says_draft_on_every_page(demo: Built) -> None:
    for lang, word in (("en", "DRAFT"), ("zh", "草稿")):
        pages = _pages(demo.files[f"{lang}.pdf"])
        assert all(word in page for page in pages), lang
        html = demo.files[f"{lang}.html"].read_text(encoding="utf-8")
        assert '<div class="draft-mark" role="note"' in html and word in html


def test_the_html_is_self_contained_and_keeps_the_appendix(demo: Built) -> None:
    html = demo.files["en.html"].read_text(encoding="utf-8")
    assert "<link" not in html and "<script" not in html and 'src="http' not in html
    assert 'id="ch-appendix"' in html and "<svg" in html
    assert 'id="sec-ghg-emissions"' in html and 'data-metric="ghg.scope1"' in html
    pdf_text = "".join(_pages(demo.files["en.pdf"]))
    assert "How Each Figure Was Computed" not in pdf_text  # hundreds of pages: the HTML's


def test_a_locked_approved_period_gives_a_final_report_recorded_with_its_hashes(
    world: World, tmp_path: Path
) -> None:
    services, manager, owner = world.services, world.user("manager"), world.user("owner_a")
    point = services.datapoints.create(owner, Entry("plant_a", "2024", "energy.diesel", 12, "t"))
    services.datapoints.submit(owner, point.id, 1)
    services.datapoints.approve(manager, point.id, 1)
    services.calculation.run(manager, "2024")
    draft = services.report_content.build(manager, "2024", tmp_path / "draft", ("en",), ("html",))
    assert draft["draft"] == ["the period 2024 is not locked"] and not draft["recorded"]
    services.periods.lock(manager, "2024", "published")
    final = services.report_content.build(
        manager, "2024", tmp_path / "final", ("en",), ("html", "xlsx")
    )
    assert final["draft"] == [] and final["recorded"]
    file, annex = final["files"]
    html = Path(file["path"]).read_text(encoding="utf-8")
    assert '<div class="draft-mark"' not in html and "DRAFT" not in html.split("</style>")[1]
    assert annex["file_name"] == "esgledger-annex-2024-en.xlsx"
    with services.db.reading() as connection:
        for recorded, kind in ((file, "en.html"), (annex, "en.xlsx")):
            record = report_builds.latest_build(connection, "2024", kind)
            assert record is not None, kind
            digest = hashlib.sha256(Path(recorded["path"]).read_bytes()).hexdigest()
            assert record["sha256"] == digest


def test_the_demo_report_reads_as_the_group_s_own_text_with_charts_of_its_data(
    demo: Built,
) -> None:
    """The demo imports the group's own texts (esgledger.demo.data.sections): no template prompt
    is left, every placeholder was rendered, and the waste and workforce charts draw bars."""
    for lang in ("en", "zh"):
        html = demo.files[f"{lang}.html"].read_text(encoding="utf-8")
        text = "".join(_pages(demo.files[f"{lang}.pdf"]))
        for prompt in ("[Describe", "[Explain", "【说明", "Template text", "模板文字", "{{"):
            assert prompt not in html and prompt not in text, (lang, prompt)
        for ident in ("ch-waste", "ch-workforce-gender", "ch-workforce-age_band", "ch-water"):
            found = re.search(
                rf'<svg[^>]*aria-labelledby="{ident}-t[^"]*"[^>]*>(.*?)</svg>', html, re.S
            )
            assert found, (lang, ident)
            bars = re.findall(r'<rect [^>]*width="([\d.]+)"[^>]*height="([\d.]+)"', found.group(1))
            drawn = [b for b in bars if float(b[0]) > 1 and float(b[1]) > 12]  # not the legend
            assert len(drawn) >= 2, (lang, ident, bars)
        assert 'class="chart-title"' in html
    english = "".join(_pages(demo.files["en.pdf"]))
    assert "Employees by gender, 2024" in english and "Waste by treatment, 2024" in english
    assert "The content index is not available" not in english
