"""The demo group's reporting profile (issue 11): the frameworks its 2024 report follows, so that
``esgledger disclose coverage --period 2024`` and the coverage page show what is met, explained or
missing.

An A+H-listed aluminium group reporting on FY2024 follows the HKEX ESG Reporting Guide as amended in
2020 (the Code of Appendix C2 applies from financial years starting on or after 1 January 2025:
frameworks-2026.md §1.3) and reports "with reference to" GRI; a Main Board issuer that is not a
LargeCap. SSE Guideline No. 14 applies from FY2025 (§1.1), so it is not chosen for 2024.
"""

from __future__ import annotations

from esgledger.services import Principal, Services

PERIOD = "2024"
FRAMEWORKS = ["hkex@2020", "gri"]
ISSUER_CLASS = "main_board"


def set_profile(services: Services, actor: Principal) -> str:
    """Choose the 2024 frameworks; a line saying how far the ledger covers them."""
    services.disclose.set_profile(actor, PERIOD, FRAMEWORKS, ISSUER_CLASS)
    found = services.disclose.coverage(actor, PERIOD)
    counts = found["counts"]
    return (
        f"{PERIOD} report follows {', '.join(FRAMEWORKS)}: {counts.get('met', 0)} items met, "
        f"{counts.get('not_met', 0)} not met yet ({found['errors']} errors to resolve)"
    )
