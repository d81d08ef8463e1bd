"""The topic library of the double materiality assessment: the 21 topics of SSE Guideline No. 14
(Arts. 21-56, each assessed under Art. 5 and explained under Art. 7 when immaterial), the topics an
aluminium group adds (HKEX B2/B4, GRI 14 Mining 2024), and the organisation's own (``org.<name>``).

Each topic maps to the frameworks' items and to the catalogue metrics whose targets count as its
"metrics and targets" (SSE Art. 11(4)). The built-ins are reviewed data with citations in
``assess/data/topics.yaml``; :func:`load_topics` refuses a malformed file naming it and the entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from esgledger.assess import governance as checks
from esgledger.catalogue.loader import load_catalogue
from esgledger.errors import RuleFileError
from esgledger.rulefiles import bilingual, check_keys, read_rule_file

TOPICS_FILE = Path(__file__).parent / "data" / "topics.yaml"
DIMENSIONS = ("environment", "social", "governance")
ORIGINS = ("built-in", "organisation")
ORG_PREFIX = "org."
BUILTIN_ID = re.compile(r"^[a-z][a-z0-9_]*$")
ORG_ID = re.compile(r"^org\.[a-z][a-z0-9_]*$")
# SSE14-<art>, HKEX-<aspect or KPI>, GRI-<standard or disclosure>, IFRS-S2[-<para>]
FRAMEWORK_ITEM = re.compile(
    r"^(SSE14-[0-9][0-9.()a-z-]*|HKEX-[A-Z][A-Z0-9.]*|GRI-[0-9][0-9-]*|IFRS-S2(-[0-9][0-9()a-z.]*)?)$"
)
_ARTICLES = re.compile(r"^[0-9]+(-[0-9]+)?$")
_KEYS = ["names", "dimension", "sse_article", "frameworks", "metrics"]


@dataclass(frozen=True)
class Topic:
    """One topic: ``sse_article`` is set only for the 21 SSE No. 14 topics."""

    id: str
    names: Mapping[str, str]
    dimension: str
    sse_article: str | None
    frameworks: tuple[str, ...]
    metrics: tuple[str, ...]
    origin: str
    citation: str = ""

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True)
class TopicLibrary:
    """The topics in their order (the SSE topics first, in the order of the guideline)."""

    topics: tuple[Topic, ...]
    _index: dict[str, Topic] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Topic] = {}
        for topic in self.topics:
            if topic.id in index:
                raise ValueError(f"topic {topic.id!r} is in the library twice")
            index[topic.id] = topic
        object.__setattr__(self, "_index", index)

    def __getitem__(self, topic_id: str) -> Topic:
        try:
            return self._index[topic_id]
        except KeyError:
            raise KeyError(f"unknown topic {topic_id!r}") from None

    def get(self, topic_id: str) -> Topic | None:
        return self._index.get(topic_id)

    def __contains__(self, topic_id: object) -> bool:
        return topic_id in self._index

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics)

    def __len__(self) -> int:
        return len(self.topics)

    def sse_topics(self) -> list[Topic]:
        """The 21 topics of SSE Guideline No. 14 (Art. 5(2) and Art. 7 apply to each)."""
        return [topic for topic in self.topics if topic.sse_article is not None]

    def unknown(self, topic_ids: Iterable[str]) -> list[str]:
        """The ids among ``topic_ids`` that are not in the library, in their order."""
        return [topic_id for topic_id in topic_ids if topic_id not in self._index]

    def extended(self, extra: Iterable[Topic]) -> TopicLibrary:
        """This library plus ``extra`` (the organisation's topics); a shadowed id is an error."""
        added = tuple(extra)
        for topic in added:
            if topic.id in self._index:
                raise ValueError(f"topic {topic.id!r} is already in the library")
        return TopicLibrary(self.topics + added)


def parse_topic(
    where: str, topic_id: str, spec: Any, metric_ids: Iterable[str], origin: str = "built-in"
) -> Topic:
    """Check one topic entry and build it; errors name ``where`` and the topic."""
    at = f"{where}: topic {topic_id!r}"
    pattern = BUILTIN_ID if origin == "built-in" else ORG_ID
    if not pattern.match(topic_id):
        expected = "lower-case letters, digits and _" if origin == "built-in" else "org.<name>"
        raise RuleFileError(at, f"the id must be {expected}")
    check_keys(at, spec, _KEYS, ["citation", "note"])
    dimension = str(spec["dimension"])
    if dimension not in DIMENSIONS:
        raise RuleFileError(at, f"dimension {dimension!r} is not one of {', '.join(DIMENSIONS)}")
    article = spec["sse_article"]
    if article is not None:
        article = str(article)
        if origin != "built-in":
            raise RuleFileError(at, "only the 21 built-in SSE topics have an sse_article")
        if not _ARTICLES.match(article):
            raise RuleFileError(at, f"sse_article {article!r} is not an article or a range (21-28)")
    frameworks = _strings(at, "frameworks", spec["frameworks"])
    for item in frameworks:
        if not FRAMEWORK_ITEM.match(item):
            raise RuleFileError(
                at,
                f"framework item {item!r} is not SSE14-<art>, HKEX-<aspect>, GRI-<code> or IFRS-S2",
            )
    metrics = _strings(at, "metrics", spec["metrics"])
    known = set(metric_ids)
    for metric_id in metrics:
        if metric_id not in known:
            raise RuleFileError(at, f"metric {metric_id!r} is not in the catalogue")
    return Topic(
        id=topic_id,
        names=bilingual(f"{at}: names", spec["names"]),
        dimension=dimension,
        sse_article=article,
        frameworks=frameworks,
        metrics=metrics,
        origin=origin,
        citation=str(spec.get("citation") or ""),
    )


def _strings(at: str, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RuleFileError(at, f"{key} must be a list of ids")
    if len(set(value)) != len(value):
        raise RuleFileError(at, f"{key} lists an id twice")
    return tuple(value)


def load_topics(path: Path, metric_ids: Iterable[str]) -> TopicLibrary:
    """Read a topic library file; ``metric_ids`` are the catalogue's (an unknown one is refused)."""
    content, _sha = read_rule_file(path)
    where = str(path)
    check_keys(where, content, ["topics"])
    entries = content["topics"]
    if not isinstance(entries, Mapping) or not entries:
        raise RuleFileError(where, "topics must be a non-empty mapping of topic id to entry")
    known = frozenset(metric_ids)
    topics = tuple(parse_topic(where, str(key), spec, known) for key, spec in entries.items())
    articles = [topic.sse_article for topic in topics if topic.sse_article]
    if len(set(articles)) != len(articles):
        raise RuleFileError(where, "two topics claim the same SSE article")
    return TopicLibrary(topics)


@lru_cache(maxsize=1)
def builtin_topics() -> TopicLibrary:
    """The built-in library (``assess/data/topics.yaml``), checked against the built-in catalogue."""
    return load_topics(TOPICS_FILE, load_catalogue().metrics)


def organisation_topic(
    fields: Mapping[str, Any], metric_ids: Iterable[str], builtin: TopicLibrary
) -> Topic:
    """One of the organisation's own topics from flat fields (``id``, ``name_en``, ``name_zh``,
    ``dimension``, ``frameworks``, ``metrics``, ``citation``: a form, a CSV row or a YAML entry);
    a problem is a :class:`~esgledger.assess.governance.FieldError` naming the field. An id is
    ``org.<name>`` and never one of the built-ins'."""
    topic_id = checks.text_field(fields.get("id"), "id")
    if not ORG_ID.match(topic_id):
        raise checks.FieldError("id", f"{topic_id!r} is not org.<name> (lower-case, digits, _)")
    if topic_id in builtin:
        raise checks.FieldError("id", f"{topic_id!r} is a built-in topic")
    names = {
        "en": checks.text_field(fields.get("name_en"), "name_en", limit=200),
        "zh": checks.text_field(fields.get("name_zh"), "name_zh", limit=200),
    }
    dimension = checks.choice(fields.get("dimension"), "dimension", DIMENSIONS)
    frameworks = tuple(checks.list_field(fields.get("frameworks"), "frameworks"))
    for item in frameworks:
        if not FRAMEWORK_ITEM.match(item):
            raise checks.FieldError(
                "frameworks", f"{item!r} is not SSE14-<art>, HKEX-<aspect>, GRI-<code> or IFRS-S2"
            )
    metrics = tuple(checks.list_field(fields.get("metrics"), "metrics"))
    known = set(metric_ids)
    unknown = [metric for metric in metrics if metric not in known]
    if unknown:
        raise checks.FieldError("metrics", f"metric(s) not in the catalogue: {', '.join(unknown)}")
    citation = checks.text_field(fields.get("citation"), "citation", required=False)
    return Topic(topic_id, names, dimension, None, frameworks, metrics, "organisation", citation)


def topic_fields(topic: Topic) -> dict[str, Any]:
    """A topic as flat fields (the export's columns; what :func:`organisation_topic` reads)."""
    return {
        "id": topic.id,
        "name_en": topic.names["en"],
        "name_zh": topic.names["zh"],
        "dimension": topic.dimension,
        "sse_article": topic.sse_article,
        "frameworks": list(topic.frameworks),
        "metrics": list(topic.metrics),
        "citation": topic.citation,
        "origin": topic.origin,
    }
