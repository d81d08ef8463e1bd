"""The engine's notes as codes with arguments, rendered elsewhere from ``notes.yaml``.

The engine never writes prose into lineage: ``note("not_in_group", period="2024")`` records the code
and its values, and the report, the web explain page and the CLI show it in their language
(:meth:`esgledger.i18n.Strings.note`). An argument may be a note itself (``pro_rata`` names the
basis it pro-rates).
"""

from __future__ import annotations

import json
import string
from functools import lru_cache
from pathlib import Path

from esgledger.errors import RuleFileError
from esgledger.lineage import Note, NoteArg, Text
from esgledger.rulefiles import bilingual, read_rule_file

NOTES_FILE = Path(__file__).with_name("notes.yaml")
PREFIX = "note."
# What an argument names, so that a Chinese page can show it by its label (a catalogue metric, a
# unit, an entity of the organisation, a value of a calculation option); others show as written.
ARG_KINDS = {
    "metric": "metric",
    "unit": "unit",
    "scope1_unit": "unit",
    "generated_unit": "unit",
    "supplier": "entity",
    "entity": "entity",
    "method": "option.electricity_tce",
    "series": "option.grid_series",
}


@lru_cache(maxsize=1)
def note_table(path: Path = NOTES_FILE) -> dict[str, dict[str, str]]:
    """``note.<code> -> {en, zh}``; both languages must take the same placeholders."""
    content, _sha = read_rule_file(path)
    if not isinstance(content, dict):
        raise RuleFileError(str(path), "expected a mapping of note.<code> to {en: ..., zh: ...}")
    table = {}
    for name, texts in content.items():
        if not str(name).startswith(PREFIX):
            raise RuleFileError(str(path), f"{name!r}: a note's key starts with {PREFIX!r}")
        checked = bilingual(f"{path}: {name}", texts)
        if placeholders(checked["en"]) != placeholders(checked["zh"]):
            raise RuleFileError(str(path), f"{name}: en and zh take different placeholders")
        table[str(name)] = checked
    return table


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def note(code: str, **args: NoteArg) -> Note:
    """A note of ``code`` (declared in ``notes.yaml``, with exactly these placeholders)."""
    texts = note_table().get(PREFIX + code)
    if texts is None:
        raise KeyError(f"note code {code!r} is not declared in {NOTES_FILE.name}")
    wanted = placeholders(texts["en"])
    if wanted != set(args):
        raise KeyError(f"note {code!r} takes {sorted(wanted)}, given {sorted(args)}")
    return {"code": code, "args": dict(args)}


def identity(text: Text) -> str:
    """A hashable identity of a note (or of old plain text), to tell equal notes apart."""
    return text if isinstance(text, str) else json.dumps(text, sort_keys=True)
