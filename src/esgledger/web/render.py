"""Pages and their JSON twins: one context, rendered as HTML (Jinja2, autoescaped) or as JSON.

A request wants JSON when its path ends in ``.json`` or it accepts ``application/json`` and not
``text/html``. Every page's data is a plain JSON-able dict; the HTML adds the page chrome (strings,
navigation, CSRF token) around it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request

from esgledger.domain import Entity
from esgledger.i18n import HTML_LANG, Strings
from esgledger.report.formatting import format_number, format_precise, unit_label
from esgledger.services import may
from esgledger.services.organisation import Catalogue
from esgledger.units import UNIT_ALIASES, UnitError, canonical_unit_text, parse_unit
from esgledger.web.contexts import Chrome, NavItem
from esgledger.web.session import Viewer, language, local_path, service

TEMPLATES = Path(__file__).with_name("templates")
# (page, path, action the policy must allow for the link to be shown, group); the pages of a
# group share one menu of the navigation bar (the assessment's six pages under "Assessment")
NAVIGATION = [
    ("dashboard", "/dashboard", "period.read", None),
    ("entry", "/entry", "datapoint.create", None),
    ("imports", "/imports", "datapoint.create", None),  # data owners import files of their own
    ("review", "/review", "datapoint.approve", None),
    ("values", "/values", "calc.read", None),
    ("periods", "/periods", "period.read", None),
    ("targets", "/assess/targets", "target.read", "assess"),
    ("materiality", "/assess/materiality", "materiality.read", "assess"),
    ("stakeholders", "/assess/stakeholders", "materiality.read", "assess"),
    ("governance", "/assess/governance", "governance.read", "assess"),
    ("policies", "/assess/policies", "policy.read", "assess"),
    ("topics", "/assess/topics", "topic.read", "assess"),
    ("reports", "/reports", "report.read", None),
    ("sections", "/reports/sections", "report.read", None),
    ("disclose", "/disclose/coverage", "disclose.read", None),
    ("qa", "/qa", "qa.justification.read", None),
    ("settings", "/settings", "period.read", None),
    ("audit", "/audit", "audit.read", None),
    ("users", "/users", "user.admin", None),
]


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = format_number
    env.filters["precise"] = format_precise
    env.filters["pct"] = percent
    env.filters["plain"] = plain
    env.filters["size"] = file_size
    from esgledger.web.messages import localize  # the messages import this module

    env.globals["localize"] = localize
    return env


def percent(ratio: float | None) -> str:
    """A signed change in percent (+12%), or a dash when unknown."""
    return "–" if ratio is None else f"{ratio * 100:+.0f}%"


def plain(value: float | None) -> str:
    """A number as typed into a field: shortest exact form, no separators (1000, 0.25)."""
    if value is None:
        return ""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / 1024 / 1024:.1f} MiB"


def wants_json(request: Request) -> bool:
    if request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


@lru_cache(maxsize=2048)
def unit_name(unit: str, lang: str) -> str:
    """``m3`` and ``m**3`` as m³, ``万立方米`` as 10⁴ m³ or 万立方米, ``percent`` as %,
    ``吨标准煤/万元`` as tce/RMB 10k or 吨标准煤/万元: the report's labels (``unit.*`` in
    report/i18n.yaml). A unit the table does not know is shown in pint's short spelling rather
    than its internal one (``kilowatt_hour`` as kWh)."""
    label = unit_label(registry_spelling(unit), Strings(lang)) or unit
    if not INTERNAL_SPELLING.search(label):
        return label
    try:
        return f"{parse_unit(unit):~P}" or label
    except UnitError:
        return label


INTERNAL_SPELLING = re.compile(r"_|\*\*")


def registry_spelling(unit: str) -> str:
    """The registry spelling of each part of ``unit`` (``吨标准煤/万元`` -> ``tce/wan_RMB``);
    a bracketed denominator (``kgCO2e/(t*km)``) is kept as written."""
    text = unit.strip()
    if "/" not in text or text in UNIT_ALIASES:
        return canonical_unit_text(text)
    numerator, denominator = (part.strip() for part in text.split("/", 1))
    if not denominator.startswith("("):
        denominator = registry_spelling(denominator)
    return f"{canonical_unit_text(numerator)}/{denominator}"


@dataclass
class Names:
    """Display names in the page language: metrics, groups, entities, units."""

    lang: str
    catalogue: Catalogue
    entities: dict[str, Entity]

    def metric(self, metric_id: str) -> str:
        return self.catalogue.label(metric_id, self.lang)

    def group(self, group_id: str) -> str:
        names = self.catalogue.groups.get(group_id, {})
        return names.get(self.lang) or names.get("en") or group_id

    def entity(self, entity_id: str) -> str:
        found = self.entities.get(entity_id)
        if found is None:
            return entity_id
        return (found.name_zh or found.name) if self.lang == "zh" else found.name

    def unit(self, unit: str) -> str:
        return unit_name(unit, self.lang)


def names_for(request: Request, viewer: Viewer) -> Names:
    services = service(request)
    entities = {e.id: e for e in services.organisation.entities(viewer.user)}
    return Names(viewer.lang, services.context.catalogue, entities)


def json_url(request: Request) -> str:
    path = request.url.path.rstrip("/") or "/dashboard"
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{path}.json{query}"


def current_page(request: Request) -> str:
    """The page the user is on: this URL, or for an HTMX request the page that made it."""
    if is_htmx(request) and request.headers.get("hx-current-url"):
        shown = urlsplit(request.headers["hx-current-url"])
        return local_path(shown.path + (f"?{shown.query}" if shown.query else ""))
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def chrome(request: Request, viewer: Viewer | None) -> Chrome:
    lang = viewer.lang if viewer else language(request)
    nav: list[NavItem] = []
    if viewer is not None:
        nav = [
            {
                "page": page,
                "href": href,
                "active": request.url.path.startswith(href),
                "group": group,
            }
            for page, href, action, group in NAVIGATION
            if may(viewer.user, action)
        ]
    return {
        "t": Strings(lang),
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "viewer": viewer,
        "csrf_token": viewer.csrf_token if viewer else "",
        "nav": nav,
        "names": names_for(request, viewer) if viewer else None,
        "here": current_page(request),
        "json_url": json_url(request),
        "fragment": is_htmx(request),
    }


def html(
    request: Request,
    template: str,
    data: Mapping[str, Any],
    viewer: Viewer | None,
    status: int = 200,
    extra: Mapping[str, Any] | None = None,
) -> HTMLResponse:
    context = {**chrome(request, viewer), **data, **(extra or {})}
    body = environment().get_template(template).render(**context)
    return HTMLResponse(body, status_code=status)  # headers: esgledger.api.limits.Guard


def render(
    request: Request,
    template: str,
    data: Mapping[str, Any],
    viewer: Viewer | None,
    status: int = 200,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """The page as HTML, or ``data`` as JSON when the request wants JSON."""
    if wants_json(request):
        return JSONResponse(jsonable_encoder(data), status_code=status)
    return html(request, template, data, viewer, status, extra)


def redirect(path: str) -> RedirectResponse:
    """After a successful form post: see the result page (POST, redirect, GET)."""
    return RedirectResponse(path, status_code=303)


def done(request: Request, path: str, data: Mapping[str, Any]) -> Response:
    """The answer to a successful form post: ``data`` as JSON, or a redirect to ``path``."""
    if wants_json(request):
        return JSONResponse(jsonable_encoder(data))
    return redirect(path)
