"""A refused file on a page: each issue's row, cell, field, what was found and what was expected,
the first :data:`ISSUES_SHOWN` of them, in the page language.

The importers say what they found and expected in English (also the API's and the CLI's words).
The common sentences are recognised here and said in the page language, the English kept beside
them; any other sentence is shown in English as written (marked ``lang="en"``), so that a new
wording in an importer is never lost, only not yet translated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from esgledger.errors import InputIssue, InputRejected
from esgledger.i18n import Strings

ISSUES_SHOWN = 50  # issues listed on a page; "and N more" says how many were left out
DID_YOU_MEAN = re.compile(r" \(did you mean (?P<names>.+)\?\)$")
ALTERNATIVES = re.compile(r"(?<=') or (?=')")  # 'a' or 'b' -> ['a', 'b']
# (what the importer wrote, the key saying it in i18n.yaml: issue.found.* or issue.expected.*)
FOUND = (
    (re.compile(r"an empty cell"), "issue.found.empty"),
    (re.compile(r"no such column"), "issue.found.no_column"),
    (re.compile(r"an unknown column"), "issue.found.unknown_column"),
)
EXPECTED = (
    (re.compile(r"a value"), "issue.expected.value"),
    (re.compile(r"a column named '(?P<column>[^']+)'"), "issue.expected.column"),
    (re.compile(r"one of (?P<columns>[a-z_, ]+)"), "issue.expected.columns"),
    (re.compile(r"a year such as 2024 or a month such as 2024-03"), "issue.expected.period"),
    (re.compile(r"the id or alias of an entity in the organisation"), "issue.expected.entity"),
    (
        re.compile(r"a metric id from the catalogue, e\.g\. energy\.raw_coal"),
        "issue.expected.metric",
    ),
    (re.compile(r"a number such as 1234\.5"), "issue.expected.number"),
    (re.compile(r"a number with a point for decimals, such as 1\.5 .*"), "issue.expected.decimal"),
    (
        re.compile(r"a unit convertible to (?P<unit>\S+), such as (?P<examples>[^(]+?) \(.*\)"),
        "issue.expected.unit",
    ),
)


@dataclass(frozen=True)
class Said:
    """``text`` in the page language; ``english``, what the importer wrote, when ``text`` is a
    translation of it (None when ``text`` is the importer's own English)."""

    text: str
    english: str | None = None


def say(t: Strings, written: str, patterns: tuple[tuple[re.Pattern[str], str], ...]) -> Said:
    """``written`` in the page language: a recognised sentence (and its "did you mean"), or the
    English as written."""
    if t.lang == "en":
        return Said(written)
    hint = DID_YOU_MEAN.search(written)
    sentence = written[: hint.start()] if hint else written
    for pattern, key in patterns:
        found = pattern.fullmatch(sentence)
        if found is not None:
            text = t(key, **found.groupdict())
            if hint:
                names = t.join(ALTERNATIVES.split(hint.group("names")))
                text += t("issue.did_you_mean", names=names)
            return Said(text, written)
    return Said(written)


class IssueText:
    """How a page in ``t.lang`` says what an issue found and expected."""

    def __init__(self, t: Strings):
        self.t = t

    def found(self, issue: dict[str, Any]) -> Said:
        return say(self.t, str(issue["found"]), FOUND)

    def expected(self, issue: dict[str, Any]) -> Said:
        return say(self.t, str(issue["expected"]), EXPECTED)


def issue_dict(issue: InputIssue) -> dict[str, Any]:
    """An issue as a page and its JSON show it: the file by its name (not where the upload was
    kept while it was read)."""
    return {**issue.as_dict(), "file": PurePath(issue.file).name}


def refused_file(error: InputRejected, shown: int = ISSUES_SHOWN) -> dict[str, Any]:
    """The first ``shown`` issues of a refused file and how many there were."""
    return {
        "total": len(error.issues),
        "issues": [issue_dict(issue) for issue in error.issues[:shown]],
    }
