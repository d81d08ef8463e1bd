"""Targets (issue 10, part 1): create, change, withdraw, import and export them, and show them
with their status, computed from the ledger each time (:mod:`esgledger.assess.targets`).

Every door (CLI, API, web page, dashboard) and the report call :meth:`Targets.listing` or
:meth:`Targets.show`, which both go through :meth:`Targets._shown`: a target shown in two places
is one computation over one record and can never show two values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.assess.targets import (
    Observation,
    TargetDefinition,
    TargetError,
    assess,
    check,
    definition_from_dict,
    load_rules,
)
from esgledger.assess.targets.status import LEDGER, REPORTED, RESTATED
from esgledger.assess.targets.table import (
    COLUMNS,
    REQUIRED,
    csv_bytes,
    definition_from_text,
    text_of,
    xlsx_bytes,
)
from esgledger.catalogue.breakdowns import (
    COVERS,
    BreakdownError,
    covers_text,
    dimensions_text,
    metric_key,
    parse_dimensions,
    split_key,
)
from esgledger.domain import OrgTree
from esgledger.errors import InputIssue, InputRejected
from esgledger.i18n import LANGUAGES, Strings
from esgledger.identifiers import ENTITY_ID_RULE, is_entity_id
from esgledger.ingest.tables import check_columns, read_table
from esgledger.ledger import locks
from esgledger.ledger import targets as repository
from esgledger.ledger.reads import load_entities
from esgledger.service_errors import Conflict, Invalid, NotFound
from esgledger.services.operation import Capability, Reading, Writing, reads, writes

EXPORT_FORMATS = ("csv", "xlsx")


class Targets(Capability):
    # -- reading -------------------------------------------------------------------------------
    @reads("target.read")
    def listing(self, call: Reading, include_withdrawn: bool = True) -> list[dict[str, Any]]:
        """Every target the user may see (their entities'), each with its status now."""
        scope = None if call.actor.group_wide else set(call.actor.scope or ())
        stored = repository.current_targets(call.connection, scope)
        return [
            self._shown(call.connection, t)
            for t in stored
            if include_withdrawn or t.state == repository.ACTIVE
        ]

    @reads("target.read")
    def show(self, call: Reading, target_id: str) -> dict[str, Any]:
        """One target with its status now and every version it had."""
        stored = self._visible(call, target_id)
        shown = self._shown(call.connection, stored)
        shown["history"] = [
            {**v.summary(), "definition": v.definition}
            for v in repository.history(call.connection, target_id)
        ]
        return shown

    @reads("target.read")
    def export(self, call: Reading, file_format: str = "csv") -> bytes:
        """The targets in force as a CSV or XLSX file that :meth:`import_file` reads back."""
        if file_format not in EXPORT_FORMATS:
            raise Invalid(
                f"format: expected {' or '.join(EXPORT_FORMATS)}, found {file_format!r}",
                field="format",
            )
        scope = None if call.actor.group_wide else set(call.actor.scope or ())
        rows = [
            text_of(definition_from_dict(t.definition))
            for t in repository.current_targets(call.connection, scope)
            if t.state == repository.ACTIVE
        ]
        return csv_bytes(rows) if file_format == "csv" else xlsx_bytes(rows)

    @reads("target.read")
    def choices(self, call: Reading) -> dict[str, Any]:
        """What a target may declare (kinds, gases, scopes), for the forms."""
        rules = load_rules()
        return {"kinds": rules.kinds, "gases": list(rules.gases), "scopes": list(rules.scopes)}

    # -- writing -------------------------------------------------------------------------------
    @writes("target.create")
    def create(self, call: Writing, data: Mapping[str, Any], text: bool = False) -> dict[str, Any]:
        """Store a new target (``text``: ``data`` is a row of text as a file or a form has it,
        :mod:`esgledger.assess.targets.table`; else the structured form of the API)."""
        definition = self._parsed(data, text)
        call.authorize("target.create", definition.entity_id)
        if repository.read_target(call.connection, definition.target_id) is not None:
            raise Conflict(
                f"target {definition.target_id} exists already: change it (a new version) or "
                "choose another id",
                field="target_id",
            )
        definition, unit = self._checked(call, definition)
        stored = repository.store_version(call.change, definition.as_dict(), unit, "target.create")
        return self._shown(call.connection, stored)

    @writes("target.update")
    def update(
        self, call: Writing, target_id: str, data: Mapping[str, Any], text: bool = False
    ) -> dict[str, Any]:
        """Store a changed target as its next version (the id cannot change)."""
        before = self._visible(call, target_id)
        call.authorize("target.update", str(before.definition["entity_id"]))
        definition = self._parsed({**data, "target_id": target_id}, text)
        if before.state != repository.ACTIVE:
            raise Conflict(f"target {target_id} is withdrawn: it cannot change", field="target_id")
        definition, unit = self._checked(call, definition, before.definition)
        stored = repository.store_version(call.change, definition.as_dict(), unit, "target.update")
        return self._shown(call.connection, stored)

    @writes("target.withdraw")
    def withdraw(self, call: Writing, target_id: str, reason: str) -> dict[str, Any]:
        """Withdraw a target, with the reason: a new version, never a deletion."""
        before = self._visible(call, target_id)
        call.authorize("target.withdraw", str(before.definition["entity_id"]))
        if before.state != repository.ACTIVE:
            raise Conflict(f"target {target_id} is withdrawn already", field="target_id")
        if not reason.strip() or len(reason) > 2000:
            raise Invalid(
                "reason: say why the target is withdrawn (at most 2000 characters)", field="reason"
            )
        stored = repository.store_version(
            call.change,
            before.definition,
            before.unit,
            "target.withdraw",
            repository.WITHDRAWN,
            reason.strip(),
        )
        return self._shown(call.connection, stored)

    @writes("target.import")
    def import_file(self, call: Writing, path: Path, name: str | None = None) -> dict[str, Any]:
        """Targets from a CSV or XLSX file (columns of :data:`COLUMNS`): new ids created,
        changed ones stored as new versions, the rest left; all or nothing, every problem
        named by row, cell and column."""
        call.authorize("target.import")
        table = read_table(path, preferred_sheet="Targets")
        file_name = name or path.name
        issues = check_columns(table, list(REQUIRED), [c for c in COLUMNS if c not in REQUIRED])
        if issues:
            raise InputRejected(issues)
        parsed: list[tuple[int, dict[str, str], TargetDefinition]] = []
        for row, cells in table:
            try:
                parsed.append((row, cells, definition_from_text(cells)))
            except TargetError as error:
                issues.append(_issue(table, file_name, row, cells, error))
        in_file = {d.target_id: d for _row, _cells, d in parsed}
        seen: set[str] = set()
        plans: list[tuple[TargetDefinition, str, str]] = []
        for row, cells, definition in parsed:
            before = repository.read_target(call.connection, definition.target_id)
            try:
                if definition.target_id in seen:
                    raise TargetError("target_id", "each target once per file")
                seen.add(definition.target_id)
                if before is not None and before.state == repository.WITHDRAWN:
                    raise TargetError("target_id", "a target in force (this one is withdrawn)")
                checked, unit = self._checked(
                    call, definition, before.definition if before else None, in_file
                )
            except (TargetError, Invalid, NotFound) as error:
                problem = (
                    error
                    if isinstance(error, TargetError)
                    else TargetError(error.field or "target_id", error.message)
                )
                issues.append(_issue(table, file_name, row, cells, problem))
                continue
            if before is None:
                plans.append((checked, unit, "target.create"))
            elif before.definition != checked.as_dict():
                plans.append((checked, unit, "target.update"))
        if issues:
            raise InputRejected(issues)
        for definition, unit, action in plans:
            repository.store_version(call.change, definition.as_dict(), unit, action)
        created = sum(1 for p in plans if p[2] == "target.create")
        return {
            "file": file_name,
            "created": created,
            "updated": len(plans) - created,
            "unchanged": len(parsed) - len(plans),
        }

    # -- the one computation ---------------------------------------------------------------------
    def _shown(self, connection: sa.Connection, stored: repository.StoredTarget) -> dict[str, Any]:
        """A target as every door shows it: its record and its status computed now."""
        definition = definition_from_dict(stored.definition)
        assessment = assess(
            definition,
            self._base(connection, definition),
            self._current(connection, definition),
            load_rules().method_options,
        )
        shown = {
            **stored.definition,
            **stored.summary(),
            "unit": stored.unit,
            "assessment": assessment.as_dict(),
        }
        reason = shown["assessment"]["reason"]
        if reason is not None:  # the same words at every door, in both languages
            key = f"target.reason.{reason['code']}"
            reason["text"] = {lang: Strings(lang)(key, **reason["args"]) for lang in LANGUAGES}
        if stored.state != repository.ACTIVE:
            shown["assessment"]["status"] = "withdrawn"
        return shown

    def _base(self, connection: sa.Connection, target: TargetDefinition) -> Observation | None:
        assert target.base_year is not None
        if target.base_value is not None:
            return Observation(
                target.base_year,
                target.base_value,
                REPORTED,
                estimate=target.base_method == "estimated",
            )
        key = _ledger_key(target)
        found, restated = repository.base_value(connection, key, target.entity_id, target.base_year)
        if found is None:
            return None
        return Observation(
            target.base_year,
            found.value,
            RESTATED if restated else LEDGER,
            found.run_id,
            found.options,
            estimate=repository.only_estimates(connection, key, target.entity_id, found.period),
        )

    def _current(self, connection: sa.Connection, target: TargetDefinition) -> Observation | None:
        assert target.base_year is not None and target.target_year is not None
        found = repository.newest_value(
            connection, _ledger_key(target), target.entity_id, target.base_year, target.target_year
        )
        if found is None:
            return None
        return Observation(int(found.period), found.value, LEDGER, found.run_id, found.options)

    # -- checks ----------------------------------------------------------------------------------
    def _visible(self, call: Reading | Writing, target_id: str) -> repository.StoredTarget:
        stored = repository.read_target(call.connection, target_id)
        if stored is None or not call.actor.sees(str(stored.definition["entity_id"])):
            raise NotFound(f"no target {target_id!r}", field="target_id")
        return stored

    def _parsed(self, data: Mapping[str, Any], text: bool) -> TargetDefinition:
        try:
            return definition_from_text(data) if text else definition_from_dict(data)
        except TargetError as error:
            raise Invalid(
                error.message if error.field in error.message else str(error), field=error.field
            ) from error
        except (TypeError, ValueError, KeyError) as error:
            raise Invalid(f"the target is not well formed: {error}", field="target") from error

    def _checked(
        self,
        call: Reading | Writing,
        target: TargetDefinition,
        before: dict[str, Any] | None = None,
        in_file: Mapping[str, TargetDefinition] | None = None,
    ) -> tuple[TargetDefinition, str]:
        """Refuse what cannot be stored (naming the field); the target as stored (its boundary
        spelt as the ledger keys it) and the metric's unit."""
        if not is_entity_id(target.target_id):
            raise Invalid(
                f"target_id: {ENTITY_ID_RULE}, found {target.target_id!r}", field="target_id"
            )
        call.authorize("target.create", target.entity_id)
        catalogue = self.context.catalogue
        metric_id, members = split_key(target.metric_key)
        metric = catalogue.find(metric_id)
        if metric is None:
            raise Invalid(f"metric_key: unknown metric {metric_id!r}", field="metric_key")
        try:
            given = parse_dimensions(
                dimensions_text(members), metric.id, metric.axes, catalogue.axes
            )
        except BreakdownError as error:
            raise Invalid(f"metric_key: {error}", field="metric_key") from error
        if metric_key(metric.id, given) != target.metric_key:
            raise Invalid(
                f"metric_key: write it as {metric_key(metric.id, given)!r}", field="metric_key"
            )
        entities = load_entities(call.connection)
        if target.entity_id not in {e.id for e in entities}:
            raise Invalid(f"entity: unknown entity {target.entity_id!r}", field="entity_id")
        if target.covers:
            subtree = {target.entity_id, *OrgTree(entities).descendants(target.entity_id)}
            try:
                boundary = covers_text(target.entity_id, target.covers, subtree)
            except BreakdownError as error:
                raise Invalid(f"covers: {error}", field="covers") from error
            target = replace(target, covers=boundary or None)
        try:
            check(target, load_rules(), metric.aggregation == "ratio")
        except TargetError as error:
            raise Invalid(str(error), field=error.field) from error
        if target.net:
            self._check_gross(call, target, in_file or {})
        if target.base_value is not None and (
            before is None
            or before.get("base_value") != target.base_value
            or before.get("base_year") != target.base_year
        ):
            locks.refuse_locked(
                call.connection, [str(target.base_year)], "the target's reported base value"
            )
        return target, metric.unit

    def _check_gross(
        self, call: Reading | Writing, target: TargetDefinition, in_file: Mapping[str, Any]
    ) -> None:
        gross_id = str(target.gross_target)
        stored = repository.read_target(call.connection, gross_id)
        gross = (
            in_file[gross_id].as_dict()
            if gross_id in in_file
            else stored.definition
            if stored is not None and stored.state == repository.ACTIVE
            else None
        )
        if gross is None:
            raise Invalid(
                f"gross_target: no target {gross_id!r} in force; a net target needs its gross "
                "target stored first (IFRS S2 36(e))",
                field="gross_target",
            )
        if gross["net"]:
            raise Invalid(f"gross_target: {gross_id} is a net target itself", field="gross_target")
        if (split_key(gross["metric_key"])[0], gross["entity_id"]) != (
            split_key(target.metric_key)[0],
            target.entity_id,
        ):
            raise Invalid(
                f"gross_target: {gross_id} is on {gross['metric_key']} of {gross['entity_id']}; "
                f"the net target is on {target.metric_key} of {target.entity_id}",
                field="gross_target",
            )


def _ledger_key(target: TargetDefinition) -> str:
    """The key the calculation stores the target's figure under (members and ``covers``)."""
    metric_id, members = split_key(target.metric_key)
    if target.covers:
        members = {**members, COVERS: target.covers}
    return metric_key(metric_id, members)


def _issue(
    table: Any, file_name: str, row: int, cells: Mapping[str, Any], error: TargetError
) -> InputIssue:
    column = error.field.split("[")[0]
    column = {"entity_id": "entity", "target_value": "target", "target_change": "target"}.get(
        column, column
    )
    found = cells.get(column, cells.get(error.field, ""))
    return InputIssue(
        file_name,
        row,
        column,
        "" if found is None else str(found),
        error.message,
        table.cell(row, column) if column in COLUMNS else None,
    )
