"""The web application: server-rendered pages (Jinja2 + HTMX) in English and Simplified Chinese,
each also available as JSON (``.json`` or ``Accept: application/json``), thin callers of the
service layer (:mod:`esgledger.services`).

Importing this package loads nothing else, so that the API can import it without a cycle (the
pages use the API's error shape)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Add the pages and ``/static`` to ``app`` (see :func:`esgledger.web.app.mount`)."""
    from esgledger.web.app import mount as mount_pages

    mount_pages(app)
