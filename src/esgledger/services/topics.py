"""The topic library as the organisation sees it: the built-in topics (SSE Guideline No. 14's 21
topics, HKEX aspects, GRI 14 sector topics; :mod:`esgledger.assess.topics`) and, from migration
0013, the organisation's own ``org.<name>`` topics."""

from __future__ import annotations

from typing import Any

from esgledger.assess.topics import TopicLibrary, builtin_topics


def read_library(connection: Any) -> TopicLibrary:
    """The library in force for the ledger behind ``connection``: for now, the built-ins.

    Lives in the service layer, not in ``esgledger.ledger``: the repositories never import the
    assess layer (tests/test_layering.py, data flows one way)."""
    del connection  # the organisation's topics are read from here once migration 0013 adds them
    return builtin_topics()
