"""Request and response models. Requests are strict: unknown fields, wrong types, over-long
strings and characters a database cannot store (NUL, lone surrogates) are refused with 422."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeAlias, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from esgledger.api.errors import ErrorDetail
from esgledger.domain import METHODS, STATUSES
from esgledger.free_text import MAX_LENGTH, one_line, storable
from esgledger.identifiers import ENTITY_ID, USERNAME
from esgledger.identifiers import MAX_LENGTH as ID_LENGTH
from esgledger.services import ROLES
from esgledger.services.calculation import option_choices

_STORABLE = AfterValidator(storable)
_ONE_LINE = AfterValidator(one_line)
Item = TypeVar("Item")
Name = Annotated[str, StringConstraints(min_length=1, max_length=ID_LENGTH), _STORABLE]
# The identifier rules of esgledger.identifiers (documented in the schema as patterns)
Username = Annotated[
    str, StringConstraints(pattern=f"^{USERNAME.pattern}$", max_length=ID_LENGTH), _STORABLE
]
EntityId = Annotated[
    str, StringConstraints(pattern=f"^{ENTITY_ID.pattern}$", max_length=ID_LENGTH), _STORABLE
]
# An entity named by its id or one of its aliases (free text, Chinese allowed, on one line)
EntityKey = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_LENGTH["alias"]),
    _STORABLE,
    _ONE_LINE,
]
MetricId = Annotated[str, StringConstraints(min_length=1, max_length=300), _STORABLE]
Dimensions = Annotated[str, StringConstraints(max_length=300), _STORABLE]
Unit = Annotated[str, StringConstraints(min_length=1, max_length=MAX_LENGTH["unit"]), _STORABLE]
Password = Annotated[str, StringConstraints(min_length=1, max_length=256), _STORABLE]
Source = Annotated[str, StringConstraints(max_length=MAX_LENGTH["source"]), _STORABLE]
Note = Annotated[str, StringConstraints(max_length=MAX_LENGTH["note"]), _STORABLE]
Comment = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_LENGTH["comment"]), _STORABLE
]
Reason = Annotated[str, StringConstraints(max_length=MAX_LENGTH["reason"]), _STORABLE]
RequiredReason = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_LENGTH["reason"]), _STORABLE
]
if TYPE_CHECKING:
    ElectricityTce: TypeAlias = str
    GridSeries: TypeAlias = str
    Gwp: TypeAlias = str
    Consolidation: TypeAlias = str
else:  # each option's values as declared in calc/rules/options.yaml (an enum in the schema)
    ElectricityTce = Literal[option_choices("electricity_tce")]
    GridSeries = Literal[option_choices("grid_series")]
    Gwp = Literal[option_choices("gwp")]
    Consolidation = Literal[option_choices("consolidation")]


PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]))?$"
Period = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN, max_length=7)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Method = Literal["measured", "estimated", "calculated", "reported", "nil"]
Role = Literal["admin", "esg_manager", "data_owner", "auditor", "viewer"]
assert tuple(Method.__args__) == METHODS and tuple(Role.__args__) == ROLES  # type: ignore[attr-defined]
Status = Literal["draft", "submitted", "approved", "rejected"]
assert tuple(Status.__args__) == STATUSES  # type: ignore[attr-defined]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class TokenRequest(Request):
    username: Name
    password: Password


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: str


class DataPointIn(Request):
    entity: EntityKey
    period: Period
    metric: MetricId
    value: FiniteFloat
    unit: Unit
    method: Method = "measured"
    source: Source | None = None
    note: Note | None = None
    note_public: bool = Field(
        False, description="print the note as a footnote of the figure in the report"
    )
    dimensions: Dimensions | None = Field(
        None,
        description="a breakdown member of the metric's axes, axis=member;axis=member "
        "(e.g. gender=female;age_band=under_30); none for the total",
    )
    explanation: Note | None = Field(
        None, description="why the value changed against last year (needed above the threshold)"
    )


class DataPointPatch(Request):
    version: Id = Field(description="the version this change is based on")
    value: FiniteFloat | None = None
    unit: Unit | None = None
    method: Method | None = None
    source: Source | None = None
    note: Note | None = None
    note_public: bool | None = Field(
        None, description="print the note as a footnote of the figure in the report"
    )
    explanation: Note | None = None


class SubmitIn(Request):
    version: Id
    explanation: Note | None = None


class ApproveIn(Request):
    version: Id
    comment: Note | None = None


class RejectIn(Request):
    version: Id
    comment: Comment


class DataPointOut(BaseModel):
    id: int
    entity: str
    period: str
    metric: str
    dimensions: dict[str, str] = Field(
        default_factory=dict, description="breakdown members, axis -> member; empty: the total"
    )
    metric_key: str = Field(
        "",
        description="the metric id with its members in braces (workforce.headcount{gender=female})",
    )
    value: float
    unit: str
    value_normalised: float
    method: str
    status: str
    version: int
    source: str | None
    note: str | None
    note_public: bool = Field(False, description="the note is printed in the report's footnotes")
    created_at: str
    created_by: str


class Page(BaseModel, Generic[Item]):
    """One page of a list: ``items`` from ``offset``, at most ``limit``, of ``total``."""

    items: list[Item]
    total: int
    limit: int
    offset: int


DataPointPage = Page[DataPointOut]


class EntityOut(BaseModel):
    id: str
    name: str
    name_zh: str | None
    parent_id: str | None
    country: str
    type: str
    ownership: float
    aliases: list[str]


class MetricOut(BaseModel):
    id: str
    name: dict[str, str]
    unit: str
    units: list[str] = Field(description="units a value of this metric may be entered in")
    kind: str
    group: str
    aggregation: str
    axes: list[str] = Field(default_factory=list, description="breakdown axes")
    count: bool = Field(False, description="whole numbers only (people, cases)")
    origin: str = Field("built-in", description="built-in, or the organisation's own")


class PeriodOut(BaseModel):
    period: str
    locked: bool


class PeriodDetail(BaseModel):
    period: str
    locked: bool
    reason: str | None
    changed_by: str | None
    changed_at: str | None
    locked_by: str | None = Field(description="the locked period covering this one, if any")
    by_status: dict[str, int]


class LockIn(Request):
    reason: Reason | None = None


class ReopenIn(Request):
    reason: RequiredReason


class EvidenceOut(BaseModel):
    id: int
    datapoint_id: int
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: str


class CalcOptionsIn(Request):
    electricity_tce: ElectricityTce | None = None
    grid_series: GridSeries | None = None
    gwp: Gwp | None = None
    consolidation: Consolidation | None = None


class CalcIn(Request):
    period: Period
    options: CalcOptionsIn | None = None


class CalcRunOut(BaseModel):
    period: str
    run_id: int
    values: int
    options: dict[str, str]
    input_statuses: dict[str, int] = Field(
        default_factory=dict,
        description="the data points the calculation read, by review status (draft, submitted, "
        "approved, rejected): figures not yet approved are in the inventory",
    )


class CalcValueOut(BaseModel):
    entity: str
    metric: str
    period: str
    value: float
    unit: str


class AuditEntryOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class ReportIn(Request):
    period: Period
    lang: Literal["en", "zh"] = "en"


class ReportOut(BaseModel):
    period: str
    lang: str
    file_name: str
    sha256: str
    at: str
    by: str


class UserIn(Request):
    username: Username
    password: Password
    role: Role
    entities: list[EntityId] = Field(default_factory=list, max_length=500)


class UserPatch(Request):
    role: Role | None = None
    entities: list[EntityId] | None = Field(None, max_length=500)
    active: bool | None = None
    password: Password | None = None


class UserOut(BaseModel):
    username: str
    role: str
    active: bool
    entities: list[str]
    locked_until: str | None
    created_at: str
    created_by: str


class VerifyOut(BaseModel):
    ok: bool
    entries: int
    head_hash: str
    problem: str | None
    seq: int | None
    kind: str | None
    anchors: int = 0  # anchors the log was found to extend


Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class AnchorSignature(Request):
    algorithm: Literal["Ed25519"]
    key: Sha256  # SHA-256 of the raw public key
    value: Annotated[str, StringConstraints(max_length=100)]  # base64


class AnchorDocument(Request):
    """The audit chain head written down, to keep outside the database (``esgledger audit
    anchor`` writes the same document)."""

    format: Literal["esgledger-anchor/1"]
    ledger: Sha256  # the hash of the first audit entry
    seq: Annotated[int, Field(ge=1)]
    hash: Sha256
    at: Annotated[str, StringConstraints(max_length=40)]
    rows_root: Sha256
    signature: AnchorSignature | None = None


class VerifyIn(Request):
    anchors: list[AnchorDocument] = Field(default_factory=list, max_length=50)
    public_key: Annotated[str, StringConstraints(max_length=2000)] | None = None  # PEM


class CommentOut(BaseModel):
    datapoint_id: int
    action: Literal["explain", "submit", "approve", "reject"]
    comment: str | None
    by: str
    at: str


class HistoryOut(BaseModel):
    current: DataPointOut
    versions: list[DataPointOut] = Field(description="every version, oldest first")
    comments: list[CommentOut] = Field(description="explanations and review steps, in order")
    evidence: list[EvidenceOut]
    audit: list[AuditEntryOut] = Field(description="the audit entries of every version")


class ExplainOut(BaseModel):
    root: str = Field(description="the lineage key metric@entity@period of the value explained")
    records: dict[str, dict[str, Any]] = Field(
        description="lineage records by key: formula, inputs, factors with sources, terms, "
        "children; references to entities outside the user's scope are withheld"
    )


class ApprovalItem(Request):
    id: Id
    version: Id


class ApprovalsIn(Request):
    items: list[ApprovalItem] = Field(min_length=1, max_length=500)
    comment: Note | None = None


class RefusedOut(BaseModel):
    id: int
    status: int = Field(description="the status a single approval would have answered")
    error: ErrorDetail


class ApprovalsOut(BaseModel):
    approved: list[DataPointOut]
    refused: list[RefusedOut] = Field(description="each refused value with the error it got")
