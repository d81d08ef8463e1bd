"""Disclosure coverage (issue 11, part 2): which framework items a period's report meets, explains
or declares not applicable, computed from the ledger (:mod:`.coverage`, pure), the rules beyond the
catalogue links (:mod:`.rules`, reviewed YAML) and the content index tables (:mod:`.index`).
See docs/frameworks.md "Coverage"."""
