"""Calculated values of a period and the explanation (lineage) of any of them."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from esgledger.i18n import Strings
from esgledger.services import may
from esgledger.services.explain import Text
from esgledger.web.contexts import CalcView, ExplainData, ExplainView, ValuesData
from esgledger.web.lineage_tree import lineage_tree
from esgledger.web.pages.periods import activity_year
from esgledger.web.render import Names, names_for, render, wants_json
from esgledger.web.routing import page, web_router
from esgledger.web.session import ViewerDep, service

router = web_router()


ROLLUP = "own activity + sum of consolidated children x inclusion factor"


class EngineText:
    """What the engine recorded, in the page language: formula descriptions, consolidation
    approach, inclusion and exclusion reasons, notes (:meth:`esgledger.i18n.Strings.note`, the
    metrics, units and entities a note names by their labels). Plain text of lineage stored
    before notes had codes is shown as written."""

    def __init__(self, lang: str, names: Names):
        self.lang = lang
        self.names = names
        self.strings = Strings(lang)

    def formula(self, record: dict[str, Any]) -> str:
        """What the record's formula does: the function's description for a calculated value
        (the engine's expression in English), the roll-up, or how a reported value was read."""
        written = str(record.get("formula") or "")
        if record.get("kind") == "formula":
            return self._calculated(record, written)
        if record.get("how"):
            return self.text(record["how"])
        if self.lang == "en":
            return written
        if written.startswith(ROLLUP):
            eliminated = written != ROLLUP
            return self.strings("formula.rollup_eliminated" if eliminated else "formula.rollup")
        if written == "reported":
            return self.strings("formula.input")
        return written

    def _calculated(self, record: dict[str, Any], function: str) -> str:
        english = str(record.get("expression") or function)
        described = self.strings.get(f"formula.{function}") if self.lang != "en" else None
        shown = described or english
        metric = self.names.catalogue.find(str(record.get("metric")))
        subtracted = metric.formula.params.get("subtract") if metric and metric.formula else None
        if subtracted:  # name what the sum deducts
            less = self.strings.join([self.names.metric(m) for m in subtracted])
            shown = self.strings("formula.subtracted", formula=shown, metrics=less)
        return shown

    def consolidation(self, approach: str) -> str:
        if self.lang == "en":
            return approach
        return self.strings.get(f"option.consolidation.{approach}") or self.reason(approach)

    def reason(self, text: Text) -> str:
        return self.strings.note(text, self.names)

    def excluded(self, entity_id: str, reason: Text) -> str:
        """An entity left out of a roll-up, with the reason (``name: reason``)."""
        return self.strings(
            "kpi.excluded_item", name=self.names.entity(entity_id), reason=self.reason(reason)
        )

    def text(self, text: Text) -> str:
        """A note (or how a reported value was read) in the page language."""
        return self.strings.note(text, self.names)


def anchor(key: str) -> str:
    return "r-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)


@page(router, "/values")
def values(request: Request, viewer: ViewerDep, period: str | None = None) -> Response:
    services = service(request)
    chosen = services.collection.choose_period(viewer.user, period)
    data: ValuesData = {
        "period": chosen,
        "values": services.calculation.values(viewer.user, chosen),
        "gaps": services.calculation.gaps(viewer.user, chosen),
    }
    view: CalcView = {
        "can_calc": may(viewer.user, "calc.run"),
        "activity_year": activity_year(chosen),
    }
    return render(request, "values.html.j2", data, viewer, extra=view)


@page(router, "/explain/{metric}/{entity}/{period}")
def explain(request: Request, viewer: ViewerDep, metric: str, entity: str, period: str) -> Response:
    tree = service(request).explain.explain(viewer.user, metric, entity, period)
    records = tree["records"]
    data: ExplainData = {
        "root": tree["root"],
        "records": list(records.values()),
        "reported": tree.get("reported"),
        "difference": tree.get("difference"),
        "gap": tree.get("gap"),
    }
    if wants_json(request):
        return render(request, "explain.html.j2", data, viewer)
    if data["gap"] is not None:
        engine = EngineText(viewer.lang, names_for(request, viewer))
        return render(request, "not_computed.html.j2", data, viewer, extra={"engine": engine})
    view: ExplainView = {
        "engine": EngineText(viewer.lang, names_for(request, viewer)),
        "tree": lineage_tree(tree["root"], records),
        "anchors": {k: anchor(k) for k in records},
    }
    return render(request, "explain.html.j2", data, viewer, extra=view)
