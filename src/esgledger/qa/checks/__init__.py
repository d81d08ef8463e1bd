"""The registry of check functions: a rule of ``qa/data/rules.yaml`` names one by its key.

A check is registered with :func:`register` and applied by :func:`esgledger.qa.engine.run_checks`
to every rule that names it. It reads the facts (:class:`~esgledger.qa.index.FactIndex`) and what
else the run gives (:class:`~esgledger.qa.engine.CheckInputs`) and yields findings. A check
validates its rule's ``params`` when the rule file loads, so that a wrong parameter is a load error
naming the rule, not a failure in the middle of a run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from esgledger.qa.engine import CheckInputs
    from esgledger.qa.findings import Finding
    from esgledger.qa.rules import Rule

CheckFunction = Callable[["Rule", "CheckInputs"], Iterable["Finding"]]
ParamsValidator = Callable[[str, dict[str, Any]], None]


def _no_validation(where: str, params: dict[str, Any]) -> None:
    return None


@dataclass(frozen=True)
class Check:
    name: str
    apply: CheckFunction
    validate: ParamsValidator = _no_validation


CHECKS: dict[str, Check] = {}


def register(
    name: str, validate: ParamsValidator = _no_validation
) -> Callable[[CheckFunction], CheckFunction]:
    """Register ``function`` as the check ``name`` (a name registered twice is a programming
    error)."""

    def decorate(function: CheckFunction) -> CheckFunction:
        if name in CHECKS:
            raise RuntimeError(f"check {name!r} registered twice")
        CHECKS[name] = Check(name, function, validate)
        return function

    return decorate


# The check modules register themselves on import; add a module here when you add one.
CHECK_MODULES: tuple[str, ...] = (
    "sums",
    "identity",
    "labels",
    "recomputation",
    "denominator",
    "bounds",
    "change",
    "scope",
    "targets",
    "sections",
)


def _import_check_modules() -> None:
    import importlib

    for module in CHECK_MODULES:
        importlib.import_module(f"esgledger.qa.checks.{module}")


_import_check_modules()
