"""Calculated values of a period and the explanation (lineage) of any of them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from esgledger.report.i18n import Strings as ReportStrings
from esgledger.services import may
from esgledger.web.render import Names, names_for, render, unit_name, wants_json
from esgledger.web.routing import page, web_router
from esgledger.web.session import ViewerDep, service

router = web_router()


ROLLUP = "own activity + sum of consolidated children x inclusion factor"


class EngineText:
    """The engine's English texts of a lineage record in the page language: formula
    descriptions, consolidation approach, inclusion and exclusion reasons, notes. English pages
    show them as written; a text that is not known is shown as written (in English)."""

    def __init__(self, lang: str, names: Names):
        self.lang = lang
        self.names = names
        self.strings = ReportStrings(lang)
        # placeholder -> how its matched value is shown (metric ids by name, units by label)
        self.values: dict[str, Callable[[str], str]] = {
            "metric": names.metric,
            "unit": lambda unit: unit_name(unit, lang),
            "method": lambda m: self.strings.option_value("method", m),
            "series": lambda s: self.strings.option_value("series", s),
        }

    def formula(self, record: dict[str, Any]) -> str:
        """What the record's formula does: the function's description for a calculated value
        (the engine's expression in English), the roll-up, or how a reported value was read."""
        written = str(record.get("formula") or "")
        if record.get("kind") == "formula":
            return self._calculated(record, written)
        if self.lang == "en":
            return written
        if written.startswith(ROLLUP):
            eliminated = written != ROLLUP
            return self.strings("formula.rollup_eliminated" if eliminated else "formula.rollup")
        if written == "reported":
            return self.strings("formula.input")
        return self.text(written)

    def _calculated(self, record: dict[str, Any], function: str) -> str:
        english = str(record.get("expression") or function)
        described = self.strings.get(f"formula.{function}") if self.lang != "en" else None
        shown = described or english
        metric = self.names.catalogue.metrics.get(str(record.get("metric")))
        subtracted = metric.formula.params.get("subtract") if metric and metric.formula else None
        if subtracted:  # name what the sum deducts
            less = self.strings.join([self.names.metric(m) for m in subtracted])
            shown = self.strings("formula.subtracted", formula=shown, metrics=less)
        return shown

    def consolidation(self, approach: str) -> str:
        if self.lang == "en":
            return approach
        return self.strings.get(f"option.consolidation.{approach}") or self.reason(approach)

    def reason(self, text: str) -> str:
        return text if self.lang == "en" else self.strings.reason(text)

    def excluded(self, entity_id: str, reason: str) -> str:
        """An entity left out of a roll-up, with the reason (``name: reason``)."""
        return self.strings(
            "kpi.excluded_item", name=self.names.entity(entity_id), reason=self.reason(reason)
        )

    def text(self, text: str) -> str:
        """A note (or how a reported value was read) in the page language."""
        if self.lang == "en":
            return text
        return self.strings.note(text, lambda name, value: self.values.get(name, str)(value))


def anchor(key: str) -> str:
    return "r-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)


@page(router, "/values")
def values(request: Request, viewer: ViewerDep, period: str | None = None) -> Response:
    services = service(request)
    chosen = services.collection.choose_period(viewer.user, period)
    data = {"period": chosen, "values": services.calculation.values(viewer.user, chosen)}
    extra = {"can_calc": may(viewer.user, "calc.run")}
    return render(request, "values.html.j2", data, viewer, extra=extra)


@page(router, "/explain/{metric}/{entity}/{period}")
def explain(request: Request, viewer: ViewerDep, metric: str, entity: str, period: str) -> Response:
    tree = service(request).explain.explain(viewer.user, metric, entity, period)
    data = {"root": tree["root"], "records": list(tree["records"].values())}
    extra: dict[str, Any] = {"anchors": {k: anchor(k) for k in tree["records"]}}
    if not wants_json(request):
        extra["engine"] = EngineText(viewer.lang, names_for(request, viewer))
    return render(request, "explain.html.j2", data, viewer, extra=extra)
