"""The one place where permissions are decided.

``can(user, action, entity_id, datapoint)`` answers every question an interface or service asks;
:func:`authorize` turns a "no" into the error the user sees: :class:`NotFound` when the entity is
outside what the user may see (so that its existence is never revealed), :class:`Forbidden` when the
user sees it but may not do this.

Roles:

- ``admin``: everything, including user administration, backups, and the organisation's own
  metrics and factor editions (``catalogue.import``, ``factors.import``);
- ``esg_manager``: reads everything; enters, corrects and submits any entity's values; approves and
  rejects; imports the organisation, internal transfers, certificates and activity files; changes
  the settings; runs calculations; locks and reopens periods; builds reports;
- ``data_owner``: reads, enters, corrects and submits values, and uploads evidence, for the entities
  assigned to them and their sub-entities only;
- ``auditor``: reads everything, including the audit log and evidence, and recomputes stored
  values; changes nothing;
- ``viewer``: reads values, calculations and reports (of the assigned entities when some are
  assigned); no audit log, no evidence.

Segregation of duties: nobody approves or rejects a value they imported, entered or changed at any
version since its last approval, or submitted or explained (:func:`esgledger.workflow.entries.facts`
gathers who that is, whichever door they used).
"""

from __future__ import annotations

from dataclasses import dataclass

from esgledger.access.principal import ROLES, Principal
from esgledger.service_errors import Forbidden, NotFound

_ALL = frozenset(ROLES)
_EDITORS = frozenset({"admin", "esg_manager", "data_owner"})
_REVIEWERS = frozenset({"admin", "esg_manager"})
_TRAIL_READERS = frozenset({"admin", "esg_manager", "data_owner", "auditor"})

# action -> roles allowed to perform it (scope and segregation of duties are checked on top)
RULES: dict[str, frozenset[str]] = {
    "entity.read": _ALL,
    "metric.read": _ALL,
    "framework.read": _ALL,  # the disclosure framework catalogues (read-only data)
    "period.read": _ALL,
    "datapoint.read": _ALL,
    "datapoint.create": _EDITORS,
    "datapoint.correct": _EDITORS,
    "datapoint.submit": _EDITORS,
    "datapoint.approve": _REVIEWERS,
    "datapoint.reject": _REVIEWERS,
    "datapoint.history": _TRAIL_READERS,
    "evidence.read": _TRAIL_READERS,
    "evidence.upload": _EDITORS,
    "calc.read": _ALL,
    "calc.run": _REVIEWERS,
    "period.lock": _REVIEWERS,
    "period.reopen": _REVIEWERS,
    "settings.change": _REVIEWERS,
    "organisation.import": _REVIEWERS,
    "register.import": _REVIEWERS,  # internal transfers and certificate claims
    "activity.import": _REVIEWERS,
    "calc.recompute": frozenset({"admin", "esg_manager", "auditor"}),
    "ledger.backup": frozenset({"admin"}),
    "audit.read": frozenset({"admin", "esg_manager", "auditor"}),
    "report.read": frozenset({"admin", "esg_manager", "auditor", "viewer"}),
    "report.build": _REVIEWERS,
    # the assurance pack (issue 12): the assurer's evidence of every published number
    "assurance.export": frozenset({"admin", "esg_manager", "auditor"}),
    # the full report's narrative sections (issue 11): managers write them, readers read them
    "report.section.write": _REVIEWERS,
    # quality checks (issue 12, part 3): a finding justified by someone other than the author of
    # its values (services/qa_review.py); only an admin publishes a final report over open errors
    "qa.justification.read": _ALL,
    "qa.justify": _REVIEWERS,
    "qa.override": frozenset({"admin"}),
    "user.admin": frozenset({"admin"}),
    # the organisation's own metrics and factor editions change what every figure means
    "catalogue.import": frozenset({"admin"}),
    "factors.import": frozenset({"admin"}),
    # double materiality and the IRO register (issue 10): approval is an action of its own, and
    # nobody approves an assessment they scored alone (services/materiality.py)
    "materiality.read": _ALL,
    "materiality.edit": _REVIEWERS,
    "materiality.score": _REVIEWERS,
    "materiality.approve": _REVIEWERS,
    "stakeholder.edit": _REVIEWERS,
    # a stakeholder's answer through a signed link: the link is the authority; the anonymous
    # respondent acts with the viewer role (services/stakeholders.py RESPONDENT)
    "stakeholder.respond": frozenset({"viewer"}),
    # targets (issue 10): everyone who reads data reads them; managers set and change them
    "target.read": _ALL,
    "target.create": _REVIEWERS,
    "target.update": _REVIEWERS,
    "target.withdraw": _REVIEWERS,
    "target.import": _REVIEWERS,
    # governance and engagement records (issue 10, part 4): the topic library's own topics, the
    # governance bodies, meetings, director training and the policy register
    "topic.read": _ALL,
    "topic.write": _REVIEWERS,
    "governance.read": _ALL,
    "governance.write": _REVIEWERS,
    "policy.read": _ALL,
    "policy.write": _REVIEWERS,
    # disclosure coverage (issue 11): the reporting profile, explanations and the coverage
    "disclose.read": _ALL,
    "disclose.write": _REVIEWERS,
    # quality checks (issue 12): whoever reads the period's data reads the findings on it
    "qa.read": _ALL,
}
ACTIONS = tuple(RULES)
# Actions about the whole group (entity_id is None): only users who see every entity may do them.
GROUP_WIDE = frozenset(
    {
        "calc.run",
        "calc.recompute",
        "catalogue.import",
        "factors.import",
        "settings.change",
        "organisation.import",
        "register.import",
        "activity.import",
        "ledger.backup",
        "period.lock",
        "period.reopen",
        "audit.read",
        "report.read",
        "report.build",
        "assurance.export",
        "report.section.write",
        "qa.justify",
        "qa.override",
        "user.admin",
        "materiality.edit",
        "materiality.score",
        "materiality.approve",
        "stakeholder.edit",
        "topic.write",
        "governance.write",
        "policy.write",
        "disclose.write",
    }
)
_SELF_REVIEW = frozenset({"datapoint.approve", "datapoint.reject"})


@dataclass(frozen=True)
class DataPointFacts:
    """What the policy needs to know about a data point."""

    entity_id: str
    entered_by: str  # author of the first version since the last approval
    changed_by: str  # author of the current version
    # everyone else involved since the last approval: authors of the versions in between, and
    # who submitted or explained any of them
    vouched_by: frozenset[str] = frozenset()


def refusal(
    user: Principal,
    action: str,
    entity_id: str | None = None,
    datapoint: DataPointFacts | None = None,
) -> str | None:
    """Why ``user`` may not do ``action`` (None when allowed)."""
    roles = RULES.get(action)
    if roles is None:
        raise ValueError(f"unknown action {action!r}; known actions: {', '.join(ACTIONS)}")
    if user.role not in roles:
        return f"the {user.role} role may not do {action}"
    if datapoint is not None:
        entity_id = datapoint.entity_id
    if entity_id is None:
        if action in GROUP_WIDE and not user.group_wide:
            return f"{action} concerns the whole group; your access is limited to some entities"
    elif not user.sees(entity_id):
        return f"entity {entity_id} is outside your entities"
    if (
        action in _SELF_REVIEW
        and datapoint is not None
        and (
            user.username in (datapoint.entered_by, datapoint.changed_by)
            or user.username in datapoint.vouched_by
        )
    ):
        return (
            "segregation of duties: you entered, imported, changed, submitted or explained this "
            "value since its last approval, so someone else must review it"
        )
    return None


def can(
    user: Principal,
    action: str,
    entity_id: str | None = None,
    datapoint: DataPointFacts | None = None,
) -> bool:
    return refusal(user, action, entity_id, datapoint) is None


def authorize(
    user: Principal,
    action: str,
    entity_id: str | None = None,
    datapoint: DataPointFacts | None = None,
    what: str = "object",
) -> None:
    """Raise NotFound for an entity the user may not see, Forbidden for a refused action."""
    subject = datapoint.entity_id if datapoint is not None else entity_id
    if subject is not None and not can(user, "entity.read", subject):
        raise NotFound(f"no such {what}")
    reason = refusal(user, action, entity_id, datapoint)
    if reason is not None:
        raise Forbidden(reason, details={"action": action})
