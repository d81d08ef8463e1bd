"""The FastAPI application: routers under /api/v1, the error shape, body limits, headers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI

from esgledger.api import errors
from esgledger.api.deps import known_query_only
from esgledger.api.docs import mount_docs
from esgledger.api.limits import Guard
from esgledger.api.routes import (
    assess_governance,
    assess_materiality,
    assess_targets,
    assurance,
    auth,
    backups,
    calc,
    catalogue,
    collection,
    datapoints,
    disclose,
    evidence,
    frameworks,
    imports,
    inventory,
    periods,
    qa,
    qa_justifications,
    report_content,
    rules,
    settings,
    users,
)
from esgledger.services import Services
from esgledger.services.imports import MAX_UPLOAD_BYTES
from esgledger.web import mount as mount_web

PREFIX = "/api/v1"
# JSON and form bodies are small (api/limits.py); uploads may be as large as the evidence limit
# plus the multipart framing.
MULTIPART_OVERHEAD = 64 * 1024


# Worker threads per process for the routes that block on the database. More threads than this
# only contend for the interpreter lock: with 40 (anyio's default) the writer thread waited for it
# most of the time and a 50-client load ran at half the rate (benchmarks/bench_api_load.py).
WORKER_THREADS = 8


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    yield


def create_app(services: Services) -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan,
        title="esgledger API",
        version="1",
        description="Traceable ESG data: entities, metrics, data points with review workflow, "
        "evidence, calculations, reports. Errors have one shape: "
        '{"error": {"code", "message", "field", "details"}}.',
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # mount_docs: Swagger UI from the package, not from a CDN
        redoc_url=None,
    )
    app.state.services = services
    services.context.catalogue  # noqa: B018 - load the catalogue once, before the first request
    errors.install(app)
    for module in (
        auth,
        users,
        catalogue,
        datapoints,
        evidence,
        calc,
        periods,
        report_content,
        collection,
        imports,
        settings,
        inventory,
        backups,
        rules,
        assess_materiality,
        frameworks,
        assess_targets,
        assess_governance,
        disclose,
        assurance,
        qa,
        qa_justifications,
    ):
        app.include_router(
            module.router,
            prefix=PREFIX,
            responses=errors.DOCUMENTED,
            dependencies=[Depends(known_query_only)],
        )
    mount_docs(app, f"{PREFIX}/docs", f"{PREFIX}/openapi.json")
    mount_web(app)  # the web pages (each with a .json twin) and /static
    app.add_middleware(
        Guard,
        max_upload=max(services.context.options.evidence_max_bytes, MAX_UPLOAD_BYTES)
        + MULTIPART_OVERHEAD,
    )
    return app
