"""Read the framework catalogues (``frameworks/data/*.yaml``, one file per edition) strictly.

A file is refused, naming it and the item, for: an unknown key, a duplicate id (the strict YAML
reader), a missing English or Chinese title, an unknown obligation level, kind, confidence tag or
effective basis, a conditional item without its trigger (or a trigger on another level), a unit
that is not a unit or a unit on a narrative item, a parent that is not in the edition (or a cycle),
a phase-in step of an issuer class the edition does not declare, a doubtful value ([!] or [NC] in
frameworks-2026.md) not marked ``unconfirmed``, an item listed under ``no_omission`` that does not
exist. Across files (:func:`load_library`): an edition twice, a prefix shared by two frameworks, a
``superseded_by`` that names no item of the framework, a catalogue metric whose framework code
names no item (the catalogue's codes are the one truth of which metric meets which item), a topic
of the topic library that refers to an item no catalogue has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from esgledger.assess.topics import TOPICS_FILE, TopicLibrary, builtin_topics
from esgledger.catalogue import Catalogue
from esgledger.catalogue.loader import load_catalogue
from esgledger.errors import RuleFileError
from esgledger.frameworks.model import (
    BASES,
    CONFIDENCES,
    DOUBTFUL,
    KINDS,
    LEVELS,
    Alias,
    Edition,
    FrameworkLibrary,
    Item,
    OmissionReason,
    PhaseIn,
)
from esgledger.rulefiles import bilingual, check_keys, read_rule_file
from esgledger.units import UnitError, parse_unit

DATA_DIR = Path(__file__).parent / "data"
FRAMEWORK_ID = re.compile(r"^[a-z][a-z0-9_]*$")
PREFIX = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.()\-]*$")
_FILE_REQUIRED = [
    "framework",
    "edition",
    "prefix",
    "catalogue_key",
    "names",
    "effective_from",
    "effective_basis",
    "source",
    "confidence",
    "omission_reasons",
    "no_omission",
    "items",
]
_FILE_OPTIONAL = ["aliases", "issuer_classes", "note"]
_ITEM_REQUIRED = ["title", "level", "kind", "source"]
_ITEM_OPTIONAL = [
    "parent",
    "trigger",
    "unit",
    "effective_from",
    "effective_basis",
    "superseded_by",
    "phase_in",
    "confidence",
    "unconfirmed",
    "note",
]


def _date(at: str, key: str, value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RuleFileError(at, f"{key} {value!r} is not a date (YYYY-MM-DD)") from None


def _one_of(at: str, key: str, value: Any, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if str(value) not in allowed:
        raise RuleFileError(at, f"{key} {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _titles(at: str, value: Any) -> dict[str, str]:
    titles = bilingual(at, value)
    for language, text in titles.items():
        if not text.strip() or text == "None":
            raise RuleFileError(at, f"the {language} text is empty")
    return titles


def _ids(at: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleFileError(at, f"{key} must be a list of item ids (quoted strings)")
    return tuple(value)


def _doubt(at: str, confidence: str, unconfirmed: Any) -> str | None:
    if confidence in DOUBTFUL and not unconfirmed:
        raise RuleFileError(
            at,
            f"confidence {confidence!r} needs `unconfirmed: <why>` (ship it marked, not as fact)",
        )
    return str(unconfirmed) if unconfirmed else None


def _item(where: str, head: Mapping[str, Any], item_id: Any, spec: Any) -> Item:
    if not isinstance(item_id, str) or not ITEM_ID.match(item_id):
        raise RuleFileError(where, f'item id {item_id!r} must be a quoted id such as "24.2a"')
    at = f"{where}: item {item_id!r}"
    check_keys(at, spec, _ITEM_REQUIRED, _ITEM_OPTIONAL)
    level = _one_of(at, "level", spec["level"], LEVELS)
    kind = _one_of(at, "kind", spec["kind"], KINDS)
    trigger = spec.get("trigger")
    if level == "conditional" and not trigger:
        raise RuleFileError(at, "a conditional item needs its trigger: {en: ..., zh: ...}")
    if trigger and level != "conditional":
        raise RuleFileError(at, f"a trigger belongs to a conditional item, not a {level} one")
    unit = spec.get("unit")
    if unit is not None:
        if kind == "narrative":
            raise RuleFileError(at, "a narrative item has no unit")
        try:
            parse_unit(str(unit))
        except UnitError as exc:
            raise RuleFileError(at, f"unit {unit!r}: {exc}") from None
    confidence = _one_of(at, "confidence", spec.get("confidence", head["confidence"]), CONFIDENCES)
    phase_in = []
    for step in spec.get("phase_in") or []:
        check_keys(f"{at}: phase_in", step, ["issuer_class", "from", "level"])
        issuer_class = _one_of(
            f"{at}: phase_in", "issuer_class", step["issuer_class"], head["issuer_classes"]
        )
        start = _date(f"{at}: phase_in", "from", step["from"])
        phase_level = _one_of(f"{at}: phase_in", "level", step["level"], LEVELS)
        phase_in.append(PhaseIn(issuer_class, start, phase_level))
    parent = spec.get("parent")
    return Item(
        framework=head["framework"],
        edition=head["edition"],
        id=item_id,
        reference=f"{head['prefix']}-{item_id}",
        parent=None if parent is None else str(parent),
        titles=_titles(f"{at}: title", spec["title"]),
        level=level,
        kind=kind,
        source=str(spec["source"]),
        confidence=confidence,
        effective_from=_date(at, "effective_from", spec.get("effective_from", head["from"])),
        effective_basis=_one_of(
            at, "effective_basis", spec.get("effective_basis", head["basis"]), BASES
        ),
        trigger=_titles(f"{at}: trigger", trigger) if trigger else None,
        unit=None if unit is None else str(unit),
        superseded_by=_ids(at, "superseded_by", spec.get("superseded_by") or []),
        phase_in=tuple(phase_in),
        unconfirmed=_doubt(at, confidence, spec.get("unconfirmed")),
        note=str(spec.get("note") or ""),
    )


def _check_tree(where: str, items: Mapping[str, Item]) -> None:
    for item in items.values():
        seen = {item.id}
        parent = item.parent
        while parent is not None:
            if parent not in items:
                raise RuleFileError(
                    f"{where}: item {item.id!r}", f"parent {parent!r} is not an item of this file"
                )
            if parent in seen:
                raise RuleFileError(f"{where}: item {item.id!r}", "its parents form a cycle")
            seen.add(parent)
            parent = items[parent].parent


def load_edition(path: Path) -> Edition:
    """One framework edition file, checked on its own (see the module docstring)."""
    content, _sha = read_rule_file(path)
    where = str(path)
    check_keys(where, content, _FILE_REQUIRED, _FILE_OPTIONAL)
    framework = str(content["framework"])
    if not FRAMEWORK_ID.match(framework):
        raise RuleFileError(where, f"framework {framework!r} must be lower-case letters, digits, _")
    prefix = str(content["prefix"])
    if not PREFIX.match(prefix):
        raise RuleFileError(where, f"prefix {prefix!r} must be upper-case (SSE14, IFRS-S2)")
    classes = {
        str(k): _titles(f"{where}: issuer_classes: {k}", v)
        for k, v in (content.get("issuer_classes") or {}).items()
    }
    head: dict[str, Any] = {
        "framework": framework,
        "edition": str(content["edition"]),
        "prefix": prefix,
        "from": _date(where, "effective_from", content["effective_from"]),
        "basis": _one_of(where, "effective_basis", content["effective_basis"], BASES),
        "confidence": _one_of(where, "confidence", content["confidence"], CONFIDENCES),
        "issuer_classes": classes,
    }
    entries = content["items"]
    if not isinstance(entries, Mapping) or not entries:
        raise RuleFileError(where, "items must be a non-empty mapping of item id to item")
    items = {str(k): _item(where, head, k, spec) for k, spec in entries.items()}
    _check_tree(where, items)
    no_omission = _ids(where, "no_omission", content["no_omission"])
    for item_id in no_omission:
        if item_id not in items:
            raise RuleFileError(where, f"no_omission names {item_id!r}, which is not an item")
    reasons = []
    for reason_id, spec in (content["omission_reasons"] or {}).items():
        at = f"{where}: omission reason {reason_id!r}"
        check_keys(at, spec, ["en", "zh", "source"], ["unconfirmed"])
        names = _titles(at, {"en": spec["en"], "zh": spec["zh"]})
        unconfirmed = str(spec["unconfirmed"]) if spec.get("unconfirmed") else None
        reasons.append(OmissionReason(str(reason_id), names, str(spec["source"]), unconfirmed))
    if not reasons:
        raise RuleFileError(where, "omission_reasons must list the reasons the framework allows")
    aliases = []
    for alias_id, spec in (content.get("aliases") or {}).items():
        at = f"{where}: alias {alias_id!r}"
        check_keys(at, spec, ["prefix", "names", "source"])
        aliases.append(
            Alias(str(alias_id), str(spec["prefix"]), _titles(at, spec["names"]), spec["source"])
        )
    return Edition(
        framework=framework,
        edition=head["edition"],
        prefix=prefix,
        catalogue_key=str(content["catalogue_key"]),
        names=_titles(f"{where}: names", content["names"]),
        effective_from=head["from"],
        effective_basis=head["basis"],
        source=str(content["source"]),
        source_file=where,
        items=tuple(replace(item, no_omission=item.id in no_omission) for item in items.values()),
        omission_reasons=tuple(reasons),
        issuer_classes=classes,
        aliases=tuple(aliases),
        note=str(content.get("note") or ""),
    )


def _check_across(editions: list[Edition]) -> None:
    seen: dict[tuple[str, str], str] = {}
    prefixes: dict[str, str] = {}
    for edition in editions:
        key = (edition.framework, edition.edition)
        if key in seen:
            raise RuleFileError(
                edition.source_file, f"{key[0]} edition {key[1]} is also in {seen[key]}"
            )
        seen[key] = edition.source_file
        for prefix in (edition.prefix, *(a.prefix for a in edition.aliases)):
            if prefixes.setdefault(prefix, edition.framework) != edition.framework:
                raise RuleFileError(
                    edition.source_file, f"prefix {prefix!r} is also {prefixes[prefix]}'s"
                )
    for edition in editions:
        same = [e for e in editions if e.framework == edition.framework]
        for item in edition.items:
            for successor in item.superseded_by:
                if not any(successor in e for e in same):
                    raise RuleFileError(
                        f"{edition.source_file}: item {item.id!r}",
                        f"superseded_by {successor!r} is no item of {edition.framework}",
                    )


def _metric_links(editions: list[Edition], catalogue: Catalogue) -> dict[tuple[str, str], list]:
    """(framework, item id) -> catalogue metric ids whose framework codes name the item."""
    by_key: dict[str, list[Edition]] = {}
    for edition in editions:
        by_key.setdefault(edition.catalogue_key, []).append(edition)
    links: dict[tuple[str, str], list[str]] = {}
    for metric in catalogue.metrics.values():
        for key, codes in metric.frameworks.items():
            for code in codes:
                found = [e for e in by_key.get(key, []) if code in e]
                if not found:
                    raise RuleFileError(
                        metric.source_file,
                        f"metric {metric.id!r}: {key} code {code!r} is no item of the {key} "
                        "framework catalogue (frameworks/data)",
                    )
                for edition in found:
                    links.setdefault((edition.framework, code), []).append(metric.id)
    return links


def _topic_links(
    library: FrameworkLibrary, topics: TopicLibrary, where: str
) -> dict[str, list[str]]:
    """Item reference -> topic ids: a topic that names an item names its descendants too, and a
    topic that names a framework (``IFRS-S2``) names all its items."""
    direct: dict[str, list[str]] = {}
    for topic in topics:
        for reference in topic.frameworks:
            if not library.exists(reference):
                raise RuleFileError(
                    f"{where}: topic {topic.id!r}",
                    f"{reference!r} is no item of a framework catalogue (frameworks/data)",
                )
            direct.setdefault(reference, []).append(topic.id)
    links: dict[str, list[str]] = {}
    for edition in library.editions:
        for item in edition.items:
            names = [item.reference, *(a.reference for a in edition.ancestors(item))]
            names.append(edition.prefix)
            found = [t for name in names for t in direct.get(name, [])]
            links[f"{edition.edition}:{item.reference}"] = list(dict.fromkeys(found))
    return links


def load_library(
    directory: Path = DATA_DIR,
    catalogue: Catalogue | None = None,
    topics: TopicLibrary | None = None,
    topics_where: str = str(TOPICS_FILE),
) -> FrameworkLibrary:
    """Every edition of ``directory``, checked across files, with each item's metrics (from the
    catalogue's framework codes) and topics (from the topic library) linked."""
    editions = [load_edition(path) for path in sorted(directory.glob("*.yaml"))]
    if not editions:
        raise RuleFileError(str(directory), "no framework catalogue (*.yaml) found")
    _check_across(editions)
    metrics = _metric_links(editions, catalogue) if catalogue is not None else {}
    library = FrameworkLibrary(tuple(editions))
    topic_links = _topic_links(library, topics, topics_where) if topics is not None else {}
    linked = tuple(
        replace(
            edition,
            items=tuple(
                replace(
                    item,
                    metrics=tuple(metrics.get((edition.framework, item.id), ())),
                    topics=tuple(topic_links.get(f"{edition.edition}:{item.reference}", ())),
                )
                for item in edition.items
            ),
        )
        for edition in editions
    )
    return FrameworkLibrary(linked)


@lru_cache(maxsize=1)
def builtin_frameworks() -> FrameworkLibrary:
    """The shipped catalogues, linked to the built-in metric catalogue and topic library."""
    return load_library(DATA_DIR, load_catalogue(), builtin_topics())
