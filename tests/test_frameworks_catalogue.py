"""The framework catalogues (issue 11, part 1): strict loading (a bad file per rule, named with its
item), which items apply to a financial year and issuer class, and the links to the metric
catalogue and the topic library."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from esgledger.assess.topics import Topic, TopicLibrary, builtin_topics
from esgledger.catalogue import Catalogue
from esgledger.catalogue.model import Metric
from esgledger.errors import RuleFileError
from esgledger.frameworks import (
    applicable_items,
    builtin_frameworks,
    codes_in_force,
    items_by_metric,
    items_by_topic,
    load_edition,
    load_library,
)

GOOD: dict[str, Any] = {
    "framework": "demo",
    "edition": "2025",
    "prefix": "DEMO",
    "catalogue_key": "demo",
    "names": {"en": "Demo code", "zh": "示例守则"},
    "effective_from": "2025-01-01",
    "effective_basis": "period_start",
    "source": "a test",
    "confidence": "V",
    "issuer_classes": {"large": {"en": "Large", "zh": "大型"}},
    "omission_reasons": {"na": {"en": "Not applicable", "zh": "不适用", "source": "a test"}},
    "no_omission": ["A"],
    "items": {
        "A": {
            "title": {"en": "A", "zh": "甲"},
            "level": "mandatory",
            "kind": "narrative",
            "source": "s",
        },
        "A.1": {
            "parent": "A",
            "title": {"en": "A one", "zh": "甲一"},
            "level": "conditional",
            "trigger": {"en": "when", "zh": "当"},
            "kind": "quantitative",
            "unit": "t",
            "source": "s",
            "phase_in": [{"issuer_class": "large", "from": "2026-01-01", "level": "mandatory"}],
        },
        "B": {
            "title": {"en": "B", "zh": "乙"},
            "level": "encouraged",
            "kind": "mixed",
            "source": "s",
            "superseded_by": ["A.1"],
        },
    },
}


def _write(directory: Path, content: dict[str, Any], name: str = "demo-2025.yaml") -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


def _bad(tmp_path: Path, change: Any) -> str:
    content = copy.deepcopy(GOOD)
    change(content)
    path = _write(tmp_path / "d", content)
    with pytest.raises(RuleFileError) as caught:
        load_library(path.parent)
    message = str(caught.value)
    assert "demo-2025.yaml" in message
    return message


def test_a_good_file_loads_with_its_phase_in_and_no_omission(tmp_path: Path) -> None:
    edition = load_edition(_write(tmp_path, GOOD))
    assert edition["A"].no_omission and not edition["B"].no_omission
    assert edition["A.1"].reference == "DEMO-A.1"
    assert edition["A.1"].level_for("large", date(2025, 1, 1)) == "conditional"
    assert edition["A.1"].level_for("large", date(2026, 1, 1)) == "mandatory"


def _item(key: str, field: str, value: Any) -> Any:
    return lambda c: c["items"][key].__setitem__(field, value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_item("A.1", "parent", "Z"), "item 'A.1': parent 'Z' is not an item"),
        (_item("B", "superseded_by", ["Q"]), "item 'B': superseded_by 'Q' is no item of demo"),
        (_item("A", "level", "must"), "item 'A': level 'must' is not one of mandatory"),
        (_item("A", "kind", "table"), "item 'A': kind 'table' is not one of narrative"),
        (lambda c: c["items"]["A.1"].pop("trigger"), "item 'A.1': a conditional item needs"),
        (_item("A", "trigger", {"en": "x", "zh": "y"}), "item 'A': a trigger belongs to"),
        (_item("A", "title", {"en": "A"}), "item 'A': title: missing required key 'zh'"),
        (_item("A", "title", {"en": "A", "zh": ""}), "item 'A': title: the zh text is empty"),
        (_item("A", "confidence", "NC"), "item 'A': confidence 'NC' needs `unconfirmed"),
        (_item("A", "confidence", "!"), "item 'A': confidence '!' needs `unconfirmed"),
        (_item("A", "unit", "t"), "item 'A': a narrative item has no unit"),
        (_item("A.1", "unit", "bananas"), "item 'A.1': unit 'bananas'"),
        (_item("A", "colour", "red"), "item 'A': unknown key 'colour'"),
        (
            _item(
                "A.1",
                "phase_in",
                [{"issuer_class": "huge", "from": "2026-01-01", "level": "mandatory"}],
            ),
            "item 'A.1': phase_in: issuer_class 'huge' is not one of large",
        ),
        (_item("A", "effective_from", "2025-13-01"), "item 'A': effective_from '2025-13-01'"),
        (lambda c: c.__setitem__("no_omission", ["C"]), "no_omission names 'C'"),
        (lambda c: c.__setitem__("omission_reasons", {}), "omission_reasons must list"),
        (lambda c: c["items"]["A"].__setitem__("parent", "A.1"), "item 'A': its parents form"),
    ],
)
def test_a_bad_file_is_refused_naming_it_and_the_item(
    tmp_path: Path, change: Any, expected: str
) -> None:
    assert expected in _bad(tmp_path, change)


def test_a_duplicate_item_id_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    text = path.read_text(encoding="utf-8").replace(
        "items:\n",
        "items:\n  B:\n    {title: {en: B, zh: 乙}, level: voluntary, kind: mixed, source: s}\n",
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"demo-2025\.yaml.*duplicate key 'B'"):
        load_edition(path)


def test_an_edition_twice_and_a_shared_prefix_are_refused(tmp_path: Path) -> None:
    _write(tmp_path / "d", GOOD)
    _write(tmp_path / "d", GOOD, "demo-copy.yaml")
    with pytest.raises(RuleFileError, match="demo edition 2025 is also in"):
        load_library(tmp_path / "d")
    other = {**copy.deepcopy(GOOD), "framework": "other"}
    _write(tmp_path / "d", other, "demo-copy.yaml")
    with pytest.raises(RuleFileError, match="prefix 'DEMO' is also"):
        load_library(tmp_path / "d")


def _catalogue(codes: dict[str, tuple[str, ...]]) -> Catalogue:
    metric = Metric(
        "m.x", {"en": "x", "zh": "x"}, "t", "input", "sum", "g", "m.yaml", frameworks=codes
    )
    return Catalogue({"m.x": metric}, ["m.x"], {}, "sha")


def test_a_metric_code_naming_no_item_is_refused_naming_the_metric(tmp_path: Path) -> None:
    path = _write(tmp_path / "d", GOOD)
    linked = load_library(path.parent, _catalogue({"demo": ("A.1",)}))
    assert linked.edition("demo", "2025")["A.1"].metrics == ("m.x",)
    with pytest.raises(RuleFileError, match=r"m\.yaml: metric 'm\.x': demo code 'A\.9' is no item"):
        load_library(path.parent, _catalogue({"demo": ("A.9",)}))


def _topics(*references: str) -> TopicLibrary:
    topic = Topic("t", {"en": "T", "zh": "T"}, "social", None, references, (), "built-in")
    return TopicLibrary((topic,))


def test_a_topic_naming_no_item_is_refused_and_topics_reach_descendants(tmp_path: Path) -> None:
    path = _write(tmp_path / "d", GOOD)
    linked = load_library(path.parent, topics=_topics("DEMO-A"), topics_where="topics.yaml")
    edition = linked.edition("demo", "2025")
    assert edition["A.1"].topics == ("t",) and edition["B"].topics == ()
    whole = load_library(path.parent, topics=_topics("DEMO"))  # a bare prefix: every item
    assert all(item.topics == ("t",) for item in whole.edition("demo", "2025"))
    with pytest.raises(RuleFileError, match=r"topics\.yaml: topic 't': 'DEMO-Z' is no item"):
        load_library(path.parent, topics=_topics("DEMO-Z"), topics_where="topics.yaml")


# --- the shipped catalogues -------------------------------------------------------------------


def _ids(framework: str, period: str, issuer_class: str | None = None, **kw: Any) -> dict:
    found = applicable_items(builtin_frameworks(), framework, period, issuer_class, **kw)
    return {a.item.id: a.level for a in found}


def test_hkex_part_d_for_a_largecap_issuer_in_fy2025_and_fy2026() -> None:
    fy25, fy26 = _ids("hkex", "2025", "largecap"), _ids("hkex", "2026", "largecap")
    assert fy25["D28(a)"] == fy25["D28(b)"] == "mandatory"  # Scope 1 and 2: every issuer
    assert fy25["D19"] == fy25["D28(c)"] == "comply_or_explain"
    assert fy26["D19"] == fy26["D28(c)"] == fy26["D39"] == "mandatory"
    assert _ids("hkex", "2026", "main_board")["D19"] == "comply_or_explain"
    gem = _ids("hkex", "2026", "gem")
    assert gem["D19"] == "voluntary" and gem["D28(a)"] == "mandatory"
    assert fy26["A1.1"] == "comply_or_explain" and "A1.2" not in fy26 and "A4" not in fy26


def test_back_years_read_the_2020_guide() -> None:
    fy24 = _ids("hkex", "2024", "largecap")
    assert {"A1.2", "A4", "A4.1", "MDR-GS", "B7.3"} <= set(fy24)
    assert not any(item_id.startswith("D") for item_id in fy24)
    assert _ids("hkex", "2019") == {}  # the 2016 Guide is not shipped


def test_gri_102_supersedes_305_1_to_5_from_2027_and_305_6_7_stay() -> None:
    fy25, fy27 = _ids("gri", "2025"), _ids("gri", "2027")
    assert "305-1" in fy25 and "102-5" not in fy25 and "302-1" in fy25
    assert not {"305-1", "305-2", "305-3", "305-4", "305-5", "201-2", "302", "302-1"} & set(fy27)
    assert {"102-5", "102-6", "102-7", "103-2", "305-6", "305-7", "305"} <= set(fy27)


def test_gri_101_replaces_304_for_reports_published_from_2026() -> None:
    assert "304-1" in _ids("gri", "2024") and "101-1" not in _ids("gri", "2024")
    fy26 = _ids("gri", "2026")
    assert "101-1" in fy26 and "304" not in fy26 and "304-1" not in fy26
    # effective by publication date: a FY2025 report published in 2026 already uses GRI 101
    assert "101-1" in _ids("gri", "2025", published=date(2026, 4, 30))
    assert "101-1" not in _ids("gri", "2025", published=date(2025, 12, 31))


def test_sse_applies_from_fy2025_and_szse_17_is_the_same_text() -> None:
    assert _ids("sse14", "2024") == {}
    fy25 = _ids("sse14", "2025")
    assert fy25 == _ids("szse17", "2025")
    assert fy25["24.2a"] == "mandatory" and fy25["24.2b"] == "encouraged"
    assert fy25["46"] == "conditional" and fy25["52"] == "encouraged"
    for topic in builtin_topics().sse_topics():  # each of the 21 topics has its article
        first = topic.sse_article.split("-")[0] if topic.sse_article else ""
        assert first in fy25, topic.id


def test_a_wrong_issuer_class_or_period_is_refused() -> None:
    with pytest.raises(ValueError, match="issuer class 'huge' is not one of hkex's"):
        _ids("hkex", "2025", "huge")
    with pytest.raises(ValueError, match="period '25' is not a reporting year"):
        _ids("hkex", "25")
    with pytest.raises(KeyError, match="unknown framework 'esrs'"):
        _ids("esrs", "2025")


def test_items_that_allow_no_omission_and_the_reasons_frameworks_accept() -> None:
    library = builtin_frameworks()
    gri = library.edition("gri", "2021")
    assert {i.id for i in gri if i.no_omission} == {"2-1", "2-2", "2-3", "2-4", "2-5", "3-1", "3-2"}
    assert {r.id for r in gri.omission_reasons} == {
        "not_applicable",
        "legal_prohibitions",
        "confidentiality_constraints",
        "information_unavailable",
    }
    hkex = library.edition("hkex", "2025")
    assert {"MDR", "MDR-13", "D28(a)", "D28(b)"} <= {i.id for i in hkex if i.no_omission}
    assert "considered_reasons" in {r.id for r in hkex.omission_reasons}
    assert "secrets" in {r.id for r in library.edition("sse14", "2024").omission_reasons}


def test_doubtful_values_ship_marked_unconfirmed() -> None:
    library = builtin_frameworks()
    for edition in library.editions:
        for item in edition:
            assert item.title("en") and item.title("zh"), item.reference
            if item.confidence in ("!", "NC"):
                assert item.unconfirmed, item.reference
            if item.level == "conditional":
                assert item.trigger, item.reference
    assert all(i.unconfirmed for i in library.edition("mof_climate", "2025"))
    hkex = library.edition("hkex", "2025")
    assert hkex["D22"].unconfirmed and hkex["D28(a)"].unconfirmed
    assert library.edition("gri", "2021")["102"].unconfirmed  # basis of its date is [!]


def test_every_topic_library_reference_names_an_item() -> None:
    library = builtin_frameworks()
    for topic in builtin_topics():
        for reference in topic.frameworks:
            assert library.exists(reference), (topic.id, reference)


def test_metrics_link_items_through_the_catalogue_codes() -> None:
    library = builtin_frameworks()
    scope1 = {item.reference for item in items_by_metric(library, "ghg.scope1")}
    assert {
        "GRI-305-1",
        "GRI-102-5",
        "HKEX-A1.2",
        "HKEX-D28(a)",
        "SSE14-24.2a",
        "IFRS-S2-29(a)(i)(1)",
        "CN-CLI-MT-1",
    } <= scope1
    assert "HKEX-A1.2" not in {i.reference for i in items_by_metric(library, "ghg.scope3")}
    climate = {item.reference for item in items_by_topic(library, "climate")}
    assert {"HKEX-D28(a)", "IFRS-S2-29(a)", "SSE14-24.2a", "GRI-102-5"} <= climate
    d28 = library.edition("hkex", "2025")["D28(a)"]
    assert "climate" in d28.topics and "ghg.scope1" in d28.metrics


def test_a_report_prints_only_the_codes_in_force_for_its_year() -> None:
    library = builtin_frameworks()
    scope1 = ("A1.2", "D28(a)")
    assert codes_in_force(library, "hkex", scope1, "2024") == ("A1.2",)
    assert codes_in_force(library, "hkex", scope1, "2025") == ("D28(a)",)
    assert codes_in_force(library, "gri", ("305-1", "102-5"), "2025") == ("305-1",)
    assert codes_in_force(library, "gri", ("305-1", "102-5"), "2027") == ("102-5",)
    assert codes_in_force(library, "hkex", ("A1.2",), "2019") == ("A1.2",)  # no edition shipped
