"""The QA page ``/qa?period=YYYY`` (also ``/periods/{period}/qa``): the findings of the quality
checks grouped by severity, each with its message, its arithmetic and links to the values it rests
on (the data point with its versions and audit entries, the explanation of a computed value);
justified findings with who justified them and why; a form (CSRF) to justify a finding, which the
service refuses to the author of any of its values (segregation of duties), and to withdraw a
justification. Each post calls one service operation; a refusal shows the page again with the
message, nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from esgledger.errors import EsgLedgerError
from esgledger.service_errors import Unauthenticated
from esgledger.services import may
from esgledger.web.contexts_qa import QaData, QaView
from esgledger.web.pages.assess_governance import Problem, _problem, _text
from esgledger.web.render import done, redirect, render, wants_json
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, service

router = web_router()


def _period(request: Request, viewer: Viewer) -> str:
    """The year asked for, else the newest year with data (as the dashboard chooses)."""
    given = request.query_params.get("period", "")
    if given.isdigit() and len(given) == 4:
        return given
    return service(request).collection.choose_period(viewer.user)


def links(fact: dict[str, Any]) -> list[dict[str, str]]:
    """Where a reader sees a fact's value: its data point (versions, review trail, audit
    entries) and the explanation of the value computed for its metric, entity and period."""
    found: list[dict[str, str]] = []
    reference = str(fact.get("reference") or "")
    if fact.get("origin") == "datapoint" and reference.isdigit():
        found.append({"kind": "datapoint", "href": f"/datapoints/{reference}"})
        found.append({"kind": "history", "href": f"/datapoints/{reference}#versions"})
    if fact.get("metric") and fact.get("entity") and fact.get("origin") != "reported_table":
        path = "/".join(quote(str(fact[k]), safe="") for k in ("metric", "entity", "period"))
        found.append({"kind": "explain", "href": f"/explain/{path}"})
    return found


def _groups(review: dict[str, Any]) -> list[dict[str, Any]]:
    """The findings by severity, each with its values' links and what its rule checks (the
    rule's description in the page language: ``sum.part_within_whole`` alone says little)."""
    described = {rule["id"]: rule["description"] for rule in review["rules"]}
    groups: dict[str, list[dict[str, Any]]] = {"error": [], "warning": [], "justified": []}
    for finding in review["findings"]:
        shown = {
            **finding,
            "values": [{**v, "links": links(v)} for v in finding["values"]],
            "rule_text": described.get(finding["rule"], ""),
        }
        group = "justified" if finding["justification"] else finding["severity"]
        groups[group].append(shown)
    return [{"severity": name, "findings": rows} for name, rows in groups.items()]


def qa_page(
    request: Request,
    viewer: Viewer,
    period: str,
    problem: Problem = None,
    status: int = 200,
    problem_key: str | None = None,
) -> Response:
    services, user = service(request), viewer.user
    review = services.qa_review.review(user, period, viewer.lang)
    if problem_key:  # a refusal about a finding named by its key or reference: shown beside it
        named = {f["reference"]: f["key"] for f in review["findings"]}
        named |= {f["key"]: f["key"] for f in review["findings"]}
        problem_key = named.get(problem_key)
    data: QaData = {"period": period, "review": review}
    view: QaView = {
        "groups": _groups(review),
        "can_justify": may(user, "qa.justify") and not review["locked"],
        "problem": problem,
        "problem_key": problem_key,
        "saved": request.query_params.get("saved") if problem is None else None,
        "here": f"/qa?period={period}",
        "json_url": f"/qa.json?period={period}",
    }
    return render(request, "qa.html.j2", data, viewer, status, view)


@page(router, "/qa")
def qa(request: Request, viewer: ViewerDep) -> Response:
    return qa_page(request, viewer, _period(request, viewer))


@router.get("/periods/{period}/qa")
def period_qa(request: Request, viewer: ViewerDep, period: str) -> Response:
    return redirect(f"/qa?period={quote(period, safe='')}")


def _attempt(request: Request, work: Any) -> tuple[Any, Problem]:
    """The service's answer, or the refusal to show on the page (a JSON request gets the error;
    segregation of duties included: the page says why, beside the finding)."""
    try:
        return work(), None
    except Unauthenticated:
        raise
    except EsgLedgerError as error:
        if wants_json(request):
            raise
        return None, _problem(error)


def _post(
    request: Request, viewer: Viewer, form: Any, saved: str, work: Callable[..., Any]
) -> Response:
    """A form about one finding (``period``, ``rule``, ``finding_key``): the service's answer,
    or the QA page again with the refusal beside the finding."""
    period, rule, key = _text(form, "period"), _text(form, "rule"), _text(form, "finding_key")
    stored, problem = _attempt(request, lambda: work(viewer.user, period, rule, key))
    if problem is not None:
        return qa_page(request, viewer, period, problem, problem["status"], key)
    return done(request, f"/qa?period={period}&saved={saved}", stored)


@router.post("/qa/justify")
def justify(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    justify = service(request).qa_review.justify
    text = _text(form, "text")
    return _post(
        request,
        viewer,
        form,
        "justified",
        lambda user, period, rule, key: justify(user, period, rule, key, text, viewer.lang),
    )


@router.post("/qa/withdraw")
def withdraw(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    withdraw = service(request).qa_review.withdraw
    reason = _text(form, "reason")
    return _post(
        request,
        viewer,
        form,
        "withdrawn",
        lambda user, period, rule, key: withdraw(user, period, rule, key, reason),
    )
