"""What the materiality service shows besides its records: the matrix as SVG in a language and
the rows of an exported assessment."""

from __future__ import annotations

from typing import Any

from esgledger.assess.materiality import classes
from esgledger.assess.materiality.matrix import Labels, matrix_svg
from esgledger.i18n import Strings
from esgledger.report.chart_inputs import MaterialityData
from esgledger.services.materiality_inputs import gather
from esgledger.services.topics import read_library

EXPORT_HEADER = (
    "topic",
    "name_en",
    "name_zh",
    "sse_article",
    "impact_negative",
    "impact_positive",
    "impact_iros",
    "stakeholders",
    "impact",
    "financial",
    "impact_material",
    "financial_material",
    "computed_class",
    "class",
    "override_reason",
    "explanation",
)


def export_rows(shown: dict[str, Any]) -> list[list[Any]]:
    """The rows of :data:`EXPORT_HEADER` for an assessment as :meth:`Materiality.show` gives it."""
    return [
        [
            t["id"],
            t["names"].get("en"),
            t["names"].get("zh"),
            t["sse_article"] or "",
            *(
                _rounded(t[k])
                for k in (
                    "impact_negative",
                    "impact_positive",
                    "impact_iros",
                    "stakeholders",
                    "impact",
                    "financial",
                )
            ),
            t["impact_material"],
            t["financial_material"],
            t["computed_class"],
            t["class"],
            (t["override"] or {}).get("reason", ""),
            t["explanation"] or "",
        ]
        for t in shown["topics"]
    ]


def _rounded(value: float | None) -> float | str:
    return "" if value is None else round(value, 4)


def matrix(connection: Any, found: dict[str, Any], lang: str, **size: int) -> str:
    """The matrix of an assessment as SVG in ``lang`` (:mod:`esgledger.assess.materiality.matrix`)."""
    library = read_library(connection)
    inputs = gather(connection, found["id"])
    results = classes.compute(inputs)
    t = Strings(lang)
    labels = Labels(
        title=t("materiality.matrix.title", period=found["period"]),
        impact=t("materiality.axis.impact"),
        financial=t("materiality.axis.financial"),
        threshold=t("materiality.threshold"),
        classes={c: t(f"materiality.class.{c}") for c in classes.CLASSES},
    )
    names = {tid: library[tid].name(lang) for tid in results if tid in library}
    return matrix_svg(
        results, names, found["method"]["thresholds"], found["method"]["scale"], labels, **size
    )


def matrix_data(connection: Any, found: dict[str, Any]) -> MaterialityData:
    """The matrix of an assessment as the full report's ``materiality_matrix`` chart reads it
    (:class:`esgledger.report.chart_inputs.MaterialityData`), topic names in both languages."""
    library = read_library(connection)
    results = classes.compute(gather(connection, found["id"]))
    return MaterialityData(
        period=found["period"],
        results=results,
        names={tid: dict(library[tid].names) for tid in results if tid in library},
        thresholds=found["method"]["thresholds"],
        scale=found["method"]["scale"],
    )
