"""One JSON error shape for every failure:

``{"error": {"code": str, "message": str, "field": str | null, "details": any}}``

Service errors map to one status each; request validation is 422 (malformed JSON 400); a refused
file import 422 ``input_rejected`` with its issues; unknown routes 404; a lost database connection
503 (the pool is renewed: retry); anything unexpected 500 without internals. Pinned by
``tests/test_api_errors.py``.

An error body is bounded whatever the request was: at most :data:`MAX_PROBLEMS` validation problems
(or issues of a refused file) are listed (the message says how many more there were), and any
text it repeats is cut to :data:`MAX_TEXT` characters, so that a megabyte of bad input never comes
back as a bigger answer.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from esgledger.errors import EsgLedgerError, InputRejected
from esgledger.service_errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    ServiceError,
    TooLarge,
    TooManyAttempts,
    Unauthenticated,
    UnsupportedMedia,
)

log = logging.getLogger("esgledger.api")

MAX_PROBLEMS = 20  # validation problems listed in one answer
MAX_TEXT = 500  # characters of any text an error repeats
MAX_ITEMS = 100  # items of any list in an error's details

STATUS: list[tuple[type[ServiceError], int]] = [
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (TooLarge, 413),
    (UnsupportedMedia, 415),
    (Invalid, 422),
    (TooManyAttempts, 429),
]


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None
    details: Any = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def shortened(text: str, limit: int = MAX_TEXT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def bounded(value: Any, depth: int = 0) -> Any:
    """``value`` with long texts cut and long lists shortened, at every level."""
    if isinstance(value, str):
        return shortened(value)
    if depth > 6:
        return None
    if isinstance(value, dict):
        return {shortened(str(k), 100): bounded(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [bounded(item, depth + 1) for item in value[:MAX_ITEMS]]
    return value


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {
        "error": {
            "code": code,
            "message": shortened(message, 4 * MAX_TEXT),
            "field": None if field is None else shortened(field, 200),
            "details": bounded(details),
        }
    }
    return JSONResponse(body, status_code=status, headers=headers)


def status_of(error: ServiceError) -> int:
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 400


def _service_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ServiceError)
    status = status_of(error)
    headers = None
    if isinstance(error, Unauthenticated):
        headers = {"WWW-Authenticate": "Bearer"}
    elif isinstance(error, TooManyAttempts):
        headers = {"Retry-After": str(error.retry_after)}
    return error_response(status, error.code, error.message, error.field, error.details, headers)


def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    return error_response(422, "invalid", str(error))


def _input_rejected(_request: Request, error: Exception) -> JSONResponse:
    """A refused file import: every issue names its file, row, cell and field, what was found
    and what was expected; the first :data:`~esgledger.errors.ISSUES_LISTED` are listed, the
    message and ``details.total`` count them all."""
    assert isinstance(error, InputRejected)
    return error_response(422, "input_rejected", error.summary(), "file", error.listing())


def _field_path(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts)


def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    found = error.errors()
    problems = [
        {
            "field": shortened(_field_path(e.get("loc", ())), 200),
            "message": shortened(str(e.get("msg", ""))),
            "type": e.get("type", ""),
        }
        for e in found[:MAX_PROBLEMS]
    ]
    more = len(found) - len(problems)
    also = f" (and {more:,} more problems; the first {len(problems)} are listed)" if more else ""
    if any(p["type"] == "json_invalid" for p in problems):
        return error_response(
            400,
            "malformed_json",
            "the request body is not valid JSON",
            details=[{"field": p["field"], "message": p["message"]} for p in problems],
        )
    field = str(problems[0]["field"]) if problems else ""
    text = str(problems[0]["message"]) if problems else "invalid request"
    message = (f"{field}: {text}" if field else text) + also
    return error_response(422, "invalid_request", message, field or None, problems)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    code = _HTTP_CODES.get(error.status_code, "http_error")
    message = error.detail if isinstance(error.detail, str) else code.replace("_", " ")
    if error.status_code == 400 and "json" in request.headers.get("content-type", ""):
        # FastAPI's answer to a body its JSON parser gave up on (nested too deeply, say)
        code, message = "malformed_json", "the request body could not be read as JSON"
    if error.status_code == 404:
        message = "no such resource"
    headers = dict(error.headers) if error.headers else None
    return error_response(error.status_code, code, message, headers=headers)


def _database_error(request: Request, error: Exception) -> JSONResponse:
    """A dropped connection (say, the database server restarted) is 503: SQLAlchemy has discarded
    the pool's connections, so a retry gets a fresh one. Other database errors are unexpected."""
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        log.warning("database connection lost: %s", error.orig)
        return error_response(
            503,
            "database_unavailable",
            "the connection to the database was lost; retry the request",
            headers={"Retry-After": "1"},
        )
    return _unexpected(request, error)


def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=error)
    return error_response(500, "internal_error", "an unexpected error occurred; it was logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(InputRejected, _input_rejected)
    app.add_exception_handler(EsgLedgerError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(sa.exc.DBAPIError, _database_error)
    app.add_exception_handler(Exception, _unexpected)


# Error responses documented on every route of the OpenAPI schema (405 for a wrong method,
# 500 for a failure of ours, 503 while the database is out of reach: all in the one shape).
DOCUMENTED: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody}
    for status in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503)
}
