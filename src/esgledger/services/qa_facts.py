"""The ledger's figures of a period as :class:`~esgledger.qa.facts.Fact` objects (issue 12).

The checks never read the store: this module gathers what they read, for the period and the
period a year before it (the change checks compare the two): the current version of every data
point of every entity the user sees (its value normalised to the catalogue unit), the values of
the current calculation run, and the targets with their base and target values (through the one
computation of :mod:`esgledger.services.targets`, so that a target's status is never typed).
A target's figures are facts of origin ``target``: its stated base value (``kind`` ``base``) and
its target value (``kind`` ``target``, the target year's figure, never an actual).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from esgledger.catalogue import Catalogue
from esgledger.domain import Period
from esgledger.ledger import report_sections
from esgledger.ledger import targets as target_records
from esgledger.ledger.reads import current_datapoints
from esgledger.ledger.runs import current_run, period_values
from esgledger.qa.facts import Fact, placed
from esgledger.store.schema import review_comments

Sees = Callable[[str], bool]


def previous_period(period: str) -> str:
    """The period a year before ``period`` (``2023`` for ``2024``, ``2023-03`` for ``2024-03``)."""
    return str(Period.parse(period).previous_year())


def ledger_facts(
    connection: sa.Connection, catalogue: Catalogue, periods: Iterable[str], sees: Sees
) -> list[Fact]:
    """Every data point and every value of the current run of ``periods``, of the entities
    ``sees`` accepts."""
    wanted = list(dict.fromkeys(periods))
    facts: list[Fact] = []
    explained = explanations(connection)
    for point in current_datapoints(connection, wanted):
        if not sees(point.entity_id):
            continue
        metric = catalogue.find(point.metric_id)
        facts.append(
            Fact(
                origin="datapoint",
                metric_key=point.metric_id,
                entity_id=point.entity_id,
                period=point.period,
                value=float(point.value_normalised),
                unit=metric.unit if metric is not None else point.unit,
                **placed("qa.place.datapoint", id=point.id, version=point.version),
                value_as_written=float(point.value),
                unit_as_written=point.unit,
                text_as_written=repr(float(point.value)),  # its decimals: how it was rounded
                footnote=point.note if point.note_public else None,
                reference=str(point.id),
                attributes={
                    "status": point.status,
                    "method": point.method,
                    "note": point.note or "",
                    "explanation": explained.get(point.id, ""),
                },
            )
        )
    for period in wanted:
        run = current_run(connection, period)
        if run is None:
            continue
        for (entity_id, metric_key), (value, unit) in sorted(
            period_values(connection, period).items()
        ):
            if not sees(entity_id):
                continue
            facts.append(
                Fact(
                    origin="computed",
                    metric_key=metric_key,
                    entity_id=entity_id,
                    period=period,
                    value=float(value),
                    unit=unit,
                    **placed("qa.place.computed", run=run.id, metric=metric_key, entity=entity_id),
                    reference=f"{metric_key}@{entity_id}@{period}",
                    attributes={"run_id": str(run.id)},
                )
            )
    return facts


def explanations(connection: sa.Connection) -> dict[int, str]:
    """Data point id -> the newest explanation of its change against last year (``explain`` in
    the review trail): the change check asks for one beside every move over the threshold."""
    rows = connection.execute(
        sa.select(review_comments.c.datapoint_id, review_comments.c.comment)
        .where(review_comments.c.action == "explain")
        .order_by(review_comments.c.id)
    )
    return {int(row.datapoint_id): str(row.comment or "") for row in rows}


def target_facts(
    connection: sa.Connection,
    shown: Callable[[sa.Connection, target_records.StoredTarget], dict[str, Any]],
    sees: Sees,
) -> tuple[list[Fact], list[dict[str, Any]]]:
    """The active targets the user sees, as the targets service shows them (``shown``: its one
    computation), and their figures as facts: the base value (``attributes['kind'] == 'base'``,
    the period its base year) and the target value (``'target'``, the target year)."""
    facts: list[Fact] = []
    targets: list[dict[str, Any]] = []
    for stored in target_records.current_targets(connection):
        if stored.state != target_records.ACTIVE:
            continue
        entity_id = str(stored.definition["entity_id"])
        if not sees(entity_id):
            continue
        target = shown(connection, stored)
        targets.append(target)
        # a base the target states itself (a base read from the ledger is the ledger's figure)
        aimed = (target.get("assessment") or {}).get("target_value")
        pairs = (
            ("base", target.get("base_year"), target.get("base_value")),
            ("target", target.get("target_year"), aimed),
        )
        for kind, year, value in pairs:
            if year is None or value is None:
                continue
            facts.append(
                Fact(
                    origin="target",
                    metric_key=str(target["metric_key"]),
                    entity_id=entity_id,
                    period=str(year),
                    value=float(value),
                    unit=stored.unit,
                    **placed(
                        f"qa.place.target_{'base' if kind == 'base' else 'aim'}",
                        target=stored.target_id,
                        version=stored.version,
                        year=year,
                    ),
                    reference=stored.target_id,
                    attributes={"kind": kind, "target_id": stored.target_id},
                )
            )
    return facts, targets


def period_sections(connection: sa.Connection, period: str, lang: str) -> dict[str, str]:
    """Section id -> the organisation's text in force for ``period`` in ``lang`` (the other
    language when the section has no text in ``lang``)."""
    found: dict[str, str] = {}
    for (section, section_lang), row in sorted(
        report_sections.in_force(connection, period).items(), key=lambda item: item[0][1] != lang
    ):
        found.setdefault(section, str(row["body"]))
        del section_lang
    return found


def template_sections(
    connection: sa.Connection, catalogue: Catalogue, period: str, lang: str
) -> dict[str, str]:
    """Section id -> title of the report's narrative sections whose text in ``lang`` is the
    shipped template (none stored for the period, or one stored unchanged), once the
    organisation has written a text of its own for the period: until then the whole report is
    the template's skeleton (coverage lists every narrative item as not met), after it a
    section left as the template is an oversight that would print the template's prompts."""
    from esgledger.report.full.build import outline_for
    from esgledger.report.full.sections import default_text, is_template

    stored = report_sections.in_force(connection, period)
    if all(
        is_template(section, text_lang, str(row["body"]))
        for (section, text_lang), row in stored.items()
    ):
        return {}  # no text of its own yet
    found = {}
    for section in outline_for(catalogue).sections():
        row = stored.get((section.id, lang))
        if (
            section.narrative
            and default_text(section.id, lang) is not None
            and (row is None or is_template(section.id, lang, str(row["body"])))
        ):
            found[section.id] = section.title[lang]
    return found
