"""The factor sets a ledger computes with, and new ones added without a new release of
esgledger: the next edition of a publication (the grid factor a ministry publishes next spring),
or the organisation's own factors (sets named ``org_*``), each with its source and validity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.errors import RuleFileError
from esgledger.factors.library import (
    ORGANISATION_SET_PREFIX,
    FactorLibrary,
    FactorSet,
    load_factor_set,
    load_library,
)
from esgledger.factors.persist import load_stored_library, store_set
from esgledger.service_errors import Invalid
from esgledger.services.operation import Capability, Reading, Writing, reads, writes
from esgledger.store.schema import factor_sets
from esgledger.units import UnitError, conversion_factor


class Factors(Capability):
    @reads("calc.read")
    def sets(self, call: Reading) -> list[dict[str, Any]]:
        """Every stored version of every factor set, with whose it is: shipped with esgledger,
        an edition imported since, or the organisation's own."""
        shipped = {identity for identity in load_library().sets}
        rows = call.connection.execute(
            sa.select(factor_sets).order_by(factor_sets.c.set_id, factor_sets.c.loaded_at)
        )
        library = load_stored_library(call.connection)
        in_effect = {(s.set_id, s.version) for s in library.sets.values()}
        return [
            {
                "set": row.set_id,
                "edition": row.edition,
                "version": row.version,
                "title": {"en": row.title_en, "zh": row.title_zh},
                "citation": row.citation,
                "loaded_at": row.loaded_at,
                "origin": _origin(row.set_id, row.edition, shipped),
                "in_effect": (row.set_id, row.version) in in_effect,
            }
            for row in rows
        ]

    @writes("factors.import")
    def import_file(self, call: Writing, path: Path, name: str | None = None) -> dict[str, Any]:
        """Store the factor set of ``path`` (the same YAML format as the shipped sets): a new
        edition of a publication, or a new set or version of the organisation's own; all
        checks pass (units, dates, sources, no two values of a factor from the same date,
        overrides of known factors in their unit) or nothing is stored."""
        file_name = name or path.name
        try:
            factor_set = load_factor_set(path)
        except RuleFileError as exc:
            raise Invalid(str(exc).replace(str(path), file_name), field="file") from exc
        stored = load_stored_library(call.connection)
        same = stored.sets.get((factor_set.set_id, factor_set.edition))
        if (
            same is not None
            and same.version == factor_set.version
            and same.sha256 == factor_set.sha256
        ):
            return {  # the very file stored already: nothing to do
                "factor_set": f"{factor_set.set_id}@{factor_set.version}",
                "edition": factor_set.edition,
                "factors": len(factor_set.series),
                "values": sum(len(v) for v in factor_set.series.values()),
                "unchanged": True,
            }
        _check_new(factor_set, stored)
        _check_units(factor_set, stored, file_name)
        try:
            merged = FactorLibrary(  # a new version of an own set replaces the stored one
                [
                    s
                    for key, s in stored.sets.items()
                    if key != (factor_set.set_id, factor_set.edition)
                ]
                + [factor_set]
            )
        except RuleFileError as exc:
            raise Invalid(f"{file_name}: {exc}", field="file") from exc
        _check_overrides(factor_set, merged, file_name)
        set_version = store_set(call.change, factor_set, "factors.import", {"file": file_name})
        return {
            "factor_set": set_version,
            "edition": factor_set.edition,
            "factors": len(factor_set.series),
            "values": sum(len(v) for v in factor_set.series.values()),
            "unchanged": False,
        }


def _origin(set_id: str, edition: str, shipped: set[tuple[str, str]]) -> str:
    if set_id.startswith(ORGANISATION_SET_PREFIX):
        return "organisation"
    return "built-in" if (set_id, edition) in shipped else "imported edition"


def _check_new(factor_set: FactorSet, stored: FactorLibrary) -> None:
    """A new edition of a publication, a corrected version of an edition (it replaces the
    stored one for the calculations to come; runs already stored keep citing the version they
    used), or the organisation's own set; never the same version with other contents."""
    same_edition = stored.sets.get((factor_set.set_id, factor_set.edition))
    own = factor_set.set_id.startswith(ORGANISATION_SET_PREFIX)
    known_set = any(key[0] == factor_set.set_id for key in stored.sets)
    if same_edition is not None and same_edition.version == factor_set.version:
        raise Invalid(
            f"{factor_set.set_id} edition {factor_set.edition!r} version "
            f"{factor_set.version!r} is stored with other values; a corrected file needs a new "
            "version",
            field="version",
        )
    if same_edition is not None:
        dropped = sorted(set(same_edition.series) - set(factor_set.series))
        if dropped:
            raise Invalid(
                f"{factor_set.set_id} version {factor_set.version!r} replaces version "
                f"{same_edition.version!r} of edition {factor_set.edition!r} but leaves out "
                f"{', '.join(dropped[:5])}{' ...' if len(dropped) > 5 else ''}: a corrected "
                "version holds every factor of the edition",
                field="factors",
            )
    if not known_set and not own:
        raise Invalid(
            f"{factor_set.set_id!r} is not a factor set of this ledger: a new edition keeps its "
            f"publication's set id; the organisation's own sets are named "
            f"{ORGANISATION_SET_PREFIX}<name>",
            field="set",
        )


def _check_units(factor_set: FactorSet, stored: FactorLibrary, file_name: str) -> None:
    """A factor keeps its unit from edition to edition: a new edition in another unit would
    change every figure computed with it by the ratio of the units, silently."""
    for key, values in factor_set.series.items():
        factor_id = f"{factor_set.set_id}.{key}"
        if factor_id in stored:
            _require_unit(
                file_name,
                key,
                values[0].unit,
                stored,
                factor_id,
                "a new edition keeps the factor's unit",
            )


def _check_overrides(factor_set: FactorSet, library: FactorLibrary, file_name: str) -> None:
    for key, values in factor_set.series.items():
        target = values[0].overrides
        if target is None:
            continue
        if target not in library or target.startswith(ORGANISATION_SET_PREFIX):
            raise Invalid(
                f"{file_name}: factor {key!r} overrides {target!r}, which is not a factor of the "
                "shipped or imported sets",
                field="overrides",
            )
        _require_unit(
            file_name,
            key,
            values[0].unit,
            library,
            target,
            "an override is in the unit of the factor it stands for",
        )


def _require_unit(
    file_name: str, key: str, unit: str, library: FactorLibrary, factor_id: str, rule: str
) -> None:
    """Invalid naming the file and factor when ``unit`` is not the unit of ``factor_id``."""
    expected = library.values(factor_id)[0].unit
    if not _same_unit(unit, expected):
        raise Invalid(
            f"{file_name}: factor {key!r} is in {unit!r} but {factor_id} is in {expected!r}: "
            f"{rule}",
            field="unit",
        )


def _same_unit(a: str, b: str) -> bool:
    try:
        return abs(conversion_factor(a, b) - 1.0) < 1e-12
    except UnitError:
        return False
