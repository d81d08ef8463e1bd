"""Double materiality assessments (SSE Guideline No. 14 Art. 5, 7, 11; EFRAG IG 1): created per
period (last year's carried forward as the starting point), their method and topics, runs that
compute the classes from the stored scores and answers (the decision log), overrides with a
reason, the sensitivity view, the matrix, and the approval by the board or a delegated committee.
The computations are :mod:`esgledger.assess.materiality`."""

from __future__ import annotations

from typing import Any

from esgledger.assess.materiality import checks, classes
from esgledger.assess.materiality import method as methods
from esgledger.ledger import iros as iro_store
from esgledger.ledger import locks
from esgledger.ledger import materiality as store
from esgledger.report.chart_inputs import MaterialityData
from esgledger.service_errors import Forbidden, Invalid
from esgledger.services import sse_elements
from esgledger.services.assess_text import iso_date, text, year
from esgledger.services.materiality_inputs import assessment, editable, gather
from esgledger.services.materiality_outputs import EXPORT_HEADER, export_rows
from esgledger.services.materiality_outputs import matrix as matrix_of
from esgledger.services.materiality_outputs import matrix_data as matrix_data_of
from esgledger.services.operation import Capability, Reading, Writing, reads, writes
from esgledger.services.stakeholder_files import file_kind, write_rows
from esgledger.services.topics import read_library

OVERRIDE_CLASSES = (*classes.CLASSES, "computed")


class Materiality(Capability):
    @reads("materiality.read", entity_first=False)
    def listing(self, call: Reading) -> list[dict[str, Any]]:
        return [_summary(a) for a in store.listing(call.connection)]

    @writes("materiality.edit")
    def create(
        self,
        call: Writing,
        period: str,
        method_text: str = "",
        method: dict[str, Any] | None = None,
        topics: list[str] | None = None,
        carry_forward: bool = True,
    ) -> dict[str, Any]:
        """A draft assessment of ``period``. With ``carry_forward`` the newest assessment of an
        earlier period is its starting point: its method, topics (with Art. 7 explanations), IROs
        and current scores are copied and marked carried forward. Otherwise the topics are
        ``topics`` (default: every topic of the library) and the method the defaults."""
        connection = call.connection
        period = year(period)
        library = read_library(connection)
        previous = _previous(connection, period) if carry_forward else None
        if previous is not None and topics is None:
            topic_rows = store.topic_rows(connection, previous["id"])
            chosen = [t["topic_id"] for t in topic_rows if t["topic_id"] in library]
            explanations = {t["topic_id"]: t["explanation"] for t in topic_rows}
            base = previous["method"]
        else:
            chosen = list(topics) if topics is not None else [t.id for t in library]
            explanations = {}
            base = methods.defaults()
        unknown = library.unknown(chosen)
        if unknown:
            raise Invalid(f"topics: unknown topic {unknown[0]!r}", field="topics")
        checked = methods.checked(method, base)
        locks.refuse_locked(connection, [period], "the assessment")
        note = text(method_text or (previous or {}).get("method_text"), "method_text", 8000)
        carried = previous["id"] if previous is not None else None
        new_id = store.create(call.change, period, note, checked, chosen, carried, explanations)
        if previous is not None:
            copied = _copy_register(call, previous["id"], new_id, set(chosen))
            store.decide(
                call.change,
                new_id,
                "carry",
                reason=f"carried forward from assessment {previous['id']} ({previous['period']})",
                payload=copied,
            )
        return _summary(assessment(connection, new_id))

    @writes("materiality.edit")
    def set_method(
        self, call: Writing, assessment_id: int, method_text: str | None, method: dict[str, Any]
    ) -> dict[str, Any]:
        """Change the method text, scale, thresholds, horizons or stakeholder method of a draft;
        out-of-range values are refused naming the field."""
        found = editable(call.connection, assessment_id, "the method change")
        checked = methods.checked(method, found["method"])
        note = (
            found["method_text"] if method_text is None else text(method_text, "method_text", 8000)
        )
        store.update_method(call.change, assessment_id, note, checked)
        return _summary(assessment(call.connection, assessment_id))

    @writes("materiality.edit")
    def add_topics(self, call: Writing, assessment_id: int, topics: list[str]) -> list[str]:
        editable(call.connection, assessment_id, "adding topics")
        library = read_library(call.connection)
        unknown = library.unknown(topics)
        if unknown:
            raise Invalid(f"topics: unknown topic {unknown[0]!r}", field="topics")
        present = {t["topic_id"] for t in store.topic_rows(call.connection, assessment_id)}
        new = [t for t in dict.fromkeys(topics) if t not in present]
        if new:
            store.add_topics(call.change, assessment_id, new)
        return new

    @writes("materiality.edit")
    def explain(self, call: Writing, assessment_id: int, topic: str, explanation: str) -> None:
        """The SSE No. 14 Art. 7 explanation of a topic found not material."""
        editable(call.connection, assessment_id, "the explanation")
        _topic_of(call.connection, assessment_id, topic)
        store.explain(
            call.change, assessment_id, topic, text(explanation, "explanation", 4000, True)
        )

    @writes("materiality.edit")
    def run(self, call: Writing, assessment_id: int) -> dict[str, Any]:
        """Compute the classes from the stored scores and answers and log the run (inputs
        digest, results, who ran it)."""
        editable(call.connection, assessment_id, "the run")
        inputs = gather(call.connection, assessment_id)
        results = classes.compute(inputs)
        digest = classes.digest(inputs)
        store.decide(call.change, assessment_id, "run", inputs_digest=digest, results=results)
        return {"assessment": assessment_id, "inputs_digest": digest, "results": results}

    @writes("materiality.edit")
    def override(
        self, call: Writing, assessment_id: int, topic: str, decided: str, reason: str
    ) -> None:
        """Set a topic's class by judgement (or ``computed`` to lift the override), with the
        reason, in the decision log; the computed class stays shown beside it."""
        editable(call.connection, assessment_id, "the override")
        _topic_of(call.connection, assessment_id, topic)
        if decided not in OVERRIDE_CLASSES:
            raise Invalid(
                f"class: {decided!r} is not one of {', '.join(OVERRIDE_CLASSES)}", field="class"
            )
        store.decide(
            call.change,
            assessment_id,
            "override",
            topic_id=topic,
            decided_class=decided,
            reason=text(reason, "reason", 4000, True),
        )

    @reads("materiality.read", entity_first=False)
    def show(self, call: Reading, assessment_id: int) -> dict[str, Any]:
        """The assessment: method, topics with names, scores, classes and Art. 7 explanations
        (computed now from the stored inputs), what an approval still needs, the decision log."""
        return _shown(call.connection, assessment_id)

    @reads("materiality.read", entity_first=False)
    def export(self, call: Reading, assessment_id: int, kind: str) -> bytes:
        """The topics with their scores and classes as a ``csv`` or ``xlsx`` file."""
        rows = export_rows(_shown(call.connection, assessment_id))
        return write_rows(EXPORT_HEADER, rows, file_kind(kind))

    @reads("materiality.read", entity_first=False)
    def sensitivity(self, call: Reading, assessment_id: int) -> list[dict[str, Any]]:
        """Which topics change class if a threshold moves by -10 % or +10 %."""
        inputs = gather(call.connection, assessment_id)
        return classes.sensitivity(classes.topic_scores(inputs), inputs["method"]["thresholds"])

    @reads("materiality.read", entity_first=False)
    def matrix(self, call: Reading, assessment_id: int, lang: str = "en") -> str:
        """The matrix as SVG in ``lang`` (en or zh)."""
        if lang not in ("en", "zh"):
            raise Invalid(f"lang: {lang!r} is not en or zh", field="lang")
        return matrix_of(call.connection, assessment(call.connection, assessment_id), lang)

    @reads("materiality.read", entity_first=False)
    def matrix_data(self, call: Reading, period: str) -> MaterialityData | None:
        """The newest assessment of ``period`` as the full report's matrix chart reads it
        (``report.chart_catalogue.CHARTS["materiality_matrix"]``); None when there is none."""
        found = store.latest_for_period(call.connection, period)
        return None if found is None else matrix_data_of(call.connection, found)

    @reads("materiality.read", entity_first=False)
    def of_period(self, call: Reading, period: str, lang: str = "en") -> dict[str, Any] | None:
        """The newest assessment of ``period`` and a small matrix of it (the dashboard's); None
        when the period has none."""
        found = store.latest_for_period(call.connection, period)
        if found is None:
            return None
        svg = matrix_of(call.connection, found, lang)
        return {"assessment": _summary(found), "svg": svg}

    @writes("materiality.approve")
    def approve(
        self, call: Writing, assessment_id: int, body: str, approved_on: str
    ) -> dict[str, Any]:
        """Approve by the board or a delegated committee (``body``) on ``approved_on``. Refused,
        naming what is missing, when the last run is not of the current inputs, an immaterial SSE
        topic lacks its Art. 7 explanation, a financially material topic lacks an SSE element,
        or the approver scored the assessment alone. Locks the assessment."""
        connection = call.connection
        editable(connection, assessment_id, "the approval")
        body = text(body, "body", 200, True)
        approved_on = iso_date(approved_on, "approved_on")
        inputs = gather(connection, assessment_id)
        results = classes.compute(inputs)
        digest = classes.digest(inputs)
        runs = [e for e in store.decision_log(connection, assessment_id) if e["kind"] == "run"]
        if not runs or runs[-1]["inputs_digest"] != digest:
            raise Invalid(
                "the assessment has changed since it was last run (or was never run): run it, "
                "check the results, then approve",
                field="run",
            )
        needs = _approval_needs(connection, assessment_id, inputs, results)
        if needs["explanations"]:
            raise Invalid(
                "SSE No. 14 Art. 7: explain why each SSE topic found not material is not "
                f"material before approval; missing for {', '.join(needs['explanations'])}",
                field="explanation",
                details={"missing": needs["explanations"]},
            )
        if needs["elements"]:
            listed = "; ".join(f"{t}: {', '.join(e)}" for t, e in needs["elements"].items())
            raise Invalid(
                "SSE No. 14 Art. 11: financially material topics lack elements (governance, "
                f"strategy, management, metrics_targets): {listed}",
                field="elements",
                details={"missing": needs["elements"]},
            )
        iro_ids = [i["id"] for i in iro_store.listing(connection, assessment_id)]
        scorers = {s["scorer"] for s in iro_store.current_scores(connection, iro_ids).values()}
        if scorers and scorers == {call.actor.username}:
            raise Forbidden(
                "segregation of duties: you scored every IRO of this assessment yourself, so "
                "someone else must approve it",
                field="approver",
            )
        store.decide(
            call.change,
            assessment_id,
            "approval",
            reason=body,
            inputs_digest=digest,
            results=results,
            payload={"on": approved_on},
        )
        store.approve(call.change, assessment_id, body, approved_on, digest)
        return _summary(assessment(connection, assessment_id))


def _shown(connection: Any, assessment_id: int) -> dict[str, Any]:
    found = assessment(connection, assessment_id)
    library = read_library(connection)
    inputs = gather(connection, assessment_id)
    results = classes.compute(inputs)
    log = store.decision_log(connection, assessment_id)
    digest = classes.digest(inputs)
    runs = [e for e in log if e["kind"] == "run"]
    topic_rows = store.topic_rows(connection, assessment_id)
    return {
        **_summary(found),
        "method_text": found["method_text"],
        "method": found["method"],
        "formulas": methods.formulas(),
        "topics": [
            {
                "id": row["topic_id"],
                "names": dict(library[row["topic_id"]].names)
                if row["topic_id"] in library
                else {"en": row["topic_id"], "zh": row["topic_id"]},
                "sse_article": library[row["topic_id"]].sse_article
                if row["topic_id"] in library
                else None,
                "explanation": row["explanation"],
                "carried": row["carried"],
                **results[row["topic_id"]],
            }
            for row in topic_rows
        ],
        "inputs_digest": digest,
        "last_run": {k: runs[-1][k] for k in ("id", "at", "actor", "inputs_digest")}
        if runs
        else None,
        "current": bool(runs) and runs[-1]["inputs_digest"] == digest,
        "approval_needs": _approval_needs(connection, assessment_id, inputs, results),
        "decisions": [{k: v for k, v in e.items() if k != "results"} for e in log],
    }


def _summary(found: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "id",
        "period",
        "status",
        "carried_from",
        "created_at",
        "created_by",
        "approved_by",
        "approved_body",
        "approved_on",
        "approved_at",
    )
    return {k: found[k] for k in keys}


def _previous(connection: Any, period: str) -> dict[str, Any] | None:
    earlier = [a for a in store.listing(connection) if a["period"] < period]
    if not earlier:
        return None
    return max(earlier, key=lambda a: (a["period"], a["id"]))


def _topic_of(connection: Any, assessment_id: int, topic: str) -> None:
    present = {t["topic_id"] for t in store.topic_rows(connection, assessment_id)}
    if topic not in present:
        raise Invalid(
            f"topic: {topic!r} is not a topic of assessment {assessment_id}", field="topic"
        )


def _copy_register(call: Writing, source: int, target: int, topics: set[str]) -> dict[str, int]:
    """Copy the IROs of ``source`` (of ``topics``) and their current scores into ``target``."""
    connection = call.connection
    old = [i for i in iro_store.listing(connection, source) if i["topic_id"] in topics]
    scores = iro_store.current_scores(connection, [i["id"] for i in old])
    copied = 0
    for iro in old:
        record = {k: iro[k] for k in iro_store.COLUMNS}
        record.update({k: v for k, v in iro.items() if k not in _NOT_DETAILS})
        new_id = iro_store.create(call.change, target, record, carried_from=iro["id"])
        score = scores.get(iro["id"])
        if score is not None:
            iro_store.add_score(
                call.change,
                new_id,
                score["axis"],
                score["components"],
                score["score"],
                score["rationale"],
                score["evidence_ids"],
                scorer=score["scorer"],
                carried=True,
            )
            copied += 1
    return {"iros": len(old), "scores": copied}


_NOT_DETAILS = {
    "id",
    "assessment_id",
    "carried_from",
    "version",
    "updated_at",
    "updated_by",
    *iro_store.COLUMNS,
}


def _approval_needs(
    connection: Any, assessment_id: int, inputs: dict[str, Any], results: dict[str, Any]
) -> dict[str, Any]:
    library = read_library(connection)
    explanations = {
        t["topic_id"]: t["explanation"] for t in store.topic_rows(connection, assessment_id)
    }
    sse = {t.id for t in library.sse_topics()}
    given = sse_elements.element_inputs(connection)
    material = classes.financially_material(results)
    return {
        "explanations": checks.missing_explanations(results, sse, explanations),
        "elements": checks.missing_elements(
            material,
            {t: library[t].metrics for t in material if t in library},
            iro_store.listing(connection, assessment_id),
            given.governance_topics,
            given.metrics_with_targets,
            given.target_ids,
        ),
    }


def period_outcome(connection: Any, period: str) -> dict[str, Any] | None:
    """What disclosure coverage reads of the period's newest assessment (None when it has none):
    its status, each topic's class in effect, the topics explained under SSE Art. 7, the topics
    of its IROs, and the SSE Art. 11 elements each financially material topic lacks."""
    found = store.latest_for_period(connection, period)
    if found is None:
        return None
    inputs = gather(connection, found["id"])
    results = classes.compute(inputs)
    explained = {
        t["topic_id"] for t in store.topic_rows(connection, found["id"]) if t["explanation"]
    }
    return {
        "status": found["status"],
        "classes": {topic: result["class"] for topic, result in results.items()},
        "explained": explained,
        "iro_topics": {i["topic_id"] for i in iro_store.listing(connection, found["id"])},
        "elements": _approval_needs(connection, found["id"], inputs, results)["elements"],
    }
