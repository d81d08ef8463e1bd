"""Every bundled factor value cites its primary publication, not the research notes it was found in.

A factor's ``source`` is printed in the report and in lineage, and its ``note`` beside it: both name
the publication (issuer, document, table, date) and what a reader needs to apply the value. How the
value was checked (which secondary sources were compared, what is still to be confirmed) belongs in
``verification``, which is kept for reviewers and never printed in a report.
"""

from __future__ import annotations

import html as html_text
import re
from pathlib import Path

import pytest
import yaml

from esgledger.calc import CalcOptions
from esgledger.factors.library import DATA_DIR, FactorValue, load_library
from tests.helpers import DATA_HEADER, GROUP_AND_PLANT, ORG_HEADER, write_csv
from tests.ledger_fixture import Ledger

# Research-note vocabulary that must not be cited as a source (case-insensitive).
NOT_A_PUBLICATION = (
    "github",
    "repository",
    "standards.md",
    "professional knowledge",
    "recalled",
    "daydaynews",
    "tanpaifang",
    "zhangwenkingh",
    "新京报",
    "新浪",
    "as extracted",
    "doc88",
    "MEE-F20",
)
YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")  # no \b: "2024年" has no word boundary
EDITION = re.compile(r"edition|版", re.IGNORECASE)


def _values() -> list[FactorValue]:
    library = load_library()
    return [value for fid in library.factor_ids() for value in library.values(fid)]


def _found(text: str) -> list[str]:
    lowered = text.lower()
    return [word for word in NOT_A_PUBLICATION if word.lower() in lowered]


def test_sources_and_notes_name_no_research_notes() -> None:
    problems = [
        f"{value.factor_id} from {value.valid_from} ({value.edition}): {field} mentions {words}"
        for value in _values()
        for field in ("source", "note")
        if (words := _found(getattr(value, field)))
    ]
    assert not problems, "\n".join(problems)


def test_set_citations_and_notes_name_no_research_notes() -> None:
    library = load_library()
    problems = [
        f"{set_id} ({edition}): citation mentions {words}"
        for (set_id, edition), factor_set in library.sets.items()
        if (words := _found(factor_set.citation))
    ]
    # the set-level notes are not kept by the loader: read them from the files
    for path in sorted(DATA_DIR.glob("*.yaml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        if words := _found(str(content.get("notes", ""))):
            problems.append(f"{path.name}: notes mention {words}")
    assert not problems, "\n".join(problems)


def test_every_source_names_a_publication_with_its_year_or_edition() -> None:
    problems = [
        f"{value.factor_id} from {value.valid_from}: source {value.source!r}"
        for value in _values()
        if len(value.source.strip()) < 20
        or not (YEAR.search(value.source) or EDITION.search(value.source))
    ]
    assert not problems, "\n".join(problems)


def test_unverified_values_say_what_is_still_to_be_checked() -> None:
    """A value tagged M or ! carries the reviewers' account of what is unconfirmed."""
    missing = [
        f"{value.factor_id} from {value.valid_from} [{value.confidence}]"
        for value in _values()
        if value.unverified and not value.verification.strip()
    ]
    assert not missing, "\n".join(missing)


def test_the_checks_catch_a_research_note() -> None:
    assert _found("a public GitHub repository") == ["github", "repository"]
    assert _found("MEE-F2022 news report") == ["MEE-F20"]
    assert not YEAR.search("Table A.1") and YEAR.search("公告2024年第12号")


# -- the report ---------------------------------------------------------------------------------------
@pytest.fixture
def reports(ws: Ledger, tmp_path: Path) -> dict[str, str]:
    """A plant using diesel, raw coal and purchased electricity, with electricity counted at its
    equivalent value (cec_power, tagged M): its reports in both languages, as plain text."""
    ws.import_organisation(
        write_csv(
            tmp_path / "org.csv",
            ORG_HEADER,
            GROUP_AND_PLANT,
        )
    )
    rows = [
        ["plant", "2024", "energy.diesel", "120", "t", "measured", "fuel ledger", ""],
        ["plant", "2024", "energy.raw_coal", "200", "t", "measured", "weighbridge", ""],
        ["plant", "2024", "energy.electricity_purchased", "1200", "MWh", "measured", "meter", ""],
    ]
    ws.import_data(write_csv(tmp_path / "data.csv", DATA_HEADER, rows))
    ws.calc("2024", CalcOptions(electricity_tce="equivalent"))
    return {
        lang: html_text.unescape(
            ws.report_file("2024", tmp_path / "out", lang).read_text(encoding="utf-8")
        )
        for lang in ("en", "zh")
    }


def test_report_prints_sources_but_never_verification(reports: dict[str, str]) -> None:
    values = _values()
    used = [v for v in values if v.verification and v.source in reports["en"]]
    # the check means something: factors with a verification text were used and cited
    assert any(v.factor_id == "cec_power.electricity_equivalent" for v in used), used
    assert len(used) >= 3, [v.factor_id for v in used]
    for lang, text in reports.items():
        printed = [
            f"{value.factor_id} from {value.valid_from}"
            for value in values
            if value.verification and value.verification in text
        ]
        assert not printed, f"{lang} report prints the verification of {printed}"


def test_unverified_statement_summarises_the_confidence_tag(reports: dict[str, str]) -> None:
    for lang, phrase in (
        ("en", "not yet confirmed against the publication"),
        ("zh", "尚未对照出版物确认"),
    ):
        text = reports[lang]
        statement = text[text.index('id="unverified"') : text.index('id="kpi"')]
        assert "cec_power.electricity_equivalent" in statement
        assert phrase in statement
