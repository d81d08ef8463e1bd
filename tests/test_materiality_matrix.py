"""The materiality matrix stays readable however many topics share a score: numbered points that
never cover each other, and a key naming each number's topic with its scores."""

from __future__ import annotations

import itertools
import re

from esgledger.assess.materiality.matrix import POINT_RADIUS, Labels, matrix_svg, numbered

LABELS = Labels(
    title="Materiality matrix 2024",
    impact="Impact materiality",
    financial="Financial materiality",
    threshold="threshold",
    classes={
        "double": "Double",
        "impact_only": "Impact only",
        "financial_only": "Financial only",
        "not_material": "Not material",
    },
)
SCALE = {"min": 1, "max": 5}
THRESHOLDS = {"impact": 3.0, "financial": 3.0}


def test_topics_with_the_same_scores_are_numbered_points_that_never_overlap() -> None:
    results = {
        f"t{n:02}": {"impact": 2.0, "financial": None, "class": "not_material"} for n in range(12)
    }
    results["climate"] = {"impact": 4.5, "financial": 4.0, "class": "double"}
    names = {topic: f"Topic {topic}" for topic in results}
    svg = matrix_svg(results, names, THRESHOLDS, SCALE, LABELS)
    centres = [
        (float(x), float(y))
        for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="7"', svg)
    ]
    assert len(centres) == len(results)
    for (x1, y1), (x2, y2) in itertools.combinations(centres, 2):
        assert (x1 - x2) ** 2 + (y1 - y2) ** 2 >= (2 * POINT_RADIUS) ** 2 - 1e-6
    # the double-material topic is number 1; each topic is named once in the key, with scores
    assert numbered(results)[0] == "climate"
    assert ">1</text>" in svg and "Topic climate<tspan" in svg and " 4.5 / 4.0<" in svg
    for topic in results:
        assert svg.count(f">Topic {topic}<tspan") == 1
    assert svg.count(" 2.0 / –<") == 12  # no financial score: shown as such, not as 0


def test_the_chart_is_wide_enough_for_its_longest_key_line() -> None:
    long_name = "Labour standards (child and forced labour) in the supply chain of bauxite"
    results = {
        "labour": {"impact": 2.2, "financial": 3.4, "class": "financial_only"},
        "water": {"impact": 3.2, "financial": 1.8, "class": "impact_only"},
    }
    names = {"labour": long_name, "water": "水资源利用"}
    svg = matrix_svg(results, names, THRESHOLDS, SCALE, LABELS)
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))  # type: ignore[union-attr]
    key_x = min(float(x) for x in re.findall(r'<text class="key" x="([\d.]+)"', svg))
    # at 10 px a Latin character is at most about 0.62 em wide: the line ends inside the chart
    assert key_x + 6 + len(f"{long_name} 2.2 / 3.4") * 6.2 <= width
