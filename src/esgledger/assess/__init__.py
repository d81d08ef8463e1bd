"""The assessment layer: targets, double materiality, the register of impacts, risks and
opportunities (IROs), and the governance and engagement records (SSE Guideline No. 14 Arts. 5, 7,
11-19; HKEX ESG Reporting Code Part B and Part D; IFRS S2 paras 6-36).

Like the calculation, this layer computes and never touches the store: the services read the
records and the calculation runs through the repositories (:mod:`esgledger.ledger`) and hand them
to the functions here. See docs/assessment.md for the shape of the records and how they link.
"""
