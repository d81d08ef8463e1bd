"""Numbers written for a reader never come out in exponent form (issue 8: `show` printed
5.14797e+06; explain trees, notes and calculation terms did the same)."""

from __future__ import annotations

import pytest

from esgledger.figures import Figure, num
from esgledger.i18n import Strings


@pytest.mark.parametrize(
    ("value", "spec", "written"),
    [
        (1_461_012.3, ",.6g", "1,461,010"),  # six significant digits, grouped
        (1_800_020.0, "g", "1800020"),
        (123_456_789.0, ",.6g", "123,457,000"),
        (0.811663, "g", "0.811663"),
        (0.0000001, "g", "0.0000001"),
        (2.5, ".4g", "2.5"),
        (-0.0, "g", "0"),
        (12.0, "", "12.0"),  # a spec without g is left to float
    ],
)
def test_a_figure_is_written_without_exponent(value: float, spec: str, written: str) -> None:
    assert format(Figure(value), spec) == written


def test_num_is_six_significant_digits() -> None:
    assert num(5_147_969.685) == "5147970"
    assert num(float("inf")) == "inf"


def test_a_note_with_large_numbers_reads_plainly_in_both_languages() -> None:
    note = {
        "code": "supplier_rate",
        "args": {
            "supplier": "jl-xj-power",
            "scope1": 1_460_990.0,
            "scope1_unit": "tCO2e",
            "generated": 1_799_990.0,
            "generated_unit": "MWh",
        },
    }
    english = Strings("en").note(note)  # type: ignore[arg-type]
    assert "1,460,990 tCO2e" in english and "1,799,990 MWh" in english
    assert "e+" not in english
    assert "1,460,990" in Strings("zh").note(note)  # type: ignore[arg-type]
