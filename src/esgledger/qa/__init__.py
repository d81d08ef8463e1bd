"""Quality checks (issue 12): declared rules over figures of the ledger and of report tables.

A check reads :class:`~esgledger.qa.facts.Fact` objects (one figure each, wherever it was found)
and returns :class:`~esgledger.qa.findings.Finding` objects that name the rule, the figures and the
arithmetic. The checks never read the store: the services gather the facts.
"""
