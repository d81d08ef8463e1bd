"""Coverage findings name topics, metrics, report sections, breakdown axes and SSE elements as a
reader knows them (a new user saw ``议题supply_chain``, ``waste.bauxite_residue_stored`` and the
section id ``env`` on the Chinese page): the message in the page's language with names, its
``params`` keeping the ids; and every kind of finding says what to do next, in English and
Chinese, with the command (``tests/test_disclose_coverage.py`` runs the service on both
backends)."""

from __future__ import annotations

import pytest

from esgledger.disclose.coverage import Finding
from esgledger.i18n import Strings
from esgledger.services.disclose_steps import COMMANDS, finding_dict
from esgledger.services.disclose_words import Words, missing_text

NAMES = {
    "supply_chain": "供应链安全",
    "energy": "能源利用",
    "climate": "应对气候变化",
    "waste.bauxite_residue_stored": "赤泥堆存量",
}
SECTIONS = {"env": "环境管理", "climate": "气候变化"}
AXES = {"gender": "性别", "age_band": "年龄段"}


def zh() -> Words:
    return Words(Strings("zh"), NAMES, SECTIONS, AXES, {"gender": "female"})


def test_a_coverage_finding_says_topics_and_metrics_by_name() -> None:
    found = Finding(
        "error",
        "material_missing",
        "GRI-306-5",
        {"topics": "energy, supply_chain", "missing": "value:waste.bauxite_residue_stored"},
    )
    shown = finding_dict(found, zh(), "2024")
    assert shown["message"] == (
        "GRI-306-5对应的议题能源利用、供应链安全具有重要性，须披露但未披露：无以下指标的数值：赤泥堆存量"
    )
    assert shown["params"]["topics"] == "energy, supply_chain"  # the ids, for programs
    english = finding_dict(found, Words(Strings("en"), {"energy": "Energy usage"}), "2024")
    assert "material topic Energy usage, supply_chain and" in english["message"]
    assert "no value of waste.bauxite_residue_stored" in english["message"]  # no name: the id
    assert finding_dict(found, Words(Strings("zh")), "2024")["message"].count("supply_chain") == 1


def test_sections_axes_and_elements_by_name() -> None:
    mapped = Finding("error", "na_but_mapped", "HKEX-A2.5", {"sections": "env, climate"})
    assert finding_dict(mapped, zh(), "2024")["message"] == (
        "HKEX-A2.5已声明不适用，却又被对应到环境管理、气候变化"
    )
    elements = Finding(
        "error", "sse_elements", "SSE14-21", {"topic": "climate", "missing": "governance, strategy"}
    )
    assert finding_dict(elements, zh(), "2024")["message"] == (
        "上交所议题应对气候变化具有财务重要性，但缺少：治理、战略（《指引第14号》第十一条）"
    )
    assert missing_text("breakdown:gender, age_band", zh()) == "缺少按以下维度的细分：性别、年龄段"


def test_what_a_row_lacks_in_words_and_names() -> None:
    assert missing_text("value:waste.bauxite_residue_stored; targets", zh()) == (
        "无以下指标的数值：赤泥堆存量；相关指标未设定目标"
    )
    assert missing_text("text", Words(Strings("en"))) == "no section meets it"
    cut = "value:energy, waste.bauxite_residue_stored…"  # more than four metrics: cut short
    assert missing_text(cut, zh()) == "无以下指标的数值：能源利用、赤泥堆存量…"


# one finding of every kind the coverage computation raises (esgledger.disclose.coverage)
KINDS = [
    Finding("error", "claimed_absent", "HKEX-A1.3",
            {"sections": "env", "missing": "value:waste.bauxite_residue_stored"}),
    Finding("error", "na_but_mapped", "HKEX-A2.5", {"sections": "env"}),
    Finding("error", "strict_explained", "HKEX-D28(a)", {"level": "mandatory", "missing": "text"}),
    Finding("error", "strict_missing", "HKEX-D28(b)", {"level": "mandatory", "missing": "text"}),
    Finding("error", "unexplained", "HKEX-B1.1", {"missing": "breakdown:gender, age_band"}),
    Finding("error", "material_missing", "GRI-305-1", {"topics": "climate", "missing": "targets"}),
    Finding("warning", "optional_missing", "HKEX-D19", {"level": "voluntary", "missing": "governance"}),
    Finding("warning", "not_met", "GRI-3-1", {"level": "conditional", "missing": "materiality"}),
    Finding("warning", "not_met", "IFRS-S2-10", {"level": "conditional", "missing": "iros"}),
    Finding("error", "sse_topic_absent", "SSE14-21", {"topic": "climate"}),
    Finding("error", "sse_elements", "SSE14-21",
            {"topic": "climate", "missing": "governance, strategy, management, metrics_targets"}),
]  # fmt: skip


@pytest.mark.parametrize("finding", KINDS, ids=lambda f: f"{f.code}-{f.reference}")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_kind_of_finding_says_what_to_do_next(finding: Finding, lang: str) -> None:
    words = Words(Strings(lang), NAMES, SECTIONS, AXES)
    steps = finding_dict(finding, words, "2024", {finding.reference: ["considered_reasons"]})[
        "steps"
    ]
    assert steps, finding.code
    for step in steps:
        assert step["text"] and "{" not in step["text"].replace("{{ tag", "")
        assert step["command"] == COMMANDS[step["step"]].format(
            period="2024",
            reference=finding.reference,
            reason="considered_reasons",
            topic_id=finding.params.get("topic", ""),
            lang=lang,
            section=finding.params.get("sections", "SECTION"),
        )
        assert step["command"].startswith("esgledger ") and "{" not in step["command"]


def test_the_steps_name_what_the_user_types_and_the_names_a_reader_knows() -> None:
    words = zh()
    said = {
        f.code + f.reference: [s["text"] for s in finding_dict(f, words, "2024")["steps"]]
        for f in KINDS
    }
    claimed = said["claimed_absentHKEX-A1.3"]
    assert claimed[0] == (
        "在“数据填报”页面或数据文件中填报2024年度的赤泥堆存量（指标代码：`waste.bauxite_residue_stored`），"
        "然后计算本期。"
    )
    assert "环境管理" in claimed[1] and "HKEX-A1.3" in claimed[1]  # or untag the section
    assert "`meets: [HKEX-D28(b)]`" in said["strict_missingHKEX-D28(b)"][0]
    assert "撤回HKEX-D28(a)的解释" in said["strict_explainedHKEX-D28(a)"][0]
    assert "性别、年龄段" in said["unexplainedHKEX-B1.1"][0]
    assert "`gender=female`" in said["unexplainedHKEX-B1.1"][0]  # a member the user may type
    assert "considered_reasons" not in said["unexplainedHKEX-B1.1"][-1]  # no reasons given: none
    assert "应对气候变化" in said["sse_topic_absentSSE14-21"][1]
    assert "`climate`" in said["sse_topic_absentSSE14-21"][1]  # the topic id the command takes
    assert len(said["sse_elementsSSE14-21"]) == 4
    explained = finding_dict(KINDS[4], Words(Strings("en")), "2024", {"HKEX-B1.1": ["a", "b"]})
    assert explained["steps"][-1]["text"].startswith("Or explain why it is not disclosed")
    assert "(a, b)" in explained["steps"][-1]["text"]
    assert explained["steps"][-1]["command"] == (
        'esgledger disclose explain HKEX-B1.1 --period 2024 --reason a --text "..." --text-zh "..."'
    )
