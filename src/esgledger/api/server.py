"""Build the application for uvicorn from the environment (one app per worker process)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from esgledger.api.app import create_app
from esgledger.collaboration import Collaboration
from esgledger.services import Workspace
from esgledger.store.database import URL_ENV


def app_from_environment() -> FastAPI:
    """The API on the ledger at ``ESGLEDGER_DATABASE_URL`` (set by ``esgledger serve``)."""
    import sys

    sys.setswitchinterval(float(os.environ.get("SWITCH", "0.005")))
    workspace = Workspace.open(os.environ[URL_ENV], actor="api")
    workspace.require_initialised()
    return create_app(Collaboration(workspace))
