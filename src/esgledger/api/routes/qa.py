"""Quality checks under ``/qa/...`` (issue 12): the findings of the declared rules on the
period's ledger figures, and on a report's tables handed in with the request (never stored:
report tables never become ledger data). Read by every user who reads the period's data."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile

from esgledger.api.deps import Service, User
from esgledger.services.imports import MAX_UPLOAD_BYTES, uploaded

router = APIRouter(prefix="/qa", tags=["quality checks"])
Lang = Annotated[Literal["en", "zh"], Query(description="the language of the messages")]
Record = dict[str, Any]


@router.post("/{period}/check")
def check(
    period: str,
    user: User,
    service: Service,
    file: Annotated[
        UploadFile | None,
        File(
            description="a report's tables (CSV or XLSX: table, row_label, entity, metric, "
            "period, value, unit, footnote, dimensions); optional"
        ),
    ] = None,
    lang: Lang = "en",
) -> Record:
    """Run the checks on the period's ledger figures and, when a file is sent, on its report
    tables: ``findings`` (errors first, each with rule, severity, message, table, row_label,
    period, values, arithmetic, key and its short ``reference``, sum.totals#3fa9c2),
    ``rows_not_read`` (report rows the checks could not read: table, row_label, file, lines,
    reason, what was expected), ``counts`` (error, warning, rows_not_read), ``rules``. A
    malformed file is refused whole (422 naming row and column)."""
    if file is None:
        return service.qa.check(user, period, None, lang=lang).as_dict()
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    with uploaded(file.filename or "report-tables.csv", data) as path:
        tables = service.qa.read_reported(user, path, file.filename or path.name)
        return service.qa.check(user, period, tables, lang=lang).as_dict()


@router.get("/{period}/findings")
def findings(period: str, user: User, service: Service, lang: Lang = "en") -> Record:
    """The findings of the checks on the period's ledger figures (computed on each request)."""
    return service.qa.check(user, period, None, lang=lang).as_dict()
