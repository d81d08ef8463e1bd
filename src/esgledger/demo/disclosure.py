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
# comply-or-explain KPIs the demo group explains (HKEX Appendix 27 Part A: considered reasons)
EXPLAINED = [
    {
        "reference": "HKEX-A2.5",
        "reason_id": "considered_reasons",
        "text_en": "Ingots, coils and profiles are shipped strapped or on reusable steel and wooden "
        "frames; the little packaging bought is not yet measured at every plant. The Group will "
        "report it from 2025.",
        "text_zh": "铝锭、卷材和型材以捆扎或可循环使用的钢木托架发运，外购包装材料很少，尚未在各工厂"
        "计量。集团将自2025年起披露。",
    },
    {
        "reference": "HKEX-B6.2",
        "reason_id": "considered_reasons",
        "text_en": "Each plant's quality department handles its customers' complaints; their number "
        "is not yet consolidated for the Group. The Group will report it from 2025.",
        "text_zh": "客户投诉由各工厂质量部门处理，投诉数量尚未在集团层面汇总。集团将自2025年起披露。",
    },
]


def set_profile(services: Services, actor: Principal) -> str:
    """Choose the 2024 frameworks; a line saying how far the ledger covers them."""
    services.disclose.set_profile(actor, PERIOD, FRAMEWORKS, ISSUER_CLASS)
    for fields in EXPLAINED:
        services.disclose.explain(actor, PERIOD, {**fields, "status": "explained"})
    found = services.disclose.coverage(actor, PERIOD)
    counts = found["counts"]
    return (
        f"{PERIOD} report follows {', '.join(FRAMEWORKS)}: {counts.get('met', 0)} items met, "
        f"{counts.get('explained', 0)} explained, {counts.get('not_met', 0)} not met yet "
        f"({found['errors']} errors to resolve: disclose coverage --period {PERIOD})"
    )
