"""The one rule for the change of a value against last year's: the review's threshold (data entry,
import, the entry form) and the quality checks (:mod:`esgledger.qa.checks.change`) read it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class YearChange:
    """The change of a value against last year's, as one rule for every screen and check."""

    ratio: float | None  # signed relative change; None when unknown or last year was zero
    from_zero: bool = False  # last year was zero and this year is not

    def over(self, threshold: float) -> bool:
        """Whether the change needs an explanation: more than ``threshold`` either way, or any
        change from zero."""
        return self.from_zero or (self.ratio is not None and abs(self.ratio) > threshold)

    def as_dict(self) -> dict[str, float | bool | None]:
        return {"change": self.ratio, "change_from_zero": self.from_zero}


def change_between(now: float | None, before: float | None) -> YearChange:
    """The change of ``now`` against ``before`` (normalised values; None when unknown)."""
    if now is None or before is None:
        return YearChange(None)
    if before == 0:
        return YearChange(0.0) if now == 0 else YearChange(None, from_zero=True)
    return YearChange((now - before) / abs(before))
