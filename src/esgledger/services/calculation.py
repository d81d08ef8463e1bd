"""Calculations: compute and store a period's inventory (then restate the base year when the
boundary or method moved it past the threshold), the stored values, re-deriving them from their
lineage, and the bulk activity path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from esgledger.calc import CalcOptions, runner
from esgledger.calc.gaps import NOT_COMPUTABLE, Gap
from esgledger.calc.options import option_choices, option_default, option_help
from esgledger.calc.recompute import Recomputed, recompute_all
from esgledger.calc.results import save_run, scope3_option
from esgledger.collector import collection_paused
from esgledger.domain import Period
from esgledger.ledger.locks import refuse_locked
from esgledger.ledger.reads import load_entities
from esgledger.ledger.runs import load_run_records, load_tree, period_values, run_gaps
from esgledger.ledger.verify import verify
from esgledger.lineage import key
from esgledger.service_errors import Invalid, NotFound
from esgledger.services.operation import Call, Capability, Reading, reads, staged
from esgledger.services.organisation import known_metric
from esgledger.workflow.periods import parse_period

if TYPE_CHECKING:  # DuckDB and Arrow load only for activity files
    from esgledger.calc.bulk.service import ActivityCalc

__all__ = [
    "Calculated",
    "Calculation",
    "option_choices",
    "option_default",
    "option_help",
    "options_from",
]
LEDGER_DIFFERENCE = "audit verify"  # the key of recompute's first difference on a tampered ledger


@dataclass
class Calculated:
    """A stored inventory: its period, run, number of values, options, any restatement, and the
    values it could not compute (or that are not reported), with why."""

    period: str
    run_id: int
    values: int
    options: dict[str, str]
    restatement: runner.Restatement | None
    gaps: list[Gap] = field(default_factory=list)
    input_statuses: dict[str, int] = field(default_factory=dict)  # data points read, by status

    @property
    def unapproved_inputs(self) -> int:
        """How many of the data points read are not approved (drafts, submitted, rejected)."""
        return sum(n for status, n in self.input_statuses.items() if status != "approved")

    @property
    def not_computable(self) -> list[Gap]:
        return [gap for gap in self.gaps if gap.kind == NOT_COMPUTABLE]

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "run_id": self.run_id,
            "values": self.values,
            "options": self.options,
            "restatement": None if self.restatement is None else self.restatement.as_dict(),
            "gaps": [gap.as_dict() for gap in self.gaps],
            "input_statuses": dict(sorted(self.input_statuses.items())),
        }


def seen_cause(gap: dict[str, Any], sees: Callable[[str], bool]) -> dict[str, Any]:
    """A gap as a user sees it: its cause withheld (None) when the cause lies at an entity
    outside the user's scope."""
    cause_entity = gap["cause"].split("@")[1]
    return gap if sees(cause_entity) else gap | {"cause": None}


def calculate_first(period: str) -> str:
    """How to calculate ``period``, through each door."""
    return (
        f"calculate {period} first: 'esgledger calc --period {period}', POST "
        f"/api/v1/calculations or the Calculate button of the period's page"
    )


def options_from(options: CalcOptions | dict[str, str] | None) -> CalcOptions:
    if isinstance(options, CalcOptions):
        return options
    try:
        return CalcOptions(**(options or {}))
    except (TypeError, ValueError) as exc:
        raise Invalid(f"calculation options: {exc}", field="options") from exc


class Calculation(Capability):
    @staged("calc.run")
    def run(
        self, call: Call, period: str, options: CalcOptions | dict[str, str] | None = None
    ) -> Calculated:
        """Compute every derived metric for every entity of the period (no lock held while
        computing) and store it as the period's current inventory; then check the base year."""
        name = str(parse_period(period))
        chosen = options_from(options)
        catalogue = self.context.catalogue
        with collection_paused():  # tens of thousands of lineage records, none in cycles
            with call.reading() as connection:
                inventory = runner.compute(connection, catalogue, Period.parse(name), chosen)
            with call.writing() as change:
                refuse_locked(change.connection, [name], "the calculation")
                run_id = save_run(change, inventory, catalogue.sha256)
                restatement = runner.check_base_year(change, catalogue, Period.parse(name), chosen)
        options = chosen.as_dict() | scope3_option(inventory.scope3_categories)
        gaps = sorted(inventory.gaps.values(), key=lambda gap: (gap.kind, gap.key))
        return Calculated(
            name,
            run_id,
            len(inventory.results),
            options,
            restatement,
            gaps,
            inventory.input_statuses,
        )

    @reads("calc.read")
    def values(
        self, call: Reading, period: str, entity: str | None = None, metric: str | None = None
    ) -> list[dict[str, Any]]:
        """The stored values of the period's current inventory in the user's scope."""
        if entity is not None and not call.actor.sees(entity):
            raise NotFound(f"no entity {entity!r}", field="entity")
        name = str(parse_period(period))
        stored = period_values(call.connection, name)
        return [
            {"entity": e, "metric": m, "period": name, "value": v, "unit": u}
            for (e, m), (v, u) in sorted(stored.items())
            if call.actor.sees(e) and entity in (None, e) and metric in (None, m)
        ]

    @reads("calc.read")
    def gaps(self, call: Reading, period: str) -> list[dict[str, Any]]:
        """The values the period's current inventory could not compute (or that are not
        reported), with the reason and the value whose failure caused each, in the user's scope
        (a cause at an entity the user may not see is withheld); first-hand failures first."""
        name = str(parse_period(period))
        found = [
            seen_cause(gap, call.actor.sees) | {"first_hand": gap["cause"] == gap["key"]}
            for gap in run_gaps(call.connection, name).values()
            if call.actor.sees(gap["entity"])
        ]
        return sorted(
            found,
            key=lambda gap: (not gap["first_hand"], gap["kind"], gap["entity"], gap["metric"]),
        )

    @reads("calc.read")
    def trends(
        self, call: Reading, period: str, roles: list[str], years: int = 5
    ) -> list[dict[str, Any]]:
        """The metric playing each of ``roles`` (catalogue roles) at the top entity the user
        sees, over up to ``years`` years ending with ``period`` (from the first year with a
        calculation)."""
        metrics = [self.context.catalogue.role(role).id for role in roles]
        visible = {e.id: e for e in load_entities(call.connection) if call.actor.sees(e.id)}
        roots = sorted(e.id for e in visible.values() if e.parent_id not in visible)
        if not roots:
            return []
        end = parse_period(period).year
        names = [str(y) for y in range(end - years + 1, end + 1)]
        stored = {y: period_values(call.connection, y, roots[:1]) for y in names}
        while len(names) > 1 and not stored[names[0]]:
            names.pop(0)
        trends = []
        for metric_id in metrics:
            found = [stored[y].get((roots[0], metric_id)) for y in names]
            if not any(found):
                continue
            unit = next(f[1] for f in found if f)
            points = [
                {"period": y, "value": f[0] if f else None}
                for y, f in zip(names, found, strict=True)
            ]
            trends.append({"metric": metric_id, "entity": roots[0], "unit": unit, "points": points})
        return trends

    @reads("calc.recompute")
    def recompute(
        self,
        call: Reading,
        period: str,
        metric: str | None = None,
        entity: str | None = None,
    ) -> list[Recomputed]:
        """Re-derive the stored values of the period's current inventory (or one value and its
        tree) from their lineage and report each difference. A ledger whose tables differ from
        its audit log is reported first: its rows are no baseline to re-derive against."""
        name = str(parse_period(period))
        connection = call.connection
        if (metric is None) != (entity is None):
            raise Invalid(
                "recompute one value with both metric and entity, or the whole period with neither",
                field="metric" if metric is None else "entity",
            )
        if metric and entity:
            known_metric(self.context.catalogue, metric)
            records = load_tree(connection, key(metric, entity, name))
            if not records:
                raise NotFound(f"no calculated value for {key(metric, entity, name)}")
        else:
            records = load_run_records(connection, name)
            if not records:
                raise NotFound(f"no calculation for {name}: {calculate_first(name)}")
        entities = {e.id: e for e in load_entities(connection)}
        ledger = verify(connection)
        checks = recompute_all(connection, records, self.context.catalogue, entities)
        if not ledger.ok:
            problem = f"the ledger's tables are not what its audit log recorded: {ledger.problem}"
            checks.insert(0, Recomputed(LEDGER_DIFFERENCE, "ledger", 0.0, None, problem))
        return checks

    @staged("calc.run")
    def activity(
        self, call: Call, period: str, options: CalcOptions | dict[str, str] | None = None
    ) -> ActivityCalc:
        """Compute the year's activity files in SQL and store the monthly activity.* results."""
        from esgledger.calc.bulk.service import (
            ActivityCalc,
            activity_values,
            compute_activity,
            store_activity,
        )
        from esgledger.ingest.activity import reporting_year

        year = reporting_year(period)
        chosen = options_from(options)
        catalogue = self.context.catalogue
        with call.reading() as connection:
            files, result = compute_activity(
                connection, year, catalogue, chosen, self.context.files.activity
            )
        values = activity_values(result, files, catalogue, chosen)
        with call.writing() as change:
            written = store_activity(change, year, values, catalogue)
        return ActivityCalc(str(year), len(files), result.records, len(values), written)
