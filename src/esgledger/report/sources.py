"""A factor's publication as the report prints it, in the report language.

A factor's source is a publication title: the report gives the factor set's title in the report
language where the factor data carries one (every shipped set has ``title.en`` and ``title.zh``),
else the value's own citation as written. The reviewers' notes on a value are written in English
only; a Chinese report leaves them to the data annex, which keeps every source and note whole.
"""

from __future__ import annotations

import re
from functools import lru_cache

from esgledger.factors import load_library
from esgledger.i18n import Strings
from esgledger.report.trace import FactorUse

_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _titles() -> dict[tuple[str, str], dict[str, str]]:
    """The shipped factor sets' titles by (set id, edition)."""
    return {identity: dict(found.title) for identity, found in load_library().sets.items()}


def set_title(factor_set: str, edition: str, lang: str) -> str | None:
    """The title of the factor set edition in ``lang``, when the factor data carries one."""
    title = _titles().get((factor_set, edition), {}).get(lang)
    return title or None


def factor_source(factor: FactorUse, strings: Strings) -> str:
    """The publication a factor value comes from: its own citation in English; in another
    language the set's title in that language where the data has it, else the citation."""
    if strings.lang == "en":
        return strings.note(factor.source)
    title = set_title(factor.factor_set, factor.edition, strings.lang)
    return title if title is not None else strings.note(factor.source)


def factor_edition(factor: FactorUse, strings: Strings) -> str:
    """Set · edition · version; in another language the English edition name is left out where
    the data has the set's title in that language (the source column prints it)."""
    edition = factor.edition
    if strings.lang != "en" and set_title(factor.factor_set, factor.edition, strings.lang):
        edition = ""  # the source beside it gives the publication's title in the language
    parts = (factor.factor_set, edition, f"v{factor.version}" if factor.version else "")
    return " · ".join(part for part in parts if part)


def in_language(text: str, strings: Strings) -> str:
    """A note of the factor data, printed when it is in the report language: always in English,
    in Chinese only when it is written in Chinese (an English-only note stays in the annex)."""
    if strings.lang == "en" or _CJK.search(text):
        return text
    return ""
