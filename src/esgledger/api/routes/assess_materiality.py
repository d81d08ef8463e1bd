"""Double materiality, the IRO register and stakeholders under ``/assess/...``: each route calls
one service operation (:mod:`esgledger.services.materiality`, :mod:`esgledger.services.iros`,
:mod:`esgledger.services.stakeholders`); refusals have the one error shape."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response
from pydantic import Field

from esgledger.api.deps import Service, User
from esgledger.api.models import FiniteFloat, Id, Request
from esgledger.api.models_admin import Upload
from esgledger.services.imports import MAX_UPLOAD_BYTES, uploaded

router = APIRouter(prefix="/assess", tags=["assessment: materiality and IROs"])
Text = Annotated[str, Field(max_length=8000)]
Short = Annotated[str, Field(min_length=1, max_length=200)]
Lang = Literal["en", "zh"]
FileKind = Literal["csv", "xlsx"]
MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class AssessmentIn(Request):
    period: Annotated[str, Field(pattern=r"^\d{4}$")]
    method_text: Text = ""
    method: dict[str, Any] | None = Field(
        None, description="scale, thresholds, horizons, horizon_weights, stakeholders"
    )
    topics: list[Short] | None = Field(None, description="topic ids (default: all, or last year's)")
    carry_forward: bool = Field(True, description="start from last year's assessment")


class MethodIn(Request):
    method_text: Text | None = None
    method: dict[str, Any] = Field(default_factory=dict)


class ExplanationIn(Request):
    explanation: Annotated[str, Field(min_length=1, max_length=4000)]


class OverrideIn(Request):
    topic: Short
    decided_class: Literal["double", "impact_only", "financial_only", "not_material", "computed"]
    reason: Annotated[str, Field(min_length=1, max_length=4000)]


class ApprovalIn(Request):
    body: Short = Field(description="the board or the delegated committee")
    date: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class ScoreIn(Request):
    components: dict[str, int | str] = Field(
        description="impact: scale, scope, irremediability, likelihood; financial: magnitude, "
        "likelihood, horizon"
    )
    rationale: Annotated[str, Field(min_length=1, max_length=4000)]
    evidence: list[Id] = Field(default_factory=list, description="evidence ids")


class GroupIn(Request):
    name: Short
    name_zh: Short | None = None
    concerns: list[Annotated[str, Field(max_length=500)]] = Field(default_factory=list)
    channels: list[Annotated[str, Field(max_length=500)]] = Field(default_factory=list)
    topic_ids: list[Short] = Field(default_factory=list)
    weight: FiniteFloat = 1.0


class LinksIn(Request):
    group: Short
    count: Annotated[int, Field(ge=1, le=500)] = 1


UploadForm = Annotated[Upload, Form(media_type="multipart/form-data")]


@router.get("/materiality")
def assessments(user: User, service: Service) -> list[dict[str, Any]]:
    """Every assessment: id, period, status and approval."""
    return service.materiality.listing(user)


@router.post("/materiality")
def create(body: AssessmentIn, user: User, service: Service) -> dict[str, Any]:
    """A draft assessment of a period (last year's carried forward unless told otherwise)."""
    return service.materiality.create(
        user, body.period, body.method_text, body.method, body.topics, body.carry_forward
    )


@router.get("/materiality/{assessment}")
def show(assessment: Id, user: User, service: Service) -> dict[str, Any]:
    """Method, topics with scores and classes (computed from the stored inputs), what an
    approval still needs, the decision log."""
    return service.materiality.show(user, assessment)


@router.patch("/materiality/{assessment}/method")
def method(assessment: Id, body: MethodIn, user: User, service: Service) -> dict[str, Any]:
    """Change the method of a draft (out-of-range thresholds are refused naming the field)."""
    return service.materiality.set_method(user, assessment, body.method_text, body.method)


@router.put("/materiality/{assessment}/topics/{topic}/explanation", status_code=204)
def explain(assessment: Id, topic: str, body: ExplanationIn, user: User, service: Service) -> None:
    """The SSE No. 14 Art. 7 explanation of a topic found not material."""
    service.materiality.explain(user, assessment, topic, body.explanation)


@router.post("/materiality/{assessment}/runs")
def run(assessment: Id, user: User, service: Service) -> dict[str, Any]:
    """Compute the classes and log the run (inputs digest, results, who ran it)."""
    return service.materiality.run(user, assessment)


@router.post("/materiality/{assessment}/overrides", status_code=204)
def override(assessment: Id, body: OverrideIn, user: User, service: Service) -> None:
    """Set a topic's class by judgement with a reason (``computed`` lifts it)."""
    service.materiality.override(user, assessment, body.topic, body.decided_class, body.reason)


@router.get("/materiality/{assessment}/sensitivity")
def sensitivity(assessment: Id, user: User, service: Service) -> list[dict[str, Any]]:
    """Topics whose class changes if a threshold moves by -10 % or +10 %."""
    return service.materiality.sensitivity(user, assessment)


@router.get("/materiality/{assessment}/matrix.svg", response_class=Response)
def matrix(
    assessment: Id, user: User, service: Service, lang: Annotated[Lang, Query()] = "en"
) -> Response:
    """The materiality matrix as SVG."""
    svg = service.materiality.matrix(user, assessment, lang)
    return Response(svg, media_type="image/svg+xml")


@router.post("/materiality/{assessment}/approval")
def approve(assessment: Id, body: ApprovalIn, user: User, service: Service) -> dict[str, Any]:
    """Approve and lock; refused naming missing Art. 7 explanations or SSE elements, a stale
    run, or self-approval."""
    return service.materiality.approve(user, assessment, body.body, body.date)


@router.get("/materiality/{assessment}/export", response_class=Response)
def export(
    assessment: Id, user: User, service: Service, kind: Annotated[FileKind, Query()] = "csv"
) -> Response:
    """The topics with scores and classes as CSV or XLSX."""
    return Response(service.materiality.export(user, assessment, kind), media_type=MIME[kind])


@router.get("/materiality/{assessment}/iros")
def iros(assessment: Id, user: User, service: Service) -> list[dict[str, Any]]:
    """The IRO register of an assessment with current scores."""
    return service.iros.listing(user, assessment)


@router.post("/materiality/{assessment}/iros")
def add_iro(assessment: Id, body: dict[str, Any], user: User, service: Service) -> dict[str, Any]:
    """Add an IRO (fields of assess/iros/fields.py; unknown or out-of-vocabulary refused)."""
    return service.iros.create(user, assessment, body)


@router.get("/materiality/{assessment}/iros/export", response_class=Response)
def export_iros(
    assessment: Id, user: User, service: Service, kind: Annotated[FileKind, Query()] = "csv"
) -> Response:
    return Response(service.iros.export(user, assessment, kind), media_type=MIME[kind])


@router.get("/iros/{iro}")
def iro(iro: Id, user: User, service: Service) -> dict[str, Any]:
    """An IRO with every version of its score."""
    return service.iros.get(user, iro)


@router.patch("/iros/{iro}")
def update_iro(iro: Id, body: dict[str, Any], user: User, service: Service) -> dict[str, Any]:
    return service.iros.update(user, iro, body)


@router.post("/iros/{iro}/scores")
def score(iro: Id, body: ScoreIn, user: User, service: Service) -> dict[str, Any]:
    """A new version of the IRO's score (components out of the scale refused)."""
    return service.iros.score(user, iro, dict(body.components), body.rationale, list(body.evidence))


@router.get("/stakeholders")
def groups(user: User, service: Service) -> list[dict[str, Any]]:
    return service.stakeholders.groups(user)


@router.put("/stakeholders/{group}")
def save_group(group: str, body: GroupIn, user: User, service: Service) -> dict[str, Any]:
    """Create or change a stakeholder group."""
    record = {"id": group, **body.model_dump(exclude_none=True)}
    return service.stakeholders.save_group(user, record)


@router.post("/materiality/{assessment}/links")
def links(assessment: Id, body: LinksIn, user: User, service: Service) -> dict[str, list[str]]:
    """Questionnaire links of a group: paths ``/q/<token>``, one response each."""
    tokens = service.stakeholders.issue_links(user, assessment, body.group, body.count)
    return {"links": [f"/q/{t}" for t in tokens]}


@router.get("/materiality/{assessment}/responses")
def responses(assessment: Id, user: User, service: Service) -> dict[str, Any]:
    """The responses and their spread per topic and group."""
    return service.stakeholders.responses(user, assessment)


@router.post("/materiality/{assessment}/responses/imports")
def import_responses(
    assessment: Id, form: UploadForm, user: User, service: Service
) -> dict[str, Any]:
    """Responses from CSV or XLSX, all or nothing (422 naming rows and cells)."""
    name = form.file.filename or "file"
    with uploaded(name, form.file.file.read(MAX_UPLOAD_BYTES + 1)) as path:
        return service.stakeholders.import_responses(user, assessment, path)
