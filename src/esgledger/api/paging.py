"""Pagination of the API's lists: ``limit`` and ``offset`` query parameters and one page shape,
``{"items", "total", "limit", "offset"}``, for every list endpoint."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Query

from esgledger.api.models import Page

Item = TypeVar("Item")
# Short lists (entities, metrics, periods, users, evidence, reports): all of them by default.
Limit = Annotated[int, Query(ge=1, le=5000, description="at most this many items")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="skip this many items first")]


def paged(found: Sequence[Any], limit: int, offset: int, out: Callable[[Any], Item]) -> Page[Item]:
    """The page of ``found`` (already filtered and ordered by the service) from ``offset``."""
    items = [out(item) for item in found[offset : offset + limit]]
    return Page[Item](items=items, total=len(found), limit=limit, offset=offset)
