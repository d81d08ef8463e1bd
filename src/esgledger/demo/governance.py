"""The demo group's governance records: a board -> Strategy and ESG Committee -> ESG working
group -> subsidiaries' teams structure, the meetings held in 2024, director training and a policy
register (with one near-duplicate pair registered by two subsidiaries, as happens in real groups),
read from ``data/governance.yaml`` and written through the same service operations as the doors."""

from __future__ import annotations

from pathlib import Path

from esgledger.rulefiles import read_rule_file
from esgledger.services import Principal, Services

DATA = Path(__file__).parent / "data" / "governance.yaml"


def record_governance(services: Services, actor: Principal) -> str:
    """Write the demo's governance records; a summary line for the demo's progress."""
    content, _sha = read_rule_file(DATA)
    gov = services.governance
    for body in content["bodies"]:
        gov.save_body(actor, body)
    for meeting in content["meetings"]:
        gov.add_meeting(actor, meeting)
    for session in content["training"]:
        gov.add_training(actor, session)
    warnings = 0
    for policy in content["policies"]:
        warnings += len(services.policies.add(actor, policy)["warnings"])
    return (
        f"governance: {len(content['bodies'])} bodies, {len(content['meetings'])} meetings, "
        f"{len(content['training'])} director training sessions, "
        f"{len(content['policies'])} policies ({warnings} near-duplicate name flagged)"
    )
