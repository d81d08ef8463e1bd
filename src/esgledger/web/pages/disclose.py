"""The coverage page ``/disclose/coverage?period=YYYY``: per framework, each item's status
(filters by status and framework), errors first, each with its next steps linked to the page
that does them, with forms to set the period's frameworks, to explain an item or mark it not
applicable, and to withdraw such a declaration. Each post calls one service operation; a refusal shows
the page again with the message naming the field, nothing written."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from esgledger.service_errors import NotFound
from esgledger.services import may
from esgledger.web.contexts_disclose import CoverageData, CoverageView
from esgledger.web.pages.assess_governance import Problem, _attempt, _text
from esgledger.web.render import done, render
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, service

router = web_router()
STATUSES = ["met", "explained", "not_applicable", "not_met"]
# a next step of a finding (services/disclose_steps.py) -> (the action that does it, the page's
# navigation name, its address)
_ENTRY = ("datapoint.create", "entry", "/entry")
_TARGETS = ("target.create", "targets", "/assess/targets")
_GOVERNANCE = ("governance.write", "governance", "/assess/governance")
_MATERIALITY = ("materiality.edit", "materiality", "/assess/materiality")
_SECTION = ("report.section.write", "sections", "/reports/sections?period={period}{section}")
_HERE = "/disclose/coverage?period={period}{ref}"
STEP_PAGES = {
    "value": _ENTRY,
    "breakdown": _ENTRY,
    "targets": _TARGETS,
    "element_metrics_targets": _TARGETS,
    "governance": _GOVERNANCE,
    "element_governance": _GOVERNANCE,
    "materiality": _MATERIALITY,
    "iros": _MATERIALITY,
    "sse_explain": _MATERIALITY,
    "element_strategy": _MATERIALITY,
    "element_management": _MATERIALITY,
    "text": ("report.section.write", "sections", "/reports/sections?period={period}"),
    "untag": _SECTION,
    "untag_claim": _SECTION,
    "explain": ("disclose.write", "disclose", _HERE + "#explain-form"),
    "withdraw_na": ("disclose.write", "disclose", _HERE + "#withdraw-form"),
    "withdraw_explained": ("disclose.write", "disclose", _HERE + "#withdraw-form"),
}


def _period(request: Request, viewer: Viewer) -> str:
    """The year asked for, else the newest year with data (as the dashboard chooses)."""
    given = request.query_params.get("period", "")
    if given.isdigit() and len(given) == 4:
        return given
    return service(request).collection.choose_period(viewer.user)


def coverage_page(
    request: Request, viewer: Viewer, period: str, problem: Problem = None, status: int = 200
) -> Response:
    services, user = service(request), viewer.user
    framework = request.query_params.get("framework", "")
    try:
        shown: dict[str, Any] | None = services.disclose.coverage(
            user, period, framework or None, viewer.lang
        )
    except NotFound:
        shown = None
    status_filter = request.query_params.get("status", "")
    if shown is not None and status_filter in STATUSES:
        shown["rows"] = [r for r in shown["rows"] if r["status"] == status_filter]
    if shown is not None:
        for finding in shown["findings"]:
            _link_steps(finding, period, viewer)
    data: CoverageData = {"period": period, "coverage": shown}
    view: CoverageView = {
        "choices": services.disclose.choices(user, viewer.lang),
        "given": {k: request.query_params.get(k, "") for k in ("explain", "withdraw")},
        "can_write": may(user, "disclose.write"),
        "status_filter": status_filter,
        "framework_filter": framework,
        "statuses": STATUSES,
        "problem": problem,
        "saved": request.query_params.get("saved") if problem is None else None,
        "here": f"/disclose/coverage?period={period}",
        "json_url": f"/disclose/coverage.json?period={period}",
    }
    return render(request, "disclose_coverage.html.j2", data, viewer, status, view)


def _link_steps(finding: dict[str, Any], period: str, viewer: Viewer) -> None:
    """Each next step with the page that does it (``href``, ``page``: its navigation name), when
    the user may do it there."""
    section = finding["params"].get("sections", "").split(", ")[0]
    fill = {
        "period": period,
        "section": f"&section={quote(section)}&lang={viewer.lang}" if section else "",
    }
    for step in finding["steps"]:
        found = STEP_PAGES.get(step["step"])
        if found is None or not may(viewer.user, found[0]):
            continue
        form = "withdraw" if step["step"].startswith("withdraw") else "explain"
        href = found[2].format(**{**fill, "ref": f"&{form}={quote(finding['reference'])}"})
        step.update({"href": href, "page": found[1]})


@page(router, "/disclose/coverage")
def coverage(request: Request, viewer: ViewerDep) -> Response:
    return coverage_page(request, viewer, _period(request, viewer))


@router.post("/disclose/coverage/profile")
def profile_set(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    period = _text(form, "period")
    frameworks = [f.strip() for f in _text(form, "frameworks").replace(";", ",").split(",")]
    stored, problem = _attempt(
        request,
        lambda: service(request).disclose.set_profile(
            viewer.user, period, [f for f in frameworks if f], _text(form, "issuer_class") or None
        ),
    )
    if problem is not None:
        return coverage_page(request, viewer, period, problem, problem["status"])
    return done(request, f"/disclose/coverage?period={period}&saved=profile", stored)


@router.post("/disclose/coverage/explanations")
def explain(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    period = _text(form, "period")
    fields = {n: _text(form, n) for n in ("reference", "status", "reason_id", "text_en", "text_zh")}
    stored, problem = _attempt(
        request, lambda: service(request).disclose.explain(viewer.user, period, fields)
    )
    if problem is not None:
        return coverage_page(request, viewer, period, problem, problem["status"])
    return done(request, f"/disclose/coverage?period={period}&saved={fields['reference']}", stored)


@router.post("/disclose/coverage/withdraw")
def withdraw(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    period, reference = _text(form, "period"), _text(form, "reference")
    stored, problem = _attempt(
        request,
        lambda: service(request).disclose.withdraw(
            viewer.user, period, reference, _text(form, "reason")
        ),
    )
    if problem is not None:
        return coverage_page(request, viewer, period, problem, problem["status"])
    return done(request, f"/disclose/coverage?period={period}&saved={reference}", stored)
