"""The full report's targets table, laid out by WeasyPrint with the report's stylesheet: a target
value with a long unit ("0.500 per million hours worked", "1,976,054 吨二氧化碳当量") wraps inside
its column instead of running over the target year beside it."""

from __future__ import annotations

from typing import Any

import pytest
from weasyprint import HTML

from esgledger.report.full.document import stylesheet

HEADINGS = ("Baseline", "Latest", "Target", "Target year", "Progress")


def _text_boxes(box: Any, found: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    if getattr(box, "text", None):
        found.append((box.text, box.position_x, box.position_x + box.width))
    for child in getattr(box, "children", None) or []:
        _text_boxes(child, found)
    return found


@pytest.mark.parametrize(
    ("goal", "year"),
    [("0.500 per million hours worked", "2025"), ("1,976,054 吨二氧化碳当量", "2030")],
)
def test_a_long_target_value_stays_left_of_its_target_year(goal: str, year: str) -> None:
    head = "".join(f'<th scope="col" class="num">{h}</th>' for h in HEADINGS)
    row = (
        '<tr><th scope="row">LTIFR below 0.5</th><td class="num">2,822,935 (2022)</td>'
        f'<td class="num">3,036,380 (2024)</td><td class="num">{goal}</td>'
        f'<td class="num">{year}</td><td class="num">-206%</td><td>Off track</td></tr>'
    )
    html = (
        f"<html><head><style>{stylesheet()}</style></head><body><div class='full-report'>"
        f"<table class='data targets-table'><thead><tr><th>Target</th>{head}<th>Status</th>"
        f"</tr></thead><tbody>{row}</tbody></table></div></body></html>"
    )
    page = HTML(string=html).render().pages[0]
    boxes = _text_boxes(page._page_box, [])
    year_left = min(left for text, left, _right in boxes if text == year)
    goal_right = max(right for text, _left, right in boxes if text.strip() in goal)
    assert goal_right <= year_left, (goal_right, year_left, boxes)
