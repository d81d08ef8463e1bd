"""Short references to findings: ``sum.totals#3fa9c2``, what a person types instead of a key.

A finding's full key (:attr:`Finding.key`) identifies it across runs and is what justifications
store; it may be long (the rule and every figure's identity). Its reference is the rule id, ``#``
and the first :data:`DIGITS` hex digits of the SHA-256 of the rule and the key, so it follows from
the key alone: the same finding has the same reference on every run and on every backend. When
two findings of one rule share those digits in one run, both are shown with as many more digits as
tell them apart (:func:`references`); a reference typed with fewer digits then names both
(:func:`matching` returns every finding it names, and the caller says which).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from string import hexdigits

DIGITS = 6  # the digits shown
MIN_DIGITS = 4  # the fewest digits a typed reference may give
SEPARATOR = "#"

Pair = tuple[str, str]  # (rule id, full key)


def digest(rule: str, key: str) -> str:
    """The hex SHA-256 of the rule and the key, from which every reference is cut."""
    return hashlib.sha256(f"{rule}\x00{key}".encode()).hexdigest()


def reference(rule: str, key: str, digits: int = DIGITS) -> str:
    """``rule#3fa9c2``: the rule and the first ``digits`` hex digits of the finding's digest."""
    return f"{rule}{SEPARATOR}{digest(rule, key)[:digits]}"


def references(pairs: Iterable[Pair]) -> dict[Pair, str]:
    """The reference of each (rule, key) of one run: :data:`DIGITS` digits, more where two
    findings of one rule would otherwise share one (one digit more than the longest start its
    digest shares with another's: found between neighbours in sorted order, so a run of
    thousands of findings costs no more than sorting them)."""
    by_rule: dict[str, dict[str, str]] = defaultdict(dict)
    for rule, key in pairs:
        by_rule[rule][key] = digest(rule, key)
    shown: dict[Pair, str] = {}
    for rule, digests in by_rule.items():
        ordered = sorted(digests.items(), key=lambda item: item[1])
        shared = [0] * len(ordered)  # the longest start each digest shares with another
        for n in range(1, len(ordered)):
            common = _common_start(ordered[n - 1][1], ordered[n][1])
            shared[n - 1] = max(shared[n - 1], common)
            shared[n] = common
        for (key, full), common in zip(ordered, shared, strict=True):
            shown[(rule, key)] = f"{rule}{SEPARATOR}{full[: max(DIGITS, common + 1)]}"
    return shown


def _common_start(one: str, other: str) -> int:
    """How many characters the two strings share from their start."""
    count = 0
    for a, b in zip(one, other, strict=False):
        if a != b:
            break
        count += 1
    return count


def split(given: str) -> tuple[str | None, str | None]:
    """The rule and the hex digits of a typed reference (``sum.totals#3fa9c2``, ``#3fa9c2``,
    ``3fa9c2``); ``(None, None)`` when ``given`` is not one (too few digits, not hex)."""
    rule, separator, digits = given.strip().rpartition(SEPARATOR)
    if not separator:
        rule, digits = "", given.strip()
    digits = digits.lower()
    if len(digits) < MIN_DIGITS or any(c not in hexdigits for c in digits):
        return None, None
    return (rule or None), digits


def matching(given: str, pairs: Iterable[Pair], rule: str | None = None) -> list[Pair]:
    """The findings ``given`` names among ``pairs``: those whose full key it is (of ``rule``
    when given), else those whose reference it begins (its rule, or ``rule``, and its digits)."""
    listed = list(dict.fromkeys(pairs))
    exact = [p for p in listed if p[1] == given and rule in (None, p[0])]
    if exact:
        return exact
    named, digits = split(given)
    if digits is None or (named is not None and rule is not None and named != rule):
        return []
    wanted = named or rule
    return [
        (r, key) for r, key in listed if wanted in (None, r) and digest(r, key).startswith(digits)
    ]
