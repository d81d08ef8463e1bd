"""The report outline as data: chapters in order, their sections and each section's blocks.

Read strictly: an unknown key, a duplicate id, a block kind the registry does not know, a metric,
axis or chart the catalogue does not have is an error naming the file and the entry
(``default.yaml: chapters[3].sections[1].blocks[2]: ...``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from esgledger.errors import EsgLedgerError

OUTLINE_DIR = Path(__file__).resolve().parent.parent / "outline"
DEFAULT_OUTLINE = OUTLINE_DIR / "default.yaml"
LANGS = ("en", "zh")


class OutlineError(EsgLedgerError):
    """An outline file that cannot be used: names the file and the entry."""


@dataclass(frozen=True)
class Block:
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    id: str
    title: dict[str, str]
    blocks: tuple[Block, ...]

    @property
    def anchor(self) -> str:
        """The section's anchor in the report (content indexes link to it)."""
        return f"sec-{self.id}"

    @property
    def narrative(self) -> bool:
        return any(b.kind == "narrative" for b in self.blocks)


@dataclass(frozen=True)
class Chapter:
    id: str
    title: dict[str, str]
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Outline:
    path: str
    chapters: tuple[Chapter, ...]

    def sections(self) -> list[Section]:
        return [s for c in self.chapters for s in c.sections]

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections() if s.id == section_id), None)


# A block kind's check of its parameters: (where, params) -> None, raising OutlineError.
BlockCheck = Callable[[str, dict[str, Any]], None]


def load_outline(checks: Mapping[str, BlockCheck], path: Path = DEFAULT_OUTLINE) -> Outline:
    """Read and check an outline file against the block kinds of ``checks``."""
    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise OutlineError(f"{where}: cannot read the outline: {exc}") from exc
    _keys(where, data, {"version", "chapters"}, {"chapters"})
    if not isinstance(data["chapters"], list) or not data["chapters"]:
        raise OutlineError(f"{where}: chapters: expected a non-empty list")
    seen: set[str] = set()
    chapters = []
    for c_index, raw in enumerate(data["chapters"]):
        at = f"{where}: chapters[{c_index}]"
        _keys(at, raw, {"id", "title", "sections"}, {"id", "title", "sections"})
        chapter_id = _id(at, raw["id"], seen)
        sections = []
        for s_index, section in enumerate(raw["sections"] or []):
            s_at = f"{at}.sections[{s_index}]"
            _keys(s_at, section, {"id", "title", "blocks"}, {"id", "title", "blocks"})
            blocks = tuple(
                _block(f"{s_at}.blocks[{b}]", spec, checks)
                for b, spec in enumerate(section["blocks"] or [])
            )
            if not blocks:
                raise OutlineError(f"{s_at}: blocks: a section shows at least one block")
            sections.append(
                Section(_id(s_at, section["id"], seen), _title(s_at, section["title"]), blocks)
            )
        if not sections:
            raise OutlineError(f"{at}: sections: a chapter has at least one section")
        chapters.append(Chapter(chapter_id, _title(at, raw["title"]), tuple(sections)))
    return Outline(str(path), tuple(chapters))


def _block(at: str, spec: Any, checks: Mapping[str, BlockCheck]) -> Block:
    if isinstance(spec, str):
        spec = {"kind": spec}
    if not isinstance(spec, dict) or "kind" not in spec:
        raise OutlineError(f"{at}: expected a block kind or a mapping with 'kind'")
    kind = spec["kind"]
    if kind not in checks:
        raise OutlineError(f"{at}: unknown block kind {kind!r}: one of {', '.join(sorted(checks))}")
    params = {k: v for k, v in spec.items() if k != "kind"}
    checks[kind](f"{at} ({kind})", params)
    return Block(kind, params)


def _keys(at: str, value: Any, allowed: set[str], required: set[str]) -> None:
    if not isinstance(value, dict):
        raise OutlineError(f"{at}: expected a mapping")
    unknown = set(value) - allowed
    if unknown:
        raise OutlineError(f"{at}: unknown key(s) {', '.join(sorted(unknown))}")
    missing = required - set(value)
    if missing:
        raise OutlineError(f"{at}: missing key(s) {', '.join(sorted(missing))}")


def _id(at: str, value: Any, seen: set[str]) -> str:
    if not isinstance(value, str) or not value.replace("-", "").isalnum() or value != value.lower():
        raise OutlineError(f"{at}: id {value!r}: lower-case letters, digits and '-'")
    if value in seen:
        raise OutlineError(f"{at}: id {value!r} is used twice")
    seen.add(value)
    return value


def _title(at: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGS):
        raise OutlineError(f"{at}: title: expected {{en: ..., zh: ...}}")
    return {k: str(v) for k, v in value.items()}


def title_of(at: str, value: Any) -> dict[str, str]:
    """A block's optional ``title`` parameter, checked like a section's."""
    return _title(at, value)
