"""Mount the web application on the API's FastAPI app (same service, same process)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from esgledger.web.pages import (
    assess_governance,
    audit,
    auth,
    dashboard,
    datapoint,
    disclose,
    entry,
    explain,
    full_report,
    imports,
    iros,
    materiality,
    periods,
    qa,
    questionnaire,
    report_sections,
    reports,
    review,
    settings,
    stakeholders,
    targets,
    users,
)

STATIC = Path(__file__).with_name("static")
PAGES = (
    auth,
    dashboard,
    imports,
    entry,
    review,
    datapoint,
    explain,
    periods,
    settings,
    full_report,
    report_sections,
    reports,
    audit,
    users,
    materiality,
    iros,
    stakeholders,
    questionnaire,
    targets,
    assess_governance,
    disclose,
    qa,
)


def mount(app: FastAPI) -> None:
    """Add the pages (server-rendered, each with a ``.json`` twin) and ``/static`` to ``app``,
    whose ``state.services`` are the operations they call. The pages stay out of the OpenAPI
    schema, and their errors are rendered by the pages themselves."""
    for module in PAGES:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
