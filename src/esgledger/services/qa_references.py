"""Which finding a person means: a short reference (``sum.totals#3fa9c2``, as ``esgledger check``,
the QA page and the API show it) or a full key, with or without its rule, resolved among the
findings of a run or the justifications in force (:mod:`esgledger.qa.references`). An unknown
reference is :class:`NotFound` saying how to list the findings; one that names several findings
is :class:`Invalid` (code ``ambiguous_reference``) listing them."""

from __future__ import annotations

from collections.abc import Mapping
from string import hexdigits

from esgledger.qa.references import MIN_DIGITS as MIN_DIGITS
from esgledger.qa.references import SEPARATOR, Pair, matching, references, split
from esgledger.service_errors import Invalid, NotFound

LISTED = 10  # candidates named in an error


def resolve(
    given: str,
    rule: str | None,
    period: str,
    candidates: Mapping[Pair, str],
    what: str = "open finding",
) -> Pair:
    """The (rule, key) of ``candidates`` (pairs -> a line saying what each is) that ``given``
    names (of ``rule`` when given)."""
    given = given.strip()
    rule = (rule or "").strip() or None
    named, _digits = split(given)
    if named is not None and rule is not None and named != rule and (rule, given) not in candidates:
        raise Invalid(
            f"the reference {given!r} is of rule {named!r}, not of --rule {rule!r}: give one or "
            "the other",
            field="rule",
            details={"reference": given, "rule": rule},
        )
    found = matching(given, candidates, rule)
    if len(found) == 1:
        return found[0]
    if not found and _too_short(given):
        raise Invalid(
            f"{given!r} is too short a reference: give at least {MIN_DIGITS} of its hex digits "
            "(sum.totals#3fa9), as `esgledger check` prints it",
            field="finding_key",
            details={"reference": given},
        )
    if not found:
        of_rule = f" of rule {rule!r}" if rule else ""
        listing = (
            f"`esgledger justify list --period {period}` lists the justifications in force with "
            "their references"
            if what == "justification"
            else "fixed data leaves nothing to justify. "
            f"`esgledger check --period {period}` lists the findings with their references, "
            f"as does the page /qa?period={period}"
        )
        raise NotFound(
            f"no {what} of {period}{of_rule} has the reference or key {given!r}: {listing}",
            field="finding_key",
            details={"reference": given, "period": period},
        )
    shown = references(found)
    named_all = [f"{shown[p]} ({candidates[p]})" for p in found[:LISTED]]
    more = len(found) - LISTED
    listed = "; ".join(named_all) + (f"; and {more} more" if more > 0 else "")
    raise Invalid(
        f"{given!r} names {len(found)} {what}s of {period}: {listed}. Give the whole reference "
        "as listed (or more of its digits)",
        field="finding_key",
        code="ambiguous_reference",
        details={
            "reference": given,
            "count": len(found),
            "listed": ", ".join(shown[p] for p in found[:LISTED]),
            "candidates": [
                {"rule": p[0], "key": p[1], "reference": shown[p], "what": candidates[p]}
                for p in found[:LISTED]
            ],
        },
    )


def _too_short(given: str) -> bool:
    """Whether ``given`` is a reference with fewer hex digits than a reference needs."""
    digits = given.rpartition(SEPARATOR)[2]
    return 0 < len(digits) < MIN_DIGITS and all(c in hexdigits for c in digits)


def described(message: str, limit: int = 90) -> str:
    """A finding's message cut to ``limit`` characters, for a list of candidates."""
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1].rstrip() + "…"
