"""The report's Jinja2 environments: one per set of template folders, built once per process, so
that a template is compiled once rather than on every rendering (the basis of preparation is
rendered per language and per build, the KPI report per language)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

REPORT_TEMPLATES = Path(__file__).parent / "templates"
FULL_TEMPLATES = Path(__file__).parent / "full" / "templates"


@cache
def environment(*folders: Path) -> Environment:
    """The environment reading ``folders`` in order: autoescaped, strict about undefined names."""
    return Environment(
        loader=FileSystemLoader(list(folders)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
