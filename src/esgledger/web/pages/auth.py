"""Sign in, sign out, language switch."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from esgledger.service_errors import NotFound, ServiceError, TooManyAttempts
from esgledger.web import session as web_session
from esgledger.web.contexts import LoginData
from esgledger.web.i18n import LANGUAGES
from esgledger.web.render import redirect, render, wants_json
from esgledger.web.routing import describe, error_page, page, web_router
from esgledger.web.session import CsrfForm, ViewerDep

router = web_router()
MAX_NAME, MAX_PASSWORD = 150, 256


@router.get("/")
def home() -> Response:
    return redirect("/dashboard")


@page(router, "/login")
def login_form(request: Request, next: str = "/dashboard") -> Response:  # noqa: A002
    token = web_session.login_token(request)
    data: LoginData = {"next": web_session.local_path(next), "csrf_token": token, "error": None}
    response = render(request, "login.html.j2", data, None)
    web_session.set_login_token(response, request, token)
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    web_session.check_login_token(request, form.get(web_session.CSRF_FIELD))
    username = str(form.get("username") or "")[:MAX_NAME]
    password = str(form.get("password") or "")[:MAX_PASSWORD]
    target = web_session.local_path(form.get("next"))
    collab = web_session.service(request)
    try:
        opened = await run_in_threadpool(
            collab.accounts.open_session, username, password, web_session.client_address(request)
        )
    except ServiceError as error:
        if wants_json(request):
            return error_page(request, error)
        status, code, message, field, details = describe(error)
        token = web_session.login_token(request)
        refused: LoginData = {
            "next": target,
            "csrf_token": token,
            "error": {"code": code, "message": message, "field": field, "details": details},
            "username": username,
        }
        page = render(request, "login.html.j2", refused, None, status)
        if isinstance(error, TooManyAttempts):
            page.headers["Retry-After"] = str(error.retry_after)
        return page
    response: Response
    if wants_json(request):
        body = {
            "username": opened.username,
            "csrf_token": opened.csrf_token,
            "expires_at": opened.expires_at,
        }
        response = JSONResponse(body)
    else:
        response = redirect(target)
    web_session.set_session_cookie(response, request, opened)
    return response


@router.post("/logout")
def logout(request: Request, viewer: ViewerDep, _form: CsrfForm) -> Response:
    web_session.service(request).accounts.close_session(viewer.session.session_id)
    response = redirect("/login")
    web_session.clear_session_cookie(response, request)
    return response


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str = "/dashboard") -> Response:  # noqa: A002
    if code not in LANGUAGES:
        raise NotFound(f"no language {code!r}; one of {', '.join(LANGUAGES)}")
    response = redirect(web_session.local_path(next))
    response.set_cookie(
        web_session.LANG_COOKIE,
        code,
        samesite="lax",
        secure=web_session.is_tls(request),
        httponly=True,
        max_age=365 * 24 * 3600,
        path="/",
    )
    return response
