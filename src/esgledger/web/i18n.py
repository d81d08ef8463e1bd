"""The web pages' strings in English and Simplified Chinese, read from ``i18n.yaml``.

The table has the report's format (``key: {en: ..., zh: ...}``, placeholders in braces); metric and
group names come from the catalogue and entity names from the organisation, not from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from esgledger.errors import EsgLedgerError, RuleFileError
from esgledger.rulefiles import bilingual, read_rule_file

if TYPE_CHECKING:
    from esgledger.web.messages import Message

I18N_FILE = Path(__file__).with_name("i18n.yaml")
LANGUAGES = ("en", "zh")
HTML_LANG = {"en": "en", "zh": "zh-CN"}


@lru_cache(maxsize=2)
def load_table(path: Path = I18N_FILE) -> dict[str, dict[str, str]]:
    """``key -> {en, zh}``; a key without both languages is a :class:`RuleFileError`."""
    content, _sha = read_rule_file(path)
    if not isinstance(content, dict):
        raise RuleFileError(str(path), "expected a mapping of keys to {en: ..., zh: ...}")
    return {str(k): bilingual(f"{path}: {k}", v) for k, v in content.items()}


class Strings:
    """``t("entry.saved", count=3)`` in one language."""

    def __init__(self, lang: str):
        if lang not in LANGUAGES:
            raise EsgLedgerError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
        self.lang = lang
        self.table = load_table()

    def __call__(self, key: str, **values: object) -> str:
        try:
            text = self.table[key][self.lang]
        except KeyError:
            raise EsgLedgerError(f"web string {key!r} is missing from {I18N_FILE}") from None
        return text.format(**values) if values else text

    def get(self, key: str, default: str) -> str:
        return self(key) if key in self.table else default

    def error(self, error: Mapping[str, Any]) -> Message:
        """A refusal (``code``, ``message``, ``field``, ``details``) in this language: see
        :mod:`esgledger.web.messages`."""
        from esgledger.web.messages import localize  # imports the renderer, which imports this

        return localize(self, error)
