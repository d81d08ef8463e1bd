"""Canonical JSON: the one text of a value that hashes and digests are taken of."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

# Values hashed here are trees of dicts and lists built by esgledger (never cyclic): the check
# for cycles is left out, which spares its bookkeeping on every container.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str, check_circular=False
)


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text: the same value always gives the same string."""
    return _CANONICAL.encode(value)


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
