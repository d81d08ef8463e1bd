"""The product's user-facing strings in English and Simplified Chinese: one table, one class.

The table is read from files with separate jobs, each ``key: {en: ..., zh: ...}`` with placeholders
in braces:

- ``calc/notes.yaml``: what the engine says in lineage (``note.<code>``): :mod:`esgledger.calc.notes`;
- ``calc/rules/options.yaml``: the calculation options and their values (``option.<name>``,
  ``option.<name>.<value>``), see :mod:`esgledger.calc.options`;
- ``report/i18n.yaml``: the report, and the vocabulary the web shares with it (units, statuses,
  formulas);
- ``web/i18n.yaml``: the web pages;
- ``assess/i18n/*.yaml``: the assessment's records, pages and report text;
- ``qa/i18n/*.yaml``: the findings of the quality checks (``qa.*``), a file per group of checks.

A key defined in two files is a load error naming both. Metric and group names come from the
catalogue, entity names from the organisation.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Protocol, overload

from esgledger.calc.notes import ARG_KINDS, NOTES_FILE, note_table
from esgledger.calc.options import OPTIONS_FILE, option_rules
from esgledger.errors import EsgLedgerError, RuleFileError
from esgledger.figures import Figure
from esgledger.lineage import NoteArg, Text
from esgledger.rulefiles import bilingual, read_rule_file

PACKAGE = Path(__file__).parent
REPORT_FILE = PACKAGE / "report" / "i18n.yaml"
WEB_FILE = PACKAGE / "web" / "i18n.yaml"
# the assessment's strings, one file per part (targets, materiality, IROs, governance)
ASSESS_FILES = tuple(sorted((PACKAGE / "assess" / "i18n").glob("*.yaml")))
REPORT_FULL_FILE = PACKAGE / "report" / "full" / "i18n.yaml"
# the quality checks' findings (issue 12), one file per group of checks
QA_FILES = tuple(sorted((PACKAGE / "qa" / "i18n").glob("*.yaml")))
STRING_FILES = (REPORT_FILE, REPORT_FULL_FILE, WEB_FILE, *ASSESS_FILES, *QA_FILES)
LANGUAGES = ("en", "zh")
HTML_LANG = {"en": "en", "zh": "zh-CN"}


def read_strings(path: Path) -> dict[str, dict[str, str]]:
    """``key -> {en, zh}`` of one file; a key without both languages is a :class:`RuleFileError`."""
    content, _sha = read_rule_file(path)
    if not isinstance(content, dict):
        raise RuleFileError(str(path), "expected a mapping of keys to {en: ..., zh: ...}")
    return {str(k): bilingual(f"{path}: {k}", v) for k, v in content.items()}


def option_strings(path: Path = OPTIONS_FILE) -> dict[str, dict[str, str]]:
    """The labels of the calculation options and of their values."""
    table = {}
    for name, option in option_rules(path).items():
        table[f"option.{name}"] = option.label
        for value in option.values.values():
            table[f"option.{name}.{value.name}"] = value.label
    return table


@lru_cache(maxsize=1)
def load_table(files: tuple[Path, ...] = STRING_FILES) -> dict[str, dict[str, str]]:
    """Every string: the engine's notes, the option labels, and ``files``."""
    table: dict[str, dict[str, str]] = {}
    origin: dict[str, Path] = {}
    parts = [(NOTES_FILE, note_table()), (OPTIONS_FILE, option_strings())]
    parts += [(path, read_strings(path)) for path in files]
    for path, strings in parts:
        for key, texts in strings.items():
            if key in table:
                raise RuleFileError(str(path), f"{key!r} is also defined in {origin[key]}")
            table[key], origin[key] = texts, path
    return table


class Labels(Protocol):
    """How a page names what a note's arguments refer to (``web.render.Names`` is one)."""

    def metric(self, metric_id: str) -> str: ...

    def unit(self, unit: str) -> str: ...

    def entity(self, entity_id: str) -> str: ...


class Strings:
    """Look up and fill strings in one language: ``t("kpi.boundary", names="A, B")``."""

    def __init__(self, lang: str, table: dict[str, dict[str, str]] | None = None):
        if lang not in LANGUAGES:
            raise EsgLedgerError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
        self.lang = lang
        self.table = table if table is not None else load_table()

    def __call__(self, key: str, **values: object) -> str:
        try:
            text = self.table[key][self.lang]
        except KeyError:
            raise EsgLedgerError(f"string {key!r} is missing from the string tables") from None
        return text.format(**values) if values else text

    @overload
    def get(self, key: str) -> str | None: ...

    @overload
    def get(self, key: str, default: str, **values: object) -> str: ...

    def get(self, key: str, default: str | None = None, **values: object) -> str | None:
        """The string for ``key``, or ``default`` when the table has no such key."""
        return self(key, **values) if key in self.table else default

    def join(self, items: list[str]) -> str:
        return self("kpi.list_sep").join(items)

    def note(self, text: Text, labels: Labels | None = None) -> str:
        """What the engine said (a note, a reason, how a value was read) in this language.

        Plain text (lineage stored before notes had codes) is shown as written. On a Chinese page
        a metric, unit, entity or option value named in the note is shown by its label
        (``labels`` for the first three); English shows the ids as the engine wrote them.
        """
        if isinstance(text, str):
            return text
        args = {name: self._argument(name, value, labels) for name, value in text["args"].items()}
        return self(f"note.{text['code']}", **args)

    def _argument(self, name: str, value: NoteArg, labels: Labels | None) -> NoteArg:
        if isinstance(value, dict):
            return self.note(value, labels)
        if isinstance(value, float):
            return Figure(value)
        kind = ARG_KINDS.get(name)
        if self.lang == "en" or kind is None or not isinstance(value, str):
            return value
        if kind.startswith("option."):
            return self.get(f"{kind}.{value}", value)
        if labels is None:
            return value
        if kind == "metric":
            return labels.metric(value)
        if kind == "unit":
            return labels.unit(value)
        return labels.entity(value)
