"""User administration (admins): the accounts with their roles, entities and state; add a user,
change a role or the assigned entities, deactivate or reactivate, reset a password.

Every read and change goes through the service layer, which asks the policy
(``user.admin``): a user who may not administer users gets its :class:`Forbidden` as every other
page gives it. A refused change (:class:`Invalid`, :class:`Conflict`, :class:`NotFound`) shows the
page again with the message and the field it is about, and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from esgledger.service_errors import Conflict, Invalid, NotFound
from esgledger.services import ROLES
from esgledger.services.accounts import MAX_PASSWORD_LENGTH as MAX_LENGTH
from esgledger.services.accounts import MIN_PASSWORD_LENGTH as MIN_LENGTH
from esgledger.services.accounts import UserInfo
from esgledger.web.contexts import UsersData, UsersView
from esgledger.web.render import done, render, wants_json
from esgledger.web.routing import describe, page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, service

router = web_router()
# What the page shows again with a message; anything else (Forbidden first) is the error page.
FORM_ERRORS = (Invalid, Conflict, NotFound)
# The outcome named by ``?done=`` after a successful change (a key of the strings: users.done_*).
OUTCOMES = ("created", "updated", "deactivated", "reactivated", "password")
# Marks a post of the role and entities form, whose multi-select sends nothing when emptied.
ENTITIES_SENT = "entities_sent"


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _entities(form: FormData) -> list[str]:
    return [v for v in form.getlist("entities") if isinstance(v, str) and v]


def _flash(request: Request, accounts: Sequence[UserInfo]) -> dict[str, str] | None:
    outcome, who = request.query_params.get("done"), request.query_params.get("user")
    if outcome in OUTCOMES and who in {a.username for a in accounts}:
        return {"done": str(outcome), "user": str(who)}
    return None


def users_page(
    request: Request, viewer: Viewer, status: int = 200, problem: dict[str, Any] | None = None
) -> Response:
    collab = service(request)
    accounts = collab.accounts.users(
        viewer.user
    )  # first: Forbidden unless the policy allows user.admin
    data: UsersData = {
        "users": [a.as_dict() for a in accounts],
        "roles": list(ROLES),
        "entities": [e.id for e in collab.organisation.entities(viewer.user)],
    }
    extra: UsersView = {
        "flash": _flash(request, accounts),
        "problem": problem,
        "password_length": {"min": MIN_LENGTH, "max": MAX_LENGTH},
        "here": "/users",  # also after a refused post: the language links and JSON go to the page
        "json_url": "/users.json",
    }
    return render(request, "users.html.j2", data, viewer, status, extra)


@page(router, "/users")
def users(request: Request, viewer: ViewerDep) -> Response:
    return users_page(request, viewer)


def _attempt(
    request: Request,
    viewer: Viewer,
    outcome: str,
    account: str | None,
    entered: dict[str, Any],
    change: Callable[[], UserInfo],
) -> Response:
    """Make ``change``; on success see the page (or get the account as JSON), when refused show
    the page again naming the form (``account``, None for the new user) and the field."""
    try:
        info = change()
    except FORM_ERRORS as error:
        if wants_json(request):
            raise  # the JSON error shape
        status, code, message, field, details = describe(error)
        problem = {
            "account": account,
            "code": code,
            "message": message,
            "field": field,
            "details": details,
            "entered": entered,
        }
        return users_page(request, viewer, status, problem)
    name = quote(info.username, safe="")
    return done(request, f"/users?done={outcome}&user={name}#user-{name}", info.as_dict())


@router.post("/users")
def add_user(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    username = (_text(form, "username") or "").strip()
    role = _text(form, "role") or ""
    entities = _entities(form)
    password = _text(form, "password") or ""
    entered = {"username": username, "role": role, "entities": entities}
    return _attempt(
        request,
        viewer,
        "created",
        None,
        entered,
        lambda: service(request).accounts.create(viewer.user, username, password, role, entities),
    )


@router.post("/users/{username}")
def change_user(request: Request, viewer: ViewerDep, form: CsrfForm, username: str) -> Response:
    """The role and the assigned entities; a field the post leaves out is not changed."""
    changes: dict[str, Any] = {}
    role = _text(form, "role")
    if role is not None:
        changes["role"] = role
    if ENTITIES_SENT in form or "entities" in form:
        changes["entities"] = _entities(form)
    return _attempt(
        request,
        viewer,
        "updated",
        username,
        changes,
        lambda: service(request).accounts.update(viewer.user, username, **changes),
    )


@router.post("/users/{username}/deactivate")
def deactivate(request: Request, viewer: ViewerDep, form: CsrfForm, username: str) -> Response:
    return _attempt(
        request,
        viewer,
        "deactivated",
        username,
        {},
        lambda: service(request).accounts.update(viewer.user, username, active=False),
    )


@router.post("/users/{username}/reactivate")
def reactivate(request: Request, viewer: ViewerDep, form: CsrfForm, username: str) -> Response:
    return _attempt(
        request,
        viewer,
        "reactivated",
        username,
        {},
        lambda: service(request).accounts.update(viewer.user, username, active=True),
    )


@router.post("/users/{username}/password")
def reset_password(request: Request, viewer: ViewerDep, form: CsrfForm, username: str) -> Response:
    """A new password (the account's policy applies); it also ends a sign-in lockout."""
    password = _text(form, "password") or ""
    return _attempt(
        request,
        viewer,
        "password",
        username,
        {},
        lambda: service(request).accounts.change_password(viewer.user, username, password),
    )
