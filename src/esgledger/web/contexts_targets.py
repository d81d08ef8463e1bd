"""The typed contexts of the targets page (issue 10, part 1); :data:`esgledger.web.contexts.
TEMPLATES` names them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from esgledger.web.contexts import Refusal

Answer = dict[str, Any]  # a service's answer, as returned


class TargetsData(TypedDict):
    targets: list[Answer]


class TargetForm(TypedDict):
    problem: Refusal | None
    entered: dict[str, Any]  # what the user typed, shown again after a refusal


class TargetsView(TypedDict):
    can_add: bool
    choices: Answer  # kinds, gases, scopes
    entities: list[str]
    metrics: list[str]
    form: TargetForm
    created: str | None
    here: str
    json_url: str
