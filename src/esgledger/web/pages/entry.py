"""Data entry: choose an entity and period, then enter, correct and submit its values."""

from __future__ import annotations

from typing import cast
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from esgledger.free_text import MAX_LENGTH
from esgledger.services import may
from esgledger.services.entry_form import Typed, parse_version, typed_keys
from esgledger.web.contexts import (
    EntityChoice,
    EntryCheckData,
    EntryCheckView,
    EntryData,
    EntryIndexData,
    EntryOutcome,
    EntryView,
)
from esgledger.web.render import done, render
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, service

router = web_router()


@page(router, "/entry")
def entry_index(request: Request, viewer: ViewerDep, period: str | None = None) -> Response:
    services = service(request)
    chosen = services.collection.choose_period(viewer.user, period)
    entities: list[EntityChoice] = [
        {
            "entity": e.id,
            "parent": e.parent_id,
            "editable": may(viewer.user, "datapoint.create", e.id),
        }
        for e in services.organisation.entities(viewer.user)
    ]
    data: EntryIndexData = {"period": chosen, "entities": entities}
    return render(request, "entry_index.html.j2", data, viewer)


def entry_page(
    request: Request,
    viewer: Viewer,
    entity_id: str,
    period: str,
    status: int = 200,
    outcome: EntryOutcome | None = None,
) -> Response:
    form = service(request).entry_forms.form(viewer.user, entity_id, period)
    data = cast(EntryData, {**form, **(outcome or {})})
    view: EntryView = {
        "entered": {},
        "errors": {},
        "flash": {k: request.query_params.get(k) for k in ("saved", "submitted")},
        "workbook": f"/entry/{quote(data['entity'], safe='')}/{data['period']}/workbook.xlsx",
    }
    if outcome:
        view.update(outcome)
    return render(request, "entry.html.j2", data, viewer, status, view)


@page(router, "/entry/{entity_id}/{period}")
def entry_form(request: Request, viewer: ViewerDep, entity_id: str, period: str) -> Response:
    return entry_page(request, viewer, entity_id, period)


def _text(form: FormData, name: str) -> str:
    found = form.get(name)
    return found.strip() if isinstance(found, str) else ""


def _posted(form: FormData, name: str) -> str | None:
    """A field's text, or None when the form did not carry it."""
    return _text(form, name) if name in form else None


def typed_rows(form: FormData, metrics: list[str]) -> list[Typed]:
    """The rows of a posted entry form that carry a value or an explanation."""
    rows = []
    for metric in metrics:
        value = _text(form, f"value.{metric}")
        explanation = _text(form, f"explanation.{metric}")
        if not value and not explanation:
            continue
        version = _text(form, f"version.{metric}")
        rows.append(
            Typed(
                metric,
                value,
                _text(form, f"unit.{metric}"),
                parse_version(version, metric),
                explanation,
                _posted(form, f"source.{metric}"),
                _posted(form, f"note.{metric}"),
                bool(_text(form, f"note_public.{metric}")),
            )
        )
    return rows


@router.post("/entry/{entity_id}/{period}")
def entry_post(
    request: Request, viewer: ViewerDep, form: CsrfForm, entity_id: str, period: str
) -> Response:
    services = service(request)
    submit = form.get("action") == "submit"
    metrics = typed_keys(services.context.catalogue)
    rows = typed_rows(form, metrics)
    applied = services.entry_forms.apply(viewer.user, entity_id, period, rows, submit)
    entity, name = applied.entity, applied.period
    submitted = sum(1 for w in applied.written if w["status"] == "submitted")
    if not applied.errors:
        path = f"/entry/{entity}/{name}?saved={len(applied.written)}&submitted={submitted}"
        return done(request, path, {"written": applied.written, "errors": {}})
    conflict = any(
        e["code"] in ("version_conflict", "exists", "period_locked", "mixed_granularity")
        for e in applied.errors.values()
    )
    entered = {
        r.metric: {
            "value": r.value,
            "unit": r.unit,
            "explanation": r.explanation,
            "source": r.source or "",
            "note": r.note or "",
            "note_public": "1" if r.note_public else "",
        }
        for r in rows
    }
    outcome: EntryOutcome = {
        "written": applied.written,
        "errors": applied.errors,
        "entered": entered,
    }
    return entry_page(request, viewer, entity, name, 409 if conflict else 422, outcome)


@page(router, "/entry/{entity_id}/{period}/check")
def entry_check(
    request: Request,
    viewer: ViewerDep,
    entity_id: str,
    period: str,
    metric: str,
) -> Response:
    """The change against last year of a value being typed (the row's explanation cell); the
    row's fields come as ``value.METRIC``, ``unit.METRIC`` and ``explanation.METRIC``."""
    preview = service(request).entry_forms.preview(
        viewer.user,
        entity_id,
        period,
        metric,
        request.query_params.get(f"value.{metric}", ""),
        request.query_params.get(f"unit.{metric}", ""),
    )
    view: EntryCheckView = {
        "text": request.query_params.get(f"explanation.{metric}", "")[: MAX_LENGTH["explanation"]]
    }
    data = cast(EntryCheckData, preview)
    return render(request, "entry_check.html.j2", data, viewer, extra=view)
