"""The Reports page lists each year's full report as last built (a new user looked for it there and
found only the KPI book), on SQLite and PostgreSQL: its HTML, PDF and XLSX files with download
links, a link to *Report texts* where it is edited and built, the KPI book's columns named as such,
the assurance pack offered once the full report exists; in English and Chinese, and in the JSON
twin."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.collab_fixtures import World


def test_the_full_report_is_on_the_reports_page(
    world: World, browse: dict[str, TestClient]
) -> None:
    manager = browse["manager"]
    before = manager.get("/reports.json").json()
    assert {r["period"]: r["full"] for r in before["reports"]}["2023"] == []
    folder = world.services.context.reports_dir / "2023-full"
    folder.mkdir(parents=True)
    names = ["esgledger-full-report-2023-en.pdf", "esgledger-annex-2023-zh.xlsx"]
    for name in names:
        (folder / name).write_bytes(b"x" * 2048)
    (folder / "notes.txt").write_text("not a report file")
    shown = manager.get("/reports.json").json()
    (row,) = [r for r in shown["reports"] if r["period"] == "2023"]
    assert [f["file_name"] for f in row["full"]] == sorted(names)
    html = manager.get("/reports").text
    assert 'href="/reports/full/2023/esgledger-full-report-2023-en.pdf"' in html
    assert 'href="/reports/sections?period=2023"' in html and "notes.txt" not in html
    assert "KPI book, English" in html and 'id="assurance-2023"' in html
    downloaded = manager.get("/reports/full/2023/esgledger-annex-2023-zh.xlsx")
    assert downloaded.status_code == 200 and downloaded.content == b"x" * 2048
    chinese = manager.get("/reports", cookies={"esgledger_lang": "zh"}).text
    assert "完整报告" in chinese and "数据册（英文版）" in chinese and "编辑文本并生成" in chinese


def test_the_text_being_edited_is_named_by_its_title(browse: dict[str, TestClient]) -> None:
    manager = browse["manager"]
    page = manager.get("/reports/sections?period=2024&section=water&lang=zh").text
    title = page[page.index('<h2 id="editing-title">') :].split("</h2>")[0]
    assert (
        title.startswith('<h2 id="editing-title">Water ') and "<code>water</code> · 中文" in title
    )
    chinese = manager.get(
        "/reports/sections?period=2024&section=water&lang=en", cookies={"esgledger_lang": "zh"}
    ).text
    assert '<h2 id="editing-title">水资源 ' in chinese and "<code>water</code> · English" in chinese


def test_a_template_stored_unchanged_is_marked_on_the_report_texts_page(
    world: World, browse: dict[str, TestClient]
) -> None:
    from esgledger.report.full.sections import default_text

    shipped = default_text("water", "en")
    assert shipped is not None
    world.services.report_content.save(world.user("manager"), "2024", "water", "en", shipped.text)
    page = browse["manager"].get("/reports/sections?period=2024").text
    assert 'id="template-water-en"' in page and 'id="template-water-zh"' not in page
    chinese = (
        browse["manager"]
        .get("/reports/sections?period=2024", cookies={"esgledger_lang": "zh"})
        .text
    )
    assert "按模板原样保存" in chinese
