"""Narrative sections: Markdown per section and language, with optional front matter
(``meets: [HKEX-B1, SSE14-50(1)]``: the framework items the section meets) and placeholders
(:mod:`.placeholders`). The package ships a neutral template text for every narrative section of
the default outline (``report/content/<lang>/<section>.md``); the organisation's own versions are
stored in the ledger and take precedence.

Markdown is rendered with markdown-it-py (CommonMark with tables; raw HTML off, so a section's
text can never inject markup into the report).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt

from esgledger.report.full.placeholders import (
    PlaceholderError,
    Resolver,
    evaluate,
    find,
    tags_in,
)

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
TOKEN = "ESGLEDGERPLACEHOLDER{:04d}X"

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


@dataclass(frozen=True)
class SectionText:
    """One section's text in one language, with where it comes from (for errors)."""

    section: str
    lang: str
    text: str
    origin: str = "default text"
    version: int | None = None  # the ledger version, None for a default text

    @property
    def where(self) -> str:
        return f"section {self.section} ({self.lang}, {self.origin})"


@dataclass
class Parsed:
    meets: list[str]
    body: str
    offset: int  # lines of front matter before the body
    extra: dict[str, object] = field(default_factory=dict)


@lru_cache(maxsize=1024)
def _load_front_matter(source: str) -> Any:
    return yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}


def _front_matter(source: str) -> Any:
    """The front matter as data, read once per text (a build parses each section several times):
    a copy, so that no caller changes the cached one."""
    return copy.deepcopy(_load_front_matter(source))


def parse(text: SectionText) -> Parsed:
    """Split front matter from the body; only ``meets`` (a list of framework references) and
    ``title`` are allowed in it."""
    match = FRONT.match(text.text.replace("\r\n", "\n"))
    if match is None:
        return Parsed([], text.text.replace("\r\n", "\n"), 0)
    try:
        meta = _front_matter(match.group(1))
    except yaml.YAMLError as exc:
        raise PlaceholderError(text.where, 2, f"front matter is not YAML: {exc}") from exc
    if not isinstance(meta, dict) or set(meta) - {"meets", "title"}:
        raise PlaceholderError(text.where, 2, "front matter: only 'meets' and 'title' are allowed")
    meets = meta.get("meets") or []
    if not isinstance(meets, list) or not all(isinstance(m, str) for m in meets):
        raise PlaceholderError(text.where, 2, "front matter: meets is a list of item references")
    body = text.text.replace("\r\n", "\n")[match.end() :]
    return Parsed(meets, body, match.group(0).count("\n"), {"title": meta.get("title")})


def render(text: SectionText, resolver: Resolver) -> str:
    """The section's HTML: placeholders evaluated (errors name the section, language and line),
    Markdown rendered, block placeholders (tables, charts) kept out of paragraphs."""
    parsed = parse(text)
    for reference in parsed.meets:
        try:
            resolver.tag(reference)
        except Exception as exc:  # Unresolved: an unknown framework item
            raise PlaceholderError(text.where, 2, f"front matter: meets: {exc}") from exc
    found = find(parsed.body, text.where)
    pieces: list[str] = []
    body, shift = parsed.body, 0
    for index, placeholder in enumerate(found):
        moved = type(placeholder)(
            placeholder.line + parsed.offset, placeholder.source, placeholder.start, placeholder.end
        )
        pieces.append(evaluate(moved, resolver, text.where))
        token = TOKEN.format(index)
        body = body[: placeholder.start + shift] + token + body[placeholder.end + shift :]
        shift += len(token) - (placeholder.end - placeholder.start)
    html = _MARKDOWN.render(body)
    for index, piece in enumerate(pieces):
        token = TOKEN.format(index)
        html = html.replace(f"<p>{token}</p>", piece).replace(token, piece)
    return html


def section_tags(texts: Iterable[SectionText]) -> dict[str, set[str]]:
    """The framework items each section declares it meets (front matter ``meets`` and
    ``{{ tag(...) }}`` placeholders), over every language of it: section id -> references."""
    found: dict[str, set[str]] = {}
    for text in texts:
        parsed = parse(text)
        found.setdefault(text.section, set()).update(parsed.meets, tags_in(parsed.body))
    return found


@lru_cache(maxsize=256)
def default_text(section: str, lang: str) -> SectionText | None:
    """The shipped template text of a section, or None when the package has none (read once per
    process: the package's files do not change while it runs)."""
    path = CONTENT_DIR / lang / f"{section}.md"
    if not path.is_file():
        return None
    return SectionText(section, lang, path.read_text(encoding="utf-8"), f"default {path.name}")


def is_template(section: str, lang: str, body: str) -> bool:
    """Whether ``body`` is the section's shipped template text, unchanged (stored back as is)."""
    shipped = default_text(section, lang)
    return shipped is not None and body.strip() == shipped.text.strip()


def texts_for(
    sections: Iterable[str], langs: Iterable[str], stored: Mapping[tuple[str, str], SectionText]
) -> list[SectionText]:
    """Each section's text in each language: the organisation's stored version, else the default."""
    chosen = []
    for section in sections:
        for lang in langs:
            text = stored.get((section, lang)) or default_text(section, lang)
            if text is not None:
                chosen.append(text)
    return chosen


def read_folder(folder: Path) -> list[SectionText]:
    """The ``<lang>/<section>.md`` (or ``<section>.<lang>.md``) files of a folder."""
    texts = []
    for path in sorted(folder.rglob("*.md")):
        relative = path.relative_to(folder)
        if len(relative.parts) == 2 and relative.parts[0] in ("en", "zh"):
            section, lang = path.stem, relative.parts[0]
        elif len(relative.parts) == 1 and path.stem.rsplit(".", 1)[-1] in ("en", "zh"):
            section, lang = path.stem.rsplit(".", 1)
        else:
            continue
        texts.append(SectionText(section, lang, path.read_text(encoding="utf-8"), str(relative)))
    return texts
