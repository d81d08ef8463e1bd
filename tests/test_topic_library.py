"""The topic library (issue 10, part 2): the 21 SSE Guideline No. 14 topics with their articles,
the industry topics outside them, each mapped to the frameworks' items and catalogue metrics; a
malformed library file is refused naming the file and the entry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from esgledger.assess.topics import (
    TOPICS_FILE,
    Topic,
    TopicLibrary,
    builtin_topics,
    load_topics,
)
from esgledger.catalogue.loader import load_catalogue
from esgledger.errors import RuleFileError
from esgledger.services.topics import read_library
from tests.ledger_fixture import Ledger

# standards.md §1.3: the 21 topics and their articles, in the order of the guideline
SSE_ARTICLES = {
    "climate": "21-28",
    "pollution": "30",
    "waste": "31",
    "biodiversity": "32",
    "environmental_compliance": "33",
    "energy": "35",
    "water": "36",
    "circular_economy": "37",
    "rural_revitalisation": "39",
    "social_contribution": "40",
    "innovation": "42",
    "science_ethics": "43",
    "supply_chain": "45",
    "sme_payments": "46",
    "product_quality": "47",
    "data_privacy": "48",
    "employees": "50",
    "due_diligence": "52",
    "stakeholder_communication": "53",
    "anti_corruption": "55",
    "fair_competition": "56",
}


def test_the_21_sse_topics_with_their_articles_in_order() -> None:
    library = builtin_topics()
    sse = library.sse_topics()
    assert [(topic.id, topic.sse_article) for topic in sse] == list(SSE_ARTICLES.items())
    dimensions = [topic.dimension for topic in sse]
    # SSE groups: environment 1-8, social 9-17, sustainability governance 18-21
    assert dimensions == ["environment"] * 8 + ["social"] * 9 + ["governance"] * 4
    assert library["water"].names == {"en": "Usage of water resources", "zh": "水资源利用"}
    for topic in sse:
        first = topic.sse_article.split("-")[0] if topic.sse_article else ""
        assert f"SSE14-{first}" in topic.frameworks, topic.id
        assert topic.origin == "built-in"


def test_the_industry_topics_outside_the_21() -> None:
    library = builtin_topics()
    others = {topic.id for topic in library if topic.sse_article is None}
    assert {"health_safety", "labour_standards", "tailings", "closure_rehabilitation"} <= others
    assert "HKEX-B4" in library["labour_standards"].frameworks
    assert "GRI-14" in library["tailings"].frameworks
    assert "waste.bauxite_residue_generated" in library["tailings"].metrics


def test_frameworks_and_metrics_of_a_topic() -> None:
    library = builtin_topics()
    climate = library["climate"]
    assert {"IFRS-S2", "HKEX-D", "GRI-305", "GRI-102", "SSE14-24"} <= set(climate.frameworks)
    assert "ghg.scope1" in climate.metrics
    assert "IFRS-S2" not in library["water"].frameworks
    assert {"HKEX-A2.2", "GRI-303"} <= set(library["water"].frameworks)
    assert "HKEX-B7" in library["anti_corruption"].frameworks
    catalogue = load_catalogue().metrics
    for topic in library:
        assert topic.names["en"] and topic.names["zh"], topic.id
        assert all(metric in catalogue for metric in topic.metrics), topic.id
    hkex = {item for topic in library for item in topic.frameworks if item.startswith("HKEX-")}
    aspects = {item.split(".")[0] for item in hkex}
    assert {f"HKEX-A{n}" for n in (1, 2, 3)} | {f"HKEX-B{n}" for n in range(1, 9)} <= aspects
    assert "HKEX-D" in aspects


def test_the_library_interface() -> None:
    library = builtin_topics()
    assert builtin_topics() is library  # cached
    assert "climate" in library and "nothing" not in library
    assert library.get("nothing") is None
    with pytest.raises(KeyError, match="nothing"):
        library["nothing"]
    assert library.unknown(["climate", "org.x", "nothing"]) == ["org.x", "nothing"]
    own = Topic(
        "org.red_mud_dams", {"en": "Dams", "zh": "坝"}, "environment", None, (), (), "organisation"
    )
    extended = library.extended([own])
    assert len(extended) == len(library) + 1 and "org.red_mud_dams" in extended
    shadow = Topic("climate", {"en": "x", "zh": "x"}, "environment", None, (), (), "organisation")
    with pytest.raises(ValueError, match="climate"):
        library.extended([shadow])


def test_read_library_gives_the_built_ins_of_a_new_ledger(ws: Ledger) -> None:
    with ws.db.reading() as connection:
        assert read_library(connection).topics == builtin_topics().topics


def _library_file(tmp_path: Path, **changes: object) -> Path:
    content = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))
    entry = dict(content["topics"]["water"])
    entry.update(changes)
    content["topics"] = {"water": entry}
    path = tmp_path / "topics.yaml"
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


METRICS = load_catalogue().metrics


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"metrics": ["water.nothing"]}, "metric 'water.nothing' is not in the catalogue"),
        ({"names": {"en": "Water"}}, "names: missing required key 'zh'"),
        ({"dimension": "economic"}, "dimension 'economic' is not one of"),
        ({"frameworks": ["GRI303"]}, "framework item 'GRI303'"),
        ({"sse_article": "Art. 36"}, "sse_article 'Art. 36'"),
        ({"colour": "blue"}, "unknown key 'colour'"),
        ({"metrics": ["water.withdrawal", "water.withdrawal"]}, "metrics lists an id twice"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_file_and_the_topic(
    tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    path = _library_file(tmp_path, **changes)
    with pytest.raises(RuleFileError) as raised:
        load_topics(path, METRICS)
    assert str(path) in str(raised.value)
    assert "topic 'water'" in str(raised.value)
    assert message in str(raised.value)


def test_a_topic_twice_is_refused(tmp_path: Path) -> None:
    text = TOPICS_FILE.read_text(encoding="utf-8")
    water = text[text.index("  water:\n") : text.index("  circular_economy:\n")]
    path = tmp_path / "topics.yaml"
    path.write_text(text + water, encoding="utf-8")
    with pytest.raises(RuleFileError, match="duplicate key 'water'"):
        load_topics(path, METRICS)


def test_an_organisation_id_in_the_built_in_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "topics.yaml"
    entry = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))["topics"]["water"]
    path.write_text(yaml.safe_dump({"topics": {"org.water": entry}}), encoding="utf-8")
    with pytest.raises(RuleFileError, match="topic 'org.water': the id must be"):
        load_topics(path, METRICS)


def test_a_library_is_a_plain_value() -> None:
    library = TopicLibrary(builtin_topics().topics[:2])
    assert [topic.id for topic in library] == ["climate", "pollution"]
    with pytest.raises(ValueError, match="twice"):
        TopicLibrary(builtin_topics().topics[:1] * 2)
