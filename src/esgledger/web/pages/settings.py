"""Settings of the inventory (:mod:`esgledger.services.settings`): each with its value, default,
range and help in the page language, read by everyone; changed by those the policy allows
(``settings.change``), each change audited. A refused value shows the page again naming the
setting, and changes nothing.

A ratio (the change threshold, the restatement threshold) is typed as a percentage (30 for 0.3),
as people say it; a year as a year.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from esgledger.service_errors import Conflict, Invalid, NotFound
from esgledger.services import may
from esgledger.web.contexts import SettingProblem, SettingsData, SettingsView
from esgledger.web.render import done, render, wants_json
from esgledger.web.routing import describe, page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, local_path, service

router = web_router()
PERCENT_KINDS = ("fraction", "ratio")  # typed as a percentage


def settings_page(
    request: Request, viewer: Viewer, status: int = 200, problem: SettingProblem | None = None
) -> Response:
    user = viewer.user
    data: SettingsData = {"settings": service(request).settings.list(user)}
    changed = request.query_params.get("changed")
    view: SettingsView = {
        "can_change": may(user, "settings.change"),
        "changed": changed if changed in {s["key"] for s in data["settings"]} else None,
        "problem": problem,
        "here": "/settings",  # also after a refused post
        "json_url": "/settings.json",
    }
    return render(request, "settings.html.j2", data, viewer, status, view)


@page(router, "/settings")
def settings(request: Request, viewer: ViewerDep) -> Response:
    return settings_page(request, viewer)


def typed_value(form: FormData, declared: dict[str, Any]) -> Any:
    """The value posted for a setting: a percentage turned into a ratio (its range checked in
    percent, as the page shows it), a year as typed (the service reads and checks it)."""
    key = str(declared["key"])
    text = form.get("value")
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise Invalid(f"{key}: type a value", field=key, details={"found": text})
    if declared["kind"] not in PERCENT_KINDS:
        return text
    try:
        percent = float(text.removesuffix("%").strip())
    except ValueError:
        percent = math.nan
    low, high = declared["minimum"] * 100, declared["maximum"] * 100
    if not (math.isfinite(percent) and low <= percent <= high):
        raise Invalid(
            f"{key} is a percentage from {low:g} to {high:g}, got {text!r}",
            field=key,
            details={"found": text},
        )
    return percent / 100


@router.post("/settings/{key}")
def change_setting(request: Request, viewer: ViewerDep, form: CsrfForm, key: str) -> Response:
    services = service(request)
    declared = {s["key"]: s for s in services.settings.list(viewer.user)}
    if key not in declared:
        raise NotFound(f"no setting {key!r}; settings: {', '.join(declared)}", field="key")
    entered = form.get("value")
    try:
        changed = services.settings.set(viewer.user, key, typed_value(form, declared[key]))
    except (Invalid, Conflict) as error:
        if wants_json(request):
            raise
        status, code, message, field, details = describe(error)
        problem: SettingProblem = {
            "key": key,
            "entered": entered if isinstance(entered, str) else "",
            "code": code,
            "message": message,
            "field": field,
            "details": details,
        }
        return settings_page(request, viewer, status, problem)
    back = local_path(form.get("next"), "/settings")
    if back == "/settings":
        back = f"/settings?changed={key}#setting-{key}"
    return done(request, back, changed)
