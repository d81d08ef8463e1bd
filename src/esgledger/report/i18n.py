"""The report's user-facing strings in English and Simplified Chinese, read from ``i18n.yaml``."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from esgledger.errors import EsgLedgerError, RuleFileError
from esgledger.rulefiles import bilingual, read_rule_file

I18N_FILE = Path(__file__).with_name("i18n.yaml")
LANGUAGES = ("en", "zh")
HTML_LANG = {"en": "en", "zh": "zh-CN"}


@lru_cache(maxsize=4)
def load_table(path: Path = I18N_FILE) -> dict[str, dict[str, str]]:
    """``key -> {en, zh}``; a key without both languages is a :class:`RuleFileError`."""
    content, _sha = read_rule_file(path)
    if not isinstance(content, dict):
        raise RuleFileError(str(path), "expected a mapping of keys to {en: ..., zh: ...}")
    return {str(k): bilingual(f"{path}: {k}", v) for k, v in content.items()}


class Strings:
    """Look up and fill report strings in one language: ``t("kpi.boundary", names="A, B")``."""

    def __init__(self, lang: str, table: dict[str, dict[str, str]] | None = None):
        if lang not in LANGUAGES:
            raise EsgLedgerError(
                f"unknown report language {lang!r}: use one of {', '.join(LANGUAGES)}"
            )
        self.lang = lang
        self.table = table if table is not None else load_table()

    def __call__(self, key: str, **values: object) -> str:
        try:
            text = self.table[key][self.lang]
        except KeyError:
            raise EsgLedgerError(f"report string {key!r} is missing from {I18N_FILE}") from None
        return text.format(**values) if values else text

    def get(self, key: str, default: str | None = None, **values: object) -> str | None:
        """The string for ``key``, or ``default`` when the table has no such key."""
        return self(key, **values) if key in self.table else default

    def join(self, items: list[str]) -> str:
        return self("kpi.list_sep").join(items)

    def reason(self, text: str) -> str:
        """Translate an inclusion or exclusion reason written by the engine (in English) when it is
        a known one; an unknown reason is shown as written."""
        pro_rata = _PRO_RATA.fullmatch(text)
        if pro_rata:
            fraction = float(pro_rata.group("fraction"))
            return self(
                "reason.pro_rata",
                reason=self.reason(pro_rata.group("head")),
                fraction=f"{fraction * 100:.1f}%",
            )
        for pattern, string_key in _REASONS:
            match = pattern.fullmatch(text)
            if match:
                return self(string_key, **match.groupdict())
        return text

    def note(self, text: str, shown: Callable[[str, str], str] | None = None) -> str:
        """Translate a note or a how-it-was-read text written by the engine when it is a known
        one; ``shown(name, value)`` renders a matched value (a metric id by its name, say). An
        unknown text is shown as written."""
        for pattern, string_key in _NOTES:
            match = pattern.fullmatch(text)
            if match:
                values = {
                    name: shown(name, value) if shown else self.option_value(name, value)
                    for name, value in match.groupdict().items()
                }
                return self(string_key, **values)
        return text

    def option_value(self, name: str, value: str) -> str:
        """A calculation option's value named in a note (``method``: the electricity
        conversion, ``series``: the grid factor series) in this language."""
        option = {"method": "electricity_tce", "series": "grid_series"}.get(name)
        return (self.get(f"option.{option}.{value}") if option else None) or value


# Texts the engine writes in English into lineage records (how a reported value was read, notes),
# matched to the strings ``how.*`` and ``note.*`` of i18n.yaml.
_NOTES = [
    (re.compile(r"sum of (?P<count>\d+) monthly values"), "how.monthly_sum"),
    (
        re.compile(r"mean of (?P<count>\d+) monthly values weighted by monthly (?P<metric>\S+)"),
        "how.monthly_weighted",
    ),
    (re.compile(r"mean of (?P<count>\d+) monthly values"), "how.monthly_mean"),
    (re.compile(r"internal transfers \(received from group entities\)"), "how.transfers_received"),
    (re.compile(r"internal transfers \(supplied to group entities\)"), "how.transfers_supplied"),
    (re.compile(r"(?P<count>\d+) certificate claim\(s\)"), "how.certificates"),
    (re.compile(r"method: (?P<citation>.+)", re.S), "note.method"),
    (re.compile(r"slope method: (?P<detail>.+)", re.S), "note.slope_method"),
    (re.compile(r"default emission factors per tonne of aluminium"), "note.default_pfc"),
    (re.compile(r"only (?P<count>\d+) of 12 months reported"), "note.months_missing"),
    (
        re.compile(
            r"the (?P<count>\d+) monthly values add up to (?P<sum>\S+) (?P<unit>\S+), "
            r"not the annual (?P<value>\S+) (?P=unit); the annual value is used"
        ),
        "note.monthly_mismatch",
    ),
    (
        re.compile(
            r"factor (?P<factor>\S+) is tagged (?P<confidence>\S+) \(unverified\): check before use"
        ),
        "note.unverified_factor",
    ),
    (re.compile(r"electricity converted by the (?P<method>\S+) method"), "note.electricity_tce"),
    (re.compile(r"counted because the entity reports (?P<metric>\S+)"), "note.counted_product"),
    (re.compile(r"not computed: (?P<metric>\S+) is zero"), "note.zero_denominator"),
    (re.compile(r"rate expressed (?P<label>.+)"), "note.rate_expressed"),
    (re.compile(r"no measured anode parameters: the cited defaults apply"), "note.default_anode"),
    (
        re.compile(r"CH4 and N2O of mobile combustion not included \(no cited mobile factors\)"),
        "note.mobile_gases",
    ),
    (re.compile(r"measured by the entity \((?P<record>[^)]+)\)"), "note.measured_by"),
    (re.compile(r"grid factor series: (?P<series>\S+) \((?P<factor>[^)]+)\)"), "note.grid_series"),
]
# Reasons the engine writes into roll-up records (calc.engine, calc.consolidation).
_REASONS = [
    (
        re.compile(r"no operational control(?: \(operational-control approach\))?"),
        "reason.no_operational_control",
    ),
    (re.compile(r"no financial control"), "reason.no_financial_control"),
    (re.compile(r"no equity share"), "reason.no_equity_share"),
    (re.compile(r"not in the group during (?P<period>\S+)"), "reason.not_in_group"),
    (re.compile(r"operational control"), "reason.operational_control"),
    (re.compile(r"financial control"), "reason.financial_control"),
    (re.compile(r"equity share (?P<share>\S+)"), "reason.equity_share"),
]
_PRO_RATA = re.compile(
    r"(?P<head>.+), (?P<fraction>[\d.]+) of the period in the group "
    r"\(pro rata by validity dates\)"
)
