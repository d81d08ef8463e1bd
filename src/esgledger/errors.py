"""Errors shared across layers.

Every error says what went wrong, where (file, row, cell, field, metric@entity@period) and what was
expected, so that a user can fix the input without reading code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


class EsgLedgerError(Exception):
    """Base class for errors that the CLI reports with exit code 1 (bad input or failed check)."""


class RuleFileError(EsgLedgerError):
    """A rule file (catalogue, factor set, framework) is malformed. Names the file and the key."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path


class FactorNotFound(EsgLedgerError):
    """No factor value is valid for the requested key and date: ``factor_id`` and, when the
    series exists but starts later, ``first`` (the date its first value applies from)."""

    def __init__(self, message: str, factor_id: str = "", on: str = "", first: str = ""):
        super().__init__(message)
        self.factor_id = factor_id
        self.on = on
        self.first = first


class CalculationError(EsgLedgerError):
    """A value cannot be computed; names the metric@entity@period and the missing piece.

    ``reason`` is the same in the engine's note form (``{code, args}``, see
    :mod:`esgledger.calc.notes`) when the raiser knows it, so that the report, the web and the CLI
    say it in their language; the engine falls back to the message."""

    def __init__(self, message: str, reason: Mapping[str, object] | None = None):
        super().__init__(message)
        self.reason = reason


FOUND_SHOWN = 200  # characters of a refused cell that an issue repeats


@dataclass(frozen=True)
class InputIssue:
    """One problem in an input file: where it is, what was found and what was expected."""

    file: str
    row: int | None
    field: str
    found: str
    expected: str
    cell: str | None = None

    def __post_init__(self) -> None:
        # an error never echoes megabytes of input: a long cell is shown by its start and length
        if len(self.found) > FOUND_SHOWN:
            shortened = f"{self.found[:FOUND_SHOWN]}... ({len(self.found):,} characters)"
            object.__setattr__(self, "found", shortened)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.cell:
            where += f", cell {self.cell}"
        return f"{where}, field '{self.field}': found {self.found!r}; expected {self.expected}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "row": self.row,
            "cell": self.cell,
            "field": self.field,
            "found": self.found,
            "expected": self.expected,
        }


ISSUES_LISTED = 20  # issues an API or web error answer lists; its message counts them all


@dataclass
class InputRejected(EsgLedgerError):
    """An import was refused; nothing was written. Carries every issue found."""

    issues: list[InputIssue] = field(default_factory=list)

    def summary(self, listed: int = ISSUES_LISTED) -> str:
        """One line for an error answer: how many issues, how many are listed, the first."""
        count = len(self.issues)
        shown = f" (the first {listed} are listed)" if count > listed else ""
        first = f"; the first: {self.issues[0]}" if self.issues else ""
        return f"import rejected, nothing written: {count:,} problem(s){shown}{first}"

    def listing(self, listed: int = ISSUES_LISTED) -> dict[str, object]:
        """The error answer's details (API and web alike): the total and the first issues."""
        return {"total": len(self.issues), "issues": [i.as_dict() for i in self.issues[:listed]]}

    def __str__(self) -> str:
        head = f"import rejected, nothing written: {len(self.issues)} problem(s)"
        shown = "\n".join(f"  - {issue}" for issue in self.issues[:200])
        more = f"\n  ... and {len(self.issues) - 200} more" if len(self.issues) > 200 else ""
        return f"{head}\n{shown}{more}"
