"""Read the metric catalogue YAML files and build the metric graph.

The parse pass records each derived metric's inputs; unknown references and cycles are load errors
that name the metric, the file and the path of the cycle (dbt's graph checks).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from esgledger.catalogue import organisation as org
from esgledger.catalogue.breakdowns import Axis, load_axes
from esgledger.catalogue.model import AGGREGATIONS, KINDS, Catalogue, FormulaSpec, Metric
from esgledger.errors import RuleFileError
from esgledger.rulefiles import bilingual, check_keys, read_rule_file
from esgledger.units import UnitError, parse_unit

DATA_DIR = Path(__file__).parent / "data"

_METRIC_REQUIRED = ["name", "unit", "kind"]
# Keys kept as the metric's attributes, for the formulas and the doors that read them.
_ATTRIBUTES = (
    "energy",
    "overrides",
    "bounds",
    "scope3",
    "scope3_category",
    "source",
    "density",
    "internal_supply",
)
_METRIC_OPTIONAL = [
    "aggregation",
    "nonnegative",
    "formula",
    "frameworks",
    "description",
    "roles",
    "count",
    "axes",
    *_ATTRIBUTES,
]
ROLE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_FRAMEWORKS = {"hkex", "sse", "gri", "ifrs_s2", "mof_climate"}


def load_catalogue(
    directory: Path = DATA_DIR,
    known_functions: set[str] | None = None,
    organisation: dict[str, Any] | None = None,
    organisation_where: str = "the organisation's catalogue",
) -> Catalogue:
    """Load every ``*.yaml`` file of ``directory``, and the organisation's own metrics, axes and
    members (:mod:`esgledger.catalogue.organisation`), into one checked :class:`Catalogue`."""
    metrics: dict[str, Metric] = {}
    groups: dict[str, dict[str, str]] = {}
    digest = hashlib.sha256()
    axes = load_axes()
    if organisation:
        axes = org.extended_axes(axes, organisation, organisation_where)
    for path in sorted(directory.glob("*.yaml")):
        content, sha = read_rule_file(path)
        digest.update(sha.encode())
        where = str(path)
        check_keys(where, content, ["group", "title", "metrics"])
        group = str(content["group"])
        groups[group] = bilingual(f"{where}: title", content["title"])
        for metric_id, spec in (content["metrics"] or {}).items():
            if metric_id in metrics:
                raise RuleFileError(
                    where,
                    f"metric {metric_id!r} is also defined in {metrics[metric_id].source_file}",
                )
            if str(metric_id).startswith(org.METRIC_PREFIX):
                raise RuleFileError(where, f"{org.METRIC_PREFIX}* ids are the organisation's")
            metrics[metric_id] = _parse_metric(where, str(metric_id), group, spec, axes)
    if organisation and organisation.get("metrics"):
        digest.update(org.content_sha256(organisation).encode())
        groups[org.GROUP] = dict(org.GROUP_TITLE)
        for metric_id, spec in organisation["metrics"].items():
            if metric_id in metrics:
                raise RuleFileError(organisation_where, f"metric {metric_id!r} is a built-in")
            metrics[metric_id] = _parse_metric(organisation_where, metric_id, org.GROUP, spec, axes)
    if known_functions is not None:
        for metric in metrics.values():
            if metric.formula and metric.formula.function not in known_functions:
                raise RuleFileError(
                    metric.source_file,
                    f"metric {metric.id!r}: unknown formula function {metric.formula.function!r} "
                    f"(known: {', '.join(sorted(known_functions))})",
                )
    order = _dependency_order(metrics)
    return Catalogue(
        metrics=metrics,
        order=order,
        groups=groups,
        sha256=digest.hexdigest(),
        roles=_roles(metrics),
        axes=axes,
    )


def _roles(metrics: dict[str, Metric]) -> dict[str, str]:
    """``role -> metric id``; a role declared by two metrics is an error naming both."""
    roles: dict[str, str] = {}
    for metric in metrics.values():
        for role in metric.roles:
            if role in roles:
                raise RuleFileError(
                    metric.source_file,
                    f"metric {metric.id!r}: role {role!r} is already played by {roles[role]!r}",
                )
            roles[role] = metric.id
    return roles


def _parse_metric(
    where: str, metric_id: str, group: str, spec: Any, axes: dict[str, Axis]
) -> Metric:
    at = f"{where}: metric {metric_id!r}"
    check_keys(at, spec, _METRIC_REQUIRED, _METRIC_OPTIONAL)
    unit = str(spec["unit"])
    try:
        parse_unit(unit)
    except UnitError as exc:
        raise RuleFileError(at, str(exc)) from exc
    kind = str(spec["kind"])
    if kind not in KINDS:
        raise RuleFileError(at, f"kind {kind!r} is not one of {', '.join(KINDS)}")
    aggregation = str(spec.get("aggregation", "sum"))
    if aggregation not in AGGREGATIONS:
        raise RuleFileError(
            at, f"aggregation {aggregation!r} is not one of {', '.join(AGGREGATIONS)}"
        )
    formula = None
    if kind == "derived":
        if "formula" not in spec:
            raise RuleFileError(at, "a derived metric needs a 'formula'")
        raw = spec["formula"]
        check_keys(f"{at} formula", raw, ["function", "inputs"], ["params"])
        formula = FormulaSpec(
            function=str(raw["function"]),
            inputs=tuple(str(i) for i in raw["inputs"]),
            params=dict(raw.get("params") or {}),
        )
    elif "formula" in spec:
        raise RuleFileError(at, "an input metric cannot have a 'formula'")
    frameworks = spec.get("frameworks") or {}
    for framework in frameworks:
        if framework not in _FRAMEWORKS:
            raise RuleFileError(at, f"unknown framework {framework!r}")
    attributes = {key: spec[key] for key in _ATTRIBUTES if key in spec}
    if spec.get("internal_supply", "consumed") != "consumed":
        raise RuleFileError(
            at,
            f"internal_supply may only be 'consumed' (kept up the tree), not "
            f"{spec['internal_supply']!r}; leave it out to eliminate internal supplies",
        )
    category = spec.get("scope3_category")
    if category is not None and (
        kind != "derived" or isinstance(category, bool) or category not in range(1, 16)
    ):
        raise RuleFileError(
            at,
            f"scope3_category is a GHG Protocol Scope 3 category (1 to 15) on a derived metric, "
            f"not {category!r}",
        )
    bounds = spec.get("bounds")
    if bounds is not None:
        check_keys(f"{at} bounds", bounds, [], ["min", "max"])
    roles = spec.get("roles") or []
    if not isinstance(roles, list) or not all(
        isinstance(r, str) and ROLE_PATTERN.match(r) for r in roles
    ):
        raise RuleFileError(
            at, f"roles must be a list of names like base_year_total, not {roles!r}"
        )
    return Metric(
        id=metric_id,
        name=bilingual(f"{at} name", spec["name"]),
        unit=unit,
        kind=kind,
        aggregation=aggregation,
        group=group,
        source_file=where,
        nonnegative=bool(spec.get("nonnegative", True)),
        count=_count(at, spec.get("count", False), kind),
        formula=formula,
        frameworks={k: tuple(str(c) for c in v) for k, v in frameworks.items()},
        attributes=attributes,
        description=str(spec.get("description", "")),
        roles=tuple(roles),
        axes=_axes(at, spec.get("axes") or [], axes),
    )


def _axes(at: str, given: Any, known: dict[str, Axis]) -> tuple[str, ...]:
    """The breakdown axes a metric declares: known axes (catalogue/axes.yaml and the
    organisation's), each once."""
    if not isinstance(given, list) or len(set(map(str, given))) != len(given):
        raise RuleFileError(at, f"axes must be a list of distinct axis ids, not {given!r}")
    for axis in given:
        if str(axis) not in known:
            raise RuleFileError(at, f"unknown axis {axis!r}; axes: {', '.join(sorted(known))}")
    return tuple(str(axis) for axis in given)


def _dependency_order(metrics: dict[str, Metric]) -> list[str]:
    """Topological order of the metric graph; unknown inputs and cycles raise RuleFileError."""
    for metric in metrics.values():
        for ref in metric.formula.inputs if metric.formula else ():
            if ref not in metrics:
                raise RuleFileError(
                    metric.source_file, f"metric {metric.id!r} uses unknown metric {ref!r}"
                )
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(metric_id: str, path: list[str]) -> None:
        if state.get(metric_id) == "done":
            return
        if state.get(metric_id) == "visiting":
            cycle = path[path.index(metric_id) :] + [metric_id]
            raise RuleFileError(
                metrics[metric_id].source_file, "metric cycle: " + " -> ".join(cycle)
            )
        state[metric_id] = "visiting"
        formula = metrics[metric_id].formula
        for ref in formula.inputs if formula else ():
            visit(ref, path + [metric_id])
        state[metric_id] = "done"
        order.append(metric_id)

    for metric_id in sorted(metrics):
        visit(metric_id, [])
    return order


def _count(at: str, declared: Any, kind: str) -> bool:
    """Whether the metric counts things (people, cases): its values are whole numbers."""
    if not isinstance(declared, bool):
        raise RuleFileError(at, f"count must be true or false, not {declared!r}")
    if declared and kind != "input":
        raise RuleFileError(at, "only an input metric can be a count (a rate or average is not)")
    return declared
