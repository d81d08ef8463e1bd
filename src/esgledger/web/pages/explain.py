"""Calculated values of a period and the explanation (lineage) of any of them."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from esgledger.calc.lineage import referenced_keys
from esgledger.web.extras import may
from esgledger.web.progress import choose_period
from esgledger.web.render import render
from esgledger.web.routing import page, web_router
from esgledger.web.session import ViewerDep, service

router = web_router()


def anchor(key: str) -> str:
    return "r-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)


def ordered(root: str, records: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The records from the root down, each once, breadth first."""
    seen: list[str] = []
    frontier = [root]
    while frontier:
        following: list[str] = []
        for key in frontier:
            if key in records and key not in seen:
                seen.append(key)
                following.extend(referenced_keys(records[key]))
        frontier = following
    return [records[k] for k in seen]


@page(router, "/values")
def values(request: Request, viewer: ViewerDep, period: str | None = None) -> Response:
    collab = service(request)
    chosen = choose_period(collab, viewer.user, period)
    data = {"period": chosen, "values": collab.calc_values(viewer.user, chosen)}
    extra = {"can_calc": may(viewer.user, "calc.run")}
    return render(request, "values.html.j2", data, viewer, extra=extra)


@page(router, "/explain/{metric}/{entity}/{period}")
def explain(request: Request, viewer: ViewerDep, metric: str, entity: str, period: str) -> Response:
    tree = service(request).explain(viewer.user, metric, entity, period)
    data = {"root": tree["root"], "records": ordered(tree["root"], tree["records"])}
    extra = {"anchors": {k: anchor(k) for k in tree["records"]}}
    return render(request, "explain.html.j2", data, viewer, extra=extra)
