"""The line chart of a target's trajectory against actuals (``chart_kinds.lines``): each line's
last value is written where no other line runs through it, and a value two lines end on together
is written once (a new user saw the actuals' last value printed over the dashed trajectory)."""

from __future__ import annotations

from esgledger.report import chart_kinds
from esgledger.report.charts import Chart, Text, line_ticks
from esgledger.report.svg import text_width

YEARS = [2022, 2023, 2024, 2025]


def _chart(planned: list[float | None], actual: list[float | None]) -> tuple[Chart, list[str]]:
    series = [("Target trajectory", planned, True), ("Actual", actual, False)]
    chart, paths = chart_kinds.lines("Energy intensity", YEARS, series, "tce/RMB 10k")
    return chart, [points for points, _colour, _dashed in paths]


def _labels(chart: Chart) -> list[Text]:
    return [text for text in chart.texts if text.css == "point"]


def _crosses(label: Text, polyline: str) -> bool:
    """Whether the polyline passes through the label's box (11 px type)."""
    width = text_width(label.text, 11)
    left = {"start": label.x, "middle": label.x - width / 2, "end": label.x - width}[label.anchor]
    points = [tuple(map(float, pair.split(","))) for pair in polyline.split()]
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        for step in range(21):
            x = left + width * step / 20
            if x1 <= x <= x2:
                y = y1 + (y2 - y1) * (x - x1) / ((x2 - x1) or 1.0)
                if label.y - 9 <= y <= label.y + 2:
                    return True
    return False


def test_the_last_actual_is_not_written_over_the_trajectory() -> None:
    chart, paths = _chart([0.667, None, None, 0.577], [0.667, 0.641, 0.616, None])
    labels = {label.text: label for label in _labels(chart)}
    assert set(labels) == {"0.616", "0.577"}
    assert not _crosses(labels["0.616"], paths[0])  # the dashed trajectory
    assert not _crosses(labels["0.616"], paths[1])  # its own line
    assert labels["0.577"].anchor == "start"  # nothing else at the trajectory's end: its right


def test_an_actual_below_the_trajectory_is_written_below_its_point() -> None:
    chart, paths = _chart([0.667, None, None, 0.577], [0.667, 0.671, 0.596, None])
    label = next(label for label in _labels(chart) if label.text == "0.596")
    point = next(r for r in chart.rects if (r.title or "").endswith("2024: 0.596"))
    assert label.y > point.y and not _crosses(label, paths[0])


def test_two_lines_ending_on_the_same_value_write_it_once() -> None:
    chart, _paths = _chart([0.667, 0.637, 0.607, 0.577], [0.667, 0.641, 0.616, 0.577])
    assert [label.text for label in _labels(chart)] == ["0.577"]


def test_a_line_chart_of_close_values_starts_below_the_smallest() -> None:
    assert line_ticks([0.667, 0.641, 0.616, 0.577]) == [0.55, 0.575, 0.6, 0.625, 0.65, 0.675]
    assert line_ticks([13703, 13590, 13550, 13350]) == [13300, 13400, 13500, 13600, 13700, 13800]


def test_a_line_chart_of_spread_or_signed_values_starts_at_zero() -> None:
    assert line_ticks([10, 20, 30]) == [0, 10, 20, 30]  # the smallest under half the largest
    assert line_ticks([0.0, 1.2, 0.8]) == [0.0, 0.25, 0.5, 0.75, 1.0, 1.25]
