"""The organisation's own metrics, axes and members, beside the built-in catalogue.

An organisation adds what its report needs and esgledger does not ship (``esgledger catalogue
import FILE``): metrics whose ids start with ``org.``, axes whose ids start with ``org_``, and
members of built-in axes (a region, a product). They are validated exactly like the built-ins
(:func:`esgledger.catalogue.loader.load_catalogue` parses them with the same rules), and a built-in
is never shadowed: a metric, axis or member id that the package defines is refused.

The file is YAML (``metrics:``, ``axes:``, ``members:``, each keyed like the package's files) or
CSV (one input or derived metric per row). Each import adds a version holding the organisation's
whole catalogue: the previous version with the file's entries added or replaced. A metric keeps its
unit and kind for good (figures are stored in that unit): a change is refused, naming the metric.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path
from typing import Any

import yaml

from esgledger.catalogue.breakdowns import Axis, parse_partitions
from esgledger.errors import RuleFileError
from esgledger.ledger.canonical import canonical_json
from esgledger.rulefiles import bilingual, check_keys, read_rule_file

METRIC_PREFIX = "org."
AXIS_PREFIX = "org_"
GROUP = "organisation"
GROUP_TITLE = {"en": "The organisation's own metrics", "zh": "本组织自定义指标"}
SECTIONS = ("metrics", "axes", "members")
_METRIC_ID = re.compile(r"^org\.[a-z0-9_]+(\.[a-z0-9_]+)*$")
_AXIS_ID = re.compile(r"^org_[a-z0-9_]+$")
_MEMBER_ID = re.compile(r"^[A-Za-z0-9_]+$")
CSV_COLUMNS = (
    "id",
    "name_en",
    "name_zh",
    "unit",
    "kind",
    "aggregation",
    "count",
    "axes",
    "description",
    "function",
    "inputs",
)
_CSV_REQUIRED = ("id", "name_en", "name_zh", "unit")


def empty() -> dict[str, dict[str, Any]]:
    return {section: {} for section in SECTIONS}


def content_sha256(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def read_file(path: Path) -> dict[str, dict[str, Any]]:
    """The entries of an organisation catalogue file (``.yaml``/``.yml`` or ``.csv``); a
    :class:`RuleFileError` names the file, the row or key, and what was expected."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        content, _sha = read_rule_file(path)
        check_keys(str(path), content or {}, [], SECTIONS)
        read = empty()
        for section in SECTIONS:
            entries = (content or {}).get(section) or {}
            check_keys(f"{path}: {section}", entries, [], [str(k) for k in entries])
            read[section] = {str(k): v for k, v in entries.items()}
        if not any(read.values()):
            raise RuleFileError(str(path), "has no metrics, axes or members to add")
        return read
    if suffix == ".csv":
        return {"metrics": _read_csv(path), "axes": {}, "members": {}}
    raise RuleFileError(str(path), "expected a .yaml, .yml or .csv file")


def _read_csv(path: Path) -> dict[str, Any]:
    """One metric per row: ``id, name_en, name_zh, unit`` and optionally ``kind`` (input),
    ``aggregation``, ``count``, ``axes`` (``;``-separated), ``description``, and for a derived
    metric ``function`` and ``inputs`` (``;``-separated metric ids)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RuleFileError(str(path), "is not UTF-8 text") from exc
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in _CSV_REQUIRED if c not in columns]
    if missing:
        raise RuleFileError(str(path), f"missing column(s) {', '.join(missing)}")
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    if unknown:
        raise RuleFileError(
            str(path), f"unknown column(s) {', '.join(unknown)}; columns: {', '.join(CSV_COLUMNS)}"
        )
    metrics: dict[str, Any] = {}
    for number, raw in enumerate(reader, start=2):
        row = {str(k).strip(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        where = f"{path}: row {number}"
        for column in _CSV_REQUIRED:
            if not row.get(column):
                raise RuleFileError(where, f"column {column!r} is empty")
        metric_id = row["id"]
        if metric_id in metrics:
            raise RuleFileError(where, f"metric {metric_id!r} is given twice")
        metrics[metric_id] = _csv_spec(where, row)
    if not metrics:
        raise RuleFileError(str(path), "has no metric rows")
    return metrics


def _csv_spec(where: str, row: dict[str, str]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": {"en": row["name_en"], "zh": row["name_zh"]},
        "unit": row["unit"],
        "kind": row.get("kind") or "input",
    }
    if row.get("aggregation"):
        spec["aggregation"] = row["aggregation"]
    if row.get("count"):
        flag = row["count"].lower()
        if flag not in ("true", "false", "yes", "no", "1", "0"):
            raise RuleFileError(where, f"column 'count' is true or false, not {row['count']!r}")
        spec["count"] = flag in ("true", "yes", "1")
    if row.get("axes"):
        spec["axes"] = [a.strip() for a in row["axes"].split(";") if a.strip()]
    if row.get("description"):
        spec["description"] = row["description"]
    if spec["kind"] == "derived" and not (row.get("function") and row.get("inputs")):
        raise RuleFileError(
            where, "a derived metric needs the columns 'function' and 'inputs' (ids separated by ;)"
        )
    if row.get("function") or row.get("inputs"):
        if not (row.get("function") and row.get("inputs")):
            raise RuleFileError(where, "a derived metric needs both 'function' and 'inputs'")
        inputs = [i.strip() for i in row["inputs"].split(";") if i.strip()]
        spec["formula"] = {"function": row["function"], "inputs": inputs}
    return spec


def merged(
    previous: dict[str, dict[str, Any]],
    given: dict[str, dict[str, Any]],
    builtin_metrics: set[str],
    builtin_axes: dict[str, Axis],
    where: str,
) -> dict[str, dict[str, Any]]:
    """The organisation's catalogue after adding ``given`` to ``previous``: ids in the
    organisation's namespace, no built-in shadowed, a metric's unit and kind never changed."""
    for metric_id in given["metrics"]:
        _check_id(where, "metric", metric_id, builtin_metrics, _METRIC_ID, "org.red_mud_transport")
        before = previous["metrics"].get(metric_id)
        spec = given["metrics"][metric_id]
        if before is not None and isinstance(spec, dict):
            for key in ("unit", "kind"):
                if str(spec.get(key)) != str(before.get(key)):
                    raise RuleFileError(
                        where,
                        f"metric {metric_id!r} was imported with {key} {before.get(key)!r}; its "
                        f"figures are kept in it, so it cannot become {spec.get(key)!r}: give "
                        "the new metric a new id",
                    )
    for axis_id in given["axes"]:
        _check_id(where, "axis", axis_id, set(builtin_axes), _AXIS_ID, "org_shift")
    for axis_id, members in given["members"].items():
        if axis_id not in builtin_axes:
            raise RuleFileError(
                where,
                f"members: {axis_id!r} is not a built-in axis (add a new axis under 'axes:'); "
                f"axes: {', '.join(sorted(builtin_axes))}",
            )
        check_keys(f"{where}: members of {axis_id}", members, [], [str(m) for m in members])
        for member in members:
            if str(member) in builtin_axes[axis_id].members:
                raise RuleFileError(where, f"{axis_id} already has the member {member!r}")
    result = {section: dict(previous.get(section) or {}) for section in SECTIONS}
    result["metrics"].update(given["metrics"])
    result["axes"].update(given["axes"])
    for axis_id, members in given["members"].items():
        result["members"][axis_id] = {**result["members"].get(axis_id, {}), **members}
    return result


def _check_id(
    where: str, kind: str, given: str, builtin: set[str], pattern: re.Pattern[str], example: str
) -> None:
    """An id of the organisation's own (a metric, an axis): not a built-in one, and in the
    organisation's namespace (named like ``example``)."""
    if given in builtin:
        raise RuleFileError(where, f"{kind} {given!r} is a built-in {kind}")
    if not pattern.match(given):
        prefix = METRIC_PREFIX if kind == "metric" else AXIS_PREFIX
        raise RuleFileError(
            where,
            f"{kind} id {given!r}: the organisation's own are named {prefix}<name> (lower-case "
            f"letters, digits and _), for example {example}",
        )


def extended_axes(builtin: dict[str, Axis], content: dict[str, Any], where: str) -> dict[str, Axis]:
    """The built-in axes with the organisation's members added, and the organisation's axes."""
    axes = dict(builtin)
    for axis_id, members in (content.get("members") or {}).items():
        axis = axes[axis_id]
        added = {
            str(m): _member(f"{where}: member {axis_id}.{m}", m, v) for m, v in members.items()
        }
        axes[axis_id] = Axis(
            axis.id, axis.name, {**axis.members, **added}, axis.citation, axis.partitions
        )
    for axis_id, spec in (content.get("axes") or {}).items():
        at = f"{where}: axis {axis_id}"
        check_keys(at, spec, ["name", "members"], ["citation", "partitions"])
        members = spec["members"]
        if not isinstance(members, dict) or not members:
            raise RuleFileError(at, "needs at least one member")
        axes[axis_id] = Axis(
            axis_id,
            bilingual(f"{at}: name", spec["name"]),
            {str(m): _member(f"{at}: member {m}", m, v) for m, v in members.items()},
            str(spec.get("citation") or "defined by the organisation"),
            parse_partitions(at, spec.get("partitions"), members),
        )
    return axes


def _member(where: str, member: Any, labels: Any) -> dict[str, str]:
    if not _MEMBER_ID.match(str(member)):
        raise RuleFileError(where, "a member id is letters, digits and _")
    return bilingual(where, labels)


def dump_yaml(content: dict[str, Any]) -> str:
    """The organisation's catalogue as a file ``catalogue import`` reads back."""
    kept = {section: content[section] for section in SECTIONS if content.get(section)}
    return yaml.safe_dump(kept, allow_unicode=True, sort_keys=True)
