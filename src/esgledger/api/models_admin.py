"""Request and response models of running the ledger: file imports (multipart uploads), the
inventory-wide settings, the bulk activity calculation, recomputing stored values, backups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from fastapi import UploadFile
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from esgledger.api.models import CalcOptionsIn, MetricId, Request
from esgledger.services.settings import SETTING_KEYS

YEAR_PATTERN = r"^\d{4}$"
Year = Annotated[str, StringConstraints(pattern=YEAR_PATTERN, max_length=4)]
if TYPE_CHECKING:
    SettingKey: TypeAlias = str
else:  # the settings declared in ledger/settings.py (an enum in the schema)
    SettingKey = Literal[SETTING_KEYS]


# -- uploads (multipart/form-data): strict too, an unknown form field is refused ---------------
class Upload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: UploadFile = Field(description="a CSV or XLSX file (a filled collection workbook too)")


class DataUpload(Upload):
    submit: bool = Field(
        True,
        description="submit the values for review (false: keep them as drafts); values that "
        "changed against last year by more than the threshold stay drafts either way until "
        "their change is explained",
    )
    covers: str | None = Field(
        None,
        max_length=500,
        description="the entities every figure of the file covers when not its entity's whole "
        "subtree: ids separated by ';', or -ID to leave one out (a row's covers cell wins)",
    )


class ActivityUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: UploadFile = Field(description="Parquet or CSV: entity, ts, metric, quantity, unit")
    period: Year = Field(description="the reporting year of the records")


class OrganisationImportOut(BaseModel):
    created: int
    updated: int


class HeldOut(BaseModel):
    entity: str
    period: str
    metric: str


class DataImportOut(BaseModel):
    created: int
    corrected: int
    unchanged: int = Field(description="rows equal to the current value: nothing written")
    batch_id: int | None = Field(description="the import batch (null when nothing was written)")
    held_as_draft: int
    held: list[HeldOut] = Field(
        description="values kept as drafts because their change against last year needs an "
        "explanation (explain it with POST /datapoints/{id}/submit)"
    )


class CountOut(BaseModel):
    imported: int = Field(description="rows imported")


class ActivityImportOut(BaseModel):
    batch_id: int | None
    period: str
    file: str
    sha256: str
    records: int


# -- settings ----------------------------------------------------------------------------------
class SettingOut(BaseModel):
    key: SettingKey
    value: int | float | list[int] | list[str] | None = Field(
        description="the current value (the default when never set)"
    )
    default: int | float | list[int] | list[str] | None
    kind: Literal["year", "fraction", "ratio", "categories", "metrics"]
    minimum: float
    maximum: float
    help: dict[str, str] = Field(description="what it does, in English (en) and Chinese (zh)")


class SettingIn(Request):
    value: (
        Annotated[int | float, Field(allow_inf_nan=False)]
        | list[int]
        | Annotated[list[MetricId], Field(max_length=500)]
    ) = Field(
        description="a year for base_year, a list of category numbers for scope3.categories, "
        "a list of metric ids for report.print_reported, a number within the setting's range "
        "for the others"
    )


# -- calculations ------------------------------------------------------------------------------
class ActivityCalcIn(Request):
    options: CalcOptionsIn | None = None


class ActivityCalcOut(BaseModel):
    period: str
    files: int = Field(description="activity files of the year")
    records: int
    results: int = Field(description="monthly results computed")
    created: int
    corrected: int
    unchanged: int
    batch_id: int | None


class RecomputedOut(BaseModel):
    key: str = Field(description="metric@entity@period, or 'audit verify' for the ledger itself")
    kind: str
    stored: float
    recomputed: float | None
    ok: bool
    problem: str | None = Field(description="how the re-derived value differs, if it does")


# -- backups -----------------------------------------------------------------------------------
class BackupOut(BaseModel):
    file: str = Field(description="the archive, relative to the ledger's files folder")
    manifest: dict[str, Any] = Field(
        description="the backup's manifest: time, source, schema revision, audit head, rows per "
        "table, files with their SHA-256"
    )
