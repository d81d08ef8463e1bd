"""The assurance pack over REST: ``GET /api/v1/assurance/{period}`` returns the zip (see
docs/assurance.md). One operation: :meth:`esgledger.services.assurance.Assurance.pack`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from esgledger.api.deps import Service, User
from esgledger.api.models import PERIOD_PATTERN

router = APIRouter(tags=["periods and reports"])
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN)]


@router.get(
    "/assurance/{period}",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def assurance_pack(
    period: PeriodPath,
    user: User,
    service: Service,
    seed: Annotated[
        int | None,
        Query(
            ge=0, le=2**63 - 1, description="seed of the sample (default: period and chain head)"
        ),
    ] = None,
) -> Response:
    """The assurance pack of a report year as a zip: every published number with its lineage,
    factors, evidence files, approvals, the audit extract and chain anchor, the differences, a
    seeded sample, a manifest and a standalone ``verify.py`` (admin, ESG manager, auditor)."""
    built = service.assurance.pack(user, period, seed=seed)
    headers = {
        "Content-Disposition": f'attachment; filename="{built.file_name}"',
        "X-Esgledger-Chain-Head": f"{built.summary['head']['seq']}:{built.summary['head']['hash']}",
    }
    return Response(built.data, media_type="application/zip", headers=headers)
