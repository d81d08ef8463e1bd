"""The REST API (FastAPI) under ``/api/v1``. Thin: it parses, calls
:class:`esgledger.services.Services`, and shapes JSON."""

from esgledger.api.app import create_app

__all__ = ["create_app"]
