"""Who is asking: the session cookie, the CSRF token of every form, the chosen language.

Sessions are the backend's (:mod:`esgledger.access.credentials`): the cookie carries the session id
(HttpOnly, SameSite=Lax, Secure under TLS), every form carries the session's CSRF token (or HTMX
sends it as ``X-CSRF-Token``). The sign-in form, which has no session yet, is protected by a
double-submit token: a random value in a cookie and in the form, compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData

from esgledger.i18n import LANGUAGES
from esgledger.service_errors import Forbidden, Unauthenticated
from esgledger.services import Principal, Services
from esgledger.services.accounts import Session, check_csrf

SESSION_COOKIE = "esgledger_session"
LOGIN_CSRF_COOKIE = "esgledger_login_csrf"
LANG_COOKIE = "esgledger_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_SECRET = 200


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of a request, their session and language."""

    user: Principal
    session: Session
    lang: str

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token


def service(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    accept = request.headers.get("accept-language", "").strip().lower()
    return "zh" if accept.startswith("zh") else "en"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def is_tls(request: Request) -> bool:
    return request.url.scheme == "https"


def current_viewer(request: Request) -> Viewer:
    """The signed-in user; :class:`Unauthenticated` for a missing, forged or expired session."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id or len(session_id) > MAX_SECRET:
        raise Unauthenticated("not signed in", code="session_invalid")
    user, session = service(request).accounts.principal_for_session(session_id)
    return Viewer(user, session, language(request))


# The entry form has a row per metric and breakdown member (some 270 with the built-in catalogue,
# more with the organisation's own), each of up to seven fields; the body's size is bounded by
# api/limits.Guard whatever the count.
MAX_FORM_FIELDS = 20_000


async def checked_form(
    request: Request, viewer: Annotated[Viewer, Depends(current_viewer)]
) -> FormData:
    """The posted form, refused unless it carries this session's CSRF token."""
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    token = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not check_csrf(viewer.session, token if isinstance(token, str) else None):
        raise Forbidden(
            "the form's security token is missing or out of date; reload the page and try again",
            field=CSRF_FIELD,
            code="csrf_failed",
        )
    return form


def set_session_cookie(response: Response, request: Request, session: Session) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session.session_id,
        httponly=True,
        samesite="lax",
        secure=is_tls(request),
        path="/",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_tls(request)
    )


def login_token(request: Request) -> str:
    """The sign-in form's token: the one already in the browser's cookie, or a new one."""
    existing = request.cookies.get(LOGIN_CSRF_COOKIE)
    if existing and 20 <= len(existing) <= MAX_SECRET:
        return existing
    return secrets.token_urlsafe(32)


def set_login_token(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=is_tls(request),
        path="/login",
    )


def check_login_token(request: Request, submitted: object) -> None:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not (
        isinstance(submitted, str)
        and cookie
        and hmac.compare_digest(cookie.encode(), submitted.encode())
    ):
        raise Forbidden(
            "the sign-in form's security token is missing or out of date; reload the page",
            field=CSRF_FIELD,
            code="csrf_failed",
        )


def local_path(target: object, default: str = "/dashboard") -> str:
    """``target`` if it is a path on this site (never another host), else ``default``."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 for c in target) or len(target) > 500:
        return default
    return target


ViewerDep = Annotated[Viewer, Depends(current_viewer)]
CsrfForm = Annotated[FormData, Depends(checked_form)]
