"""Web routes: each failure becomes the one error shape (JSON) or an error page (HTML), and each
page is registered with its ``.json`` twin."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import compile_path

from esgledger.api.errors import error_response, status_of
from esgledger.errors import EsgLedgerError, InputRejected
from esgledger.service_errors import ServiceError, TooManyAttempts, Unauthenticated
from esgledger.web.contexts import ErrorData, ErrorView
from esgledger.web.remedies import remedy
from esgledger.web.render import html, is_htmx, redirect, wants_json
from esgledger.web.session import Viewer, current_viewer, local_path

log = logging.getLogger("esgledger.web")
Endpoint = Callable[..., Any]
PAGE_PATHS: list[re.Pattern[str]] = []  # every page's path, as :func:`page` registered it


def describe(error: Exception) -> tuple[int, str, str, str | None, Any]:
    """``(status, code, message, field, details)`` of any failure; nothing internal for a 500."""
    if isinstance(error, ServiceError):
        return status_of(error), error.code, error.message, error.field, error.details
    if isinstance(error, InputRejected):  # a refused file: every issue, bounded
        return 422, "input_rejected", error.summary(), "file", error.listing()
    if isinstance(error, EsgLedgerError):
        return 422, "invalid", str(error), None, None
    if isinstance(error, RequestValidationError):
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "message": e.get("msg", "")}
            for e in error.errors()
        ]
        field = str(problems[0]["field"]) if problems else ""
        text = str(problems[0]["message"]) if problems else "invalid request"
        message = f"{field}: {text}" if field else text
        return 422, "invalid_request", message, field or None, problems
    if isinstance(error, HTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return error.status_code, code, str(error.detail), None, None
    log.exception("unexpected error", exc_info=error)
    return 500, "internal_error", "an unexpected error occurred; it was logged", None, None


def error_page(request: Request, error: Exception) -> Response:
    status, code, message, field, details = describe(error)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, TooManyAttempts) else {}
    if wants_json(request):
        return error_response(status, code, message, field, details, headers or None)
    if isinstance(error, Unauthenticated):
        target = request.url.path if request.method == "GET" else "/dashboard"
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return redirect(f"/login?next={quote(target)}")
    viewer = signed_in(request)
    data: ErrorData = {
        "error": {
            "status": status,
            "code": code,
            "message": message,
            "field": field,
            "details": details,
        }
    }
    extra: ErrorView = {
        "remedy": remedy(message, viewer.user if viewer else None),
        "here": page_shown(request),
        "json_url": None,  # the error has no JSON twin page; a JSON request gets the error shape
    }
    response = html(request, "error.html.j2", data, viewer, status, extra)
    response.headers.update(headers)
    return response


def signed_in(request: Request) -> Viewer | None:
    """The signed-in user of a request that failed, so that its error page keeps the navigation
    and the language switch; None when there is none (or it cannot be read)."""
    try:
        return current_viewer(request)
    except Exception:  # an error page never fails for want of a session
        return None


def page_shown(request: Request) -> str:
    """Where the language switch of an error page leads back to: this page for a GET; after a
    refused POST, the page the form belongs to (the nearest page above the form's address:
    ``/reports/2024/en`` -> ``/reports``), as the pages send no ``Referer``."""
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    parts = request.url.path.rstrip("/").split("/")
    while len(parts) > 1:
        candidate = "/".join(parts)
        if is_page(candidate):
            return local_path(candidate)
        parts.pop()
    return "/dashboard"


def is_page(path: str) -> bool:
    """Whether ``path`` is one of the pages (registered with :func:`page`)."""
    return any(pattern.fullmatch(path) for pattern in PAGE_PATHS)


class WebRoute(APIRoute):
    """A route whose errors are rendered for people (HTML) or programs (the JSON error shape)."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                response: Response = await handler(request)
            except Exception as error:  # every failure gets the one error shape or page
                return error_page(request, error)
            return response

        return guarded


def web_router() -> APIRouter:
    return APIRouter(route_class=WebRoute, include_in_schema=False)


def page(router: APIRouter, path: str) -> Callable[[Endpoint], Endpoint]:
    """Register a GET page at ``path`` and its JSON twin at ``path.json``."""

    def register(endpoint: Endpoint) -> Endpoint:
        PAGE_PATHS.append(compile_path(path)[0])
        router.add_api_route(f"{path}.json", endpoint, methods=["GET"])  # first: more specific
        router.add_api_route(path, endpoint, methods=["GET"])
        return endpoint

    return register
