"""``--help`` of every command reads as paragraphs: a docstring's hard line breaks are not kept
(the CLI renders help as Markdown), and nothing of it is swallowed as markup."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from esgledger.cli.main import app

WIDE = 1000  # wide enough for every paragraph of help on one line


def _commands() -> Iterator[tuple[list[str], Any]]:
    def walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
        yield path, command
        for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


def _paragraphs(help_text: str) -> list[str]:
    """The help's paragraphs as a reader sees them: one line each, code spans unmarked."""
    cleaned = inspect.cleandoc(help_text).replace("`", "")
    return [" ".join(p.split()) for p in cleaned.split("\n\n") if p.strip()]


def _help(path: list[str], width: int) -> list[str]:
    result = CliRunner().invoke(
        app, [*path, "--help"], prog_name="esgledger", env={"COLUMNS": str(width)}
    )
    assert result.exit_code == 0, result.output
    return [" ".join(line.strip(" │").split()) for line in result.output.splitlines()]


COMMANDS = list(_commands())


def test_every_command_is_walked() -> None:
    paths = {" ".join(path) for path, _command in COMMANDS}
    assert {"report", "check", "disclose coverage", "report sections import"} <= paths


@pytest.mark.parametrize(
    "path", [path for path, _c in COMMANDS], ids=lambda path: " ".join(path) or "esgledger"
)
def test_help_paragraphs_are_not_broken_mid_sentence(path: list[str]) -> None:
    command = dict((tuple(p), c) for p, c in COMMANDS)[tuple(path)]
    lines = _help(path, WIDE)
    shown = " ".join(lines)
    for paragraph in _paragraphs(command.help or ""):
        assert paragraph in shown, f"{path}: help text lost or altered: {paragraph!r}"
        assert any(paragraph in line for line in lines), f"{path}: broken: {paragraph!r}"
    for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
        first = _paragraphs(sub.help or "")[:1]
        # the commands panel shows each subcommand's first paragraph on one line
        assert all(any(p in line for line in lines) for p in first), f"{path} {name}: {first}"


def test_commands_panel_at_80_columns_has_no_short_lines() -> None:
    """At 80 columns a description fills its lines: no line ends while the next word would fit."""
    output = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "80"}).output
    rows = output.split("Commands")[1].splitlines()[1:-1]
    offset = 2 + len(re.match(r"│ (\S+\s+)", rows[0]).group(1))  # type: ignore[union-attr]
    room = 80 - offset - 2  # the cell ends one space before the right border
    for this, following in zip(rows, rows[1:], strict=False):
        if following[1:offset].strip():
            continue  # the next row is the next command
        words = following[offset:-1].split()
        assert len(this[offset:-1].rstrip()) + 1 + len(words[0]) > room, f"short: {this!r}"
