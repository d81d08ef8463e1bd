"""ASGI middleware, the one place for two rules of every request and response (API, web pages,
documentation, static files):

- a request body is refused (413) before it is read past its limit: :data:`MAX_BODY` (1 MiB) for
  JSON, form and any other body, the upload limit for ``multipart/form-data`` (files: evidence,
  imports). A declared ``Content-Length`` over the limit is refused before any byte is read; a
  body sent in chunks is cut off when it passes the limit.
- every response carries the security headers (:data:`SECURITY_HEADERS`: a Content-Security-
  Policy allowing only the server's own scripts, styles and connections, no framing, no sniffing,
  no referrer, no caching...), unless it set a header of that name itself.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# JSON and form bodies are small: every string field is capped (4,000 characters for a note), a
# batch approval lists at most 500 items, the largest entry form about 100 rows. 1 MiB holds all
# of that with room; a larger body is a mistake or an attack and is not parsed at all.
MAX_BODY = 1024 * 1024
MULTIPART = b"multipart/form-data"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"cache-control", b"no-store"),
]


class BodyTooLarge(Exception):
    pass


def _error(code: str, message: str, details: Any = None) -> bytes:
    body = {"error": {"code": code, "message": message, "field": None, "details": details}}
    return json.dumps(body).encode()


def secured(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with every security header the response did not set itself."""
    present = {name.lower() for name, _value in headers}
    return [*headers, *((name, value) for name, value in SECURITY_HEADERS if name not in present)]


class Guard:
    def __init__(self, app: ASGIApp, max_upload: int, max_body: int = MAX_BODY):
        self.app = app
        self.max_upload = max_upload
        self.max_body = max_body

    def limit(self, scope: Scope) -> int:
        """The body limit of a request: uploads (multipart) may be as large as a file."""
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        return self.max_upload if content_type.lower().startswith(MULTIPART) else self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._too_large(send, limit)
            return
        received = 0
        exceeded = started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def secured_send(message: Message) -> None:
            # once the body was cut off, whatever the application answers becomes the 413
            nonlocal started
            if exceeded:
                if not started:
                    started = True
                    await self._too_large(send, limit)
                return
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": secured(list(message.get("headers", [])))}
            await send(message)

        try:
            await self.app(scope, limited_receive, secured_send)
        except BodyTooLarge:
            if not started:
                await self._too_large(send, limit)

    async def _too_large(self, send: Send, limit: int) -> None:
        kind = "an upload" if limit == self.max_upload else "a JSON or form body"
        body = _error(
            "too_large",
            f"the request body is larger than {limit:,} bytes, the limit for {kind}"
            + ("" if limit == self.max_upload else " (files go as multipart/form-data uploads)"),
            {"max_bytes": limit},
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": secured(
                    [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ]
                ),
            }
        )
        await send({"type": "http.response.body", "body": body})
