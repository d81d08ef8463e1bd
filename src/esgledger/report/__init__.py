"""The report: a self-contained HTML file of one year's ESG key performance data.

``build_report(ws, "2024", Path("out"), lang="zh")`` writes
``out/esgledger-report-2024-zh.html`` with three-year KPI tables per catalogue group, inline SVG
charts and an appendix that explains every figure from its stored lineage. ``build_annex`` writes
the XLSX data annex beside it (every published number at full precision).
"""

from esgledger.report.annex import build_annex
from esgledger.report.build import build_report

__all__ = ["build_annex", "build_report"]
