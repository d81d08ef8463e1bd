"""Coverage findings name topics and metrics as a reader knows them (a new user saw
``议题supply_chain`` and ``waste.bauxite_residue_stored`` on the Chinese page): the message in the
page's language with names, its ``params`` keeping the ids (the service passes the topic library's
and the catalogue's names: ``tests/test_disclose_coverage.py`` runs it on both backends)."""

from __future__ import annotations

from esgledger.disclose.coverage import Finding
from esgledger.i18n import Strings
from esgledger.services.disclose import finding_dict, missing_text

NAMES = {
    "supply_chain": "供应链安全",
    "energy": "能源利用",
    "waste.bauxite_residue_stored": "赤泥堆存量",
}


def test_a_coverage_finding_says_topics_and_metrics_by_name() -> None:
    found = Finding(
        "error",
        "material_missing",
        "GRI-306-5",
        {"topics": "energy, supply_chain", "missing": "value:waste.bauxite_residue_stored"},
    )
    shown = finding_dict(found, Strings("zh"), NAMES)
    assert shown["message"] == (
        "GRI-306-5对应的议题能源利用、供应链安全具有重要性，须披露但未披露：无以下指标的数值：赤泥堆存量"
    )
    assert shown["params"]["topics"] == "energy, supply_chain"  # the ids, for programs
    english = finding_dict(found, Strings("en"), {"energy": "Energy usage"})
    assert "material topic Energy usage, supply_chain and" in english["message"]
    assert "no value of waste.bauxite_residue_stored" in english["message"]  # no name: the id
    assert finding_dict(found, Strings("zh"))["message"].count("supply_chain") == 1  # no names


def test_what_a_row_lacks_in_words_and_names() -> None:
    assert missing_text("value:waste.bauxite_residue_stored; targets", Strings("zh"), NAMES) == (
        "无以下指标的数值：赤泥堆存量；相关指标未设定目标"
    )
    assert missing_text("text", Strings("en"), NAMES) == "no section meets it"
