""" "Did you mean ...?" for a mistyped id or unit: the closest known spellings (difflib's
similarity ratio, ignoring case), so that an error names what was probably meant."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.6  # difflib's default: at least 60 % of the characters in common, in order
SHOWN = 3


def close_matches(word: str, known: Iterable[str], shown: int = SHOWN) -> list[str]:
    """Up to ``shown`` of ``known`` closest to ``word``, best first (case is ignored)."""
    by_folded: dict[str, str] = {}
    for candidate in known:
        by_folded.setdefault(candidate.casefold(), candidate)
    folded = difflib.get_close_matches(word.casefold(), list(by_folded), n=shown, cutoff=CUTOFF)
    return [by_folded[match] for match in folded if by_folded[match] != word]


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` (did you mean 'a' or 'b'?)`` for the closest of ``known``, or "" when none is close."""
    matches = close_matches(word, known)
    if not matches:
        return ""
    return " (did you mean " + " or ".join(repr(match) for match in matches) + "?)"
