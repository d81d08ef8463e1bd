"""Placeholders in narrative sections: ``{{ value("ghg.scope1") }}``, ``{{ value("ghg.scope1",
"jl-xj-smelter", year="2023") }}``, ``{{ table("workforce.headcount", by="gender") }}``,
``{{ chart("energy_mix") }}``, ``{{ target("JL-GHG-2060-GROSS") }}``, ``{{ tag("HKEX-B1") }}``.

Each ``{{ ... }}`` is one call, evaluated on its own in a sandboxed Jinja2 environment (no
statements, no attribute access to Python objects, no loops): a call that refers to nothing (an
unknown metric, entity, chart, target or framework item), an unknown function, a syntax error or an
unclosed ``{{`` is a :class:`PlaceholderError` naming where the text comes from and the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from jinja2 import TemplateSyntaxError
from jinja2.environment import TemplateExpression
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from esgledger.errors import EsgLedgerError

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
FUNCTIONS = ("value", "table", "chart", "target", "tag")


class PlaceholderError(EsgLedgerError):
    """A placeholder that cannot be rendered; the message names the text's origin and line."""

    def __init__(self, where: str, line: int, problem: str):
        super().__init__(f"{where}, line {line}: {problem}")
        self.where = where
        self.line = line
        self.problem = problem


class Unresolved(Exception):
    """Raised by a resolver for a reference to nothing (the message says what is unknown)."""


class Resolver(Protocol):
    """What placeholders call; each returns HTML (escaped) or raises :class:`Unresolved`."""

    def value(self, metric: str, entity: str | None = None, year: str | None = None) -> str: ...
    def table(self, metric: str, by: str) -> str: ...
    def chart(self, name: str) -> str: ...
    def target(self, target_id: str) -> str: ...
    def tag(self, reference: str) -> str: ...


@dataclass(frozen=True)
class Found:
    """One placeholder of a text: its line, source and whether it stands alone in its paragraph."""

    line: int
    source: str
    start: int
    end: int


_ENVIRONMENT = SandboxedEnvironment(autoescape=True)


def find(text: str, where: str) -> list[Found]:
    """Every ``{{ ... }}`` of ``text``; an unclosed ``{{`` or a ``{%`` statement is an error."""
    found = []
    for match in PLACEHOLDER.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        found.append(Found(line, match.group(1).strip(), match.start(), match.end()))
    rest = PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text)
    for marker, problem in (("{{", "'{{' without its closing '}}'"), ("{%", "statements")):
        at = rest.find(marker)
        if at >= 0:
            line = rest.count("\n", 0, at) + 1
            if marker == "{%":
                problem = "'{%' statements are not allowed: use {{ value(...) }} and the like"
            raise PlaceholderError(where, line, problem)
    return found


@lru_cache(maxsize=4096)
def _compiled(source: str) -> TemplateExpression:
    """A placeholder's expression, compiled once per process (a report evaluates each one per
    language, and again in the checks and the editor's preview)."""
    return _ENVIRONMENT.compile_expression(source, undefined_to_none=False)


def evaluate(found: Found, resolver: Resolver, where: str) -> str:
    """The HTML of one placeholder, or a :class:`PlaceholderError` at its line."""
    calls: dict[str, Callable[..., str]] = {name: getattr(resolver, name) for name in FUNCTIONS}
    if not found.source:
        raise PlaceholderError(where, found.line, "an empty placeholder '{{ }}'")
    name = found.source.split("(", 1)[0].strip()
    if name not in FUNCTIONS:
        raise PlaceholderError(
            where,
            found.line,
            f"unknown placeholder {{{{ {found.source} }}}}: use {', '.join(FUNCTIONS)}",
        )
    try:
        result = _compiled(found.source)(**calls)
    except TemplateSyntaxError as exc:
        raise PlaceholderError(
            where, found.line, f"{{{{ {found.source} }}}}: syntax error: {exc.message}"
        ) from exc
    except Unresolved as exc:
        raise PlaceholderError(where, found.line, f"{{{{ {found.source} }}}}: {exc}") from exc
    except (TypeError, SecurityError, UndefinedError) as exc:
        raise PlaceholderError(where, found.line, f"{{{{ {found.source} }}}}: {exc}") from exc
    return str(result) if isinstance(result, Markup) else str(Markup.escape(result))


def tags_in(text: str) -> set[str]:
    """The framework references of ``{{ tag("...") }}`` placeholders (without rendering)."""
    return set(re.findall(r"\{\{\s*tag\(\s*[\"']([^\"']+)[\"']\s*\)\s*\}\}", text))
