"""The floor for bench_api_load.py: the same HTTP stack (uvicorn with httptools and uvloop, FastAPI,
pydantic bodies) answering the same three requests without a ledger, authentication or database.

Stateless, so that any number of worker processes answer consistently: a POST gets a fresh id, a
GET echoes the id, a PATCH answers the next version. What esgledger does per request is measured
against what merely serving these requests costs on the same machine in the same run.
"""

from __future__ import annotations

import itertools
import os

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
_ids = itertools.count(os.getpid() * 1_000_000)


class Entered(BaseModel):
    entity: str
    period: str
    metric: str
    value: float
    unit: str


class Corrected(BaseModel):
    version: int
    value: float


@app.get("/api/v1/openapi-ready")
async def ready() -> dict[str, bool]:
    return {"ready": True}


@app.post("/api/v1/auth/token")
async def token() -> dict[str, str]:
    return {"access_token": "floor", "token_type": "bearer"}


@app.post("/api/v1/datapoints", status_code=201)
def create(body: Entered) -> dict[str, object]:
    return {"id": next(_ids), "version": 1, **body.model_dump()}


@app.get("/api/v1/datapoints/{datapoint_id}")
def read(datapoint_id: int) -> dict[str, object]:
    return {"id": datapoint_id, "version": 1, "value": 1.0, "unit": "t"}


@app.patch("/api/v1/datapoints/{datapoint_id}")
def correct(datapoint_id: int, body: Corrected) -> dict[str, object]:
    return {"id": datapoint_id, "version": body.version + 1, "value": body.value}
