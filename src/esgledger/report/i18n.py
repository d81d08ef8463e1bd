"""The report's user-facing strings in English and Simplified Chinese, read from ``i18n.yaml``."""

from __future__ import annotations

import re
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
    """Look up and fill report strings in one language: ``t("kpi.covered", names="A, B")``."""

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
