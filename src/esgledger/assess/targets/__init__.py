"""Targets: what a target declares and its checks (:mod:`.definition`), its trajectory and progress
(:mod:`.trajectory`), its status from the ledger's values (:mod:`.status`), and its rows in files
(:mod:`.table`). Pure computations: the service reads the ledger and hands plain objects here."""

from esgledger.assess.targets.definition import (
    Credit,
    Milestone,
    TargetDefinition,
    TargetError,
    check,
    definition_from_dict,
)
from esgledger.assess.targets.rules import TargetRules, load_rules
from esgledger.assess.targets.status import STATUSES, Assessment, Observation, Reason, assess

__all__ = [
    "STATUSES",
    "Assessment",
    "Credit",
    "Milestone",
    "Observation",
    "Reason",
    "TargetDefinition",
    "TargetError",
    "TargetRules",
    "assess",
    "check",
    "definition_from_dict",
    "load_rules",
]
