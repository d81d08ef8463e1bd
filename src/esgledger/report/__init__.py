"""The report: the KPI book (``report.build``), the full report (``report.full``), the XLSX data
annex (``report.annex``) and the PDF worker (``report.pdf``).

``build_report(connection, catalogue, "2024", Path("out"), lang="zh")`` (in :mod:`.build`) writes
``out/esgledger-report-2024-zh.html`` with three-year KPI tables per catalogue group, inline SVG
charts and an appendix that explains every figure from its stored lineage. ``build_annex`` (in
:mod:`.annex`) writes the XLSX data annex beside it (every published number at full precision).

The package itself imports nothing: a PDF worker process imports :mod:`.pdf` without loading the
report's builders.
"""
