"""The interactive API documentation: Swagger UI from files inside the package (vendored, pinned:
``static/swagger-ui/VENDORED.md``) and a start-up script of our own, so that the page runs under
the Content-Security-Policy every response carries (``script-src 'self'``, no CDN)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).with_name("static")


def page(title: str, openapi_url: str, assets: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{assets}/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{escape(openapi_url)}"></div>
<script src="{assets}/swagger-ui/swagger-ui-bundle.js"></script>
<script src="{assets}/docs.js"></script>
</body>
</html>
"""


def mount_docs(app: FastAPI, docs_url: str, openapi_url: str) -> None:
    """Serve the documentation page at ``docs_url`` and its files below it."""
    assets = f"{docs_url}/assets"
    body = page(f"{app.title} - documentation", openapi_url, assets)

    @app.get(docs_url, include_in_schema=False)
    async def documentation() -> HTMLResponse:
        return HTMLResponse(body)

    app.mount(assets, StaticFiles(directory=STATIC), name="api-docs-assets")
