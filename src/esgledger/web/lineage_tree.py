"""The explain page's tree: a calculated value at the top, what it is built from below it, folded.

The lineage records (:meth:`esgledger.services.explain.Explain.explain`) are flat, keyed
``metric@entity@period``; a record names the records it rests on (its inputs, its own part, the
children of a roll-up). The page shows them as a tree: the root open, its branches open while they
are few, everything deeper folded (``<details>``), each fold saying how many records are inside,
so that the first screen shows the answer and a reader opens only the branch they follow. A
record reached a second time (a factor rate used twice) is shown once; later references link to
it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

OPEN_DEPTH = 1  # the root's branches are open ...
MAX_OPEN_BRANCHES = 4  # ... when there are at most this many


@dataclass
class Node:
    """One record in the tree, as its parent reached it (``via``: ``input``, ``own`` or
    ``child``, with the child's ``factor`` and ``reason``, or the input's value as read).

    ``record`` is None for a reference whose record is withheld (an entity outside the user's
    scope) or missing; ``repeat`` when the record is shown elsewhere in the tree (link to it)."""

    key: str | None
    record: Mapping[str, Any] | None
    depth: int
    via: Mapping[str, Any]
    branches: list[Node] = field(default_factory=list)
    repeat: bool = False
    open: bool = False

    @property
    def inside(self) -> int:
        """How many records are shown under this one (each once)."""
        return sum(1 + b.inside for b in self.branches if b.record is not None and not b.repeat)

    @property
    def metric(self) -> str | None:
        found = self.record.get("metric") if self.record else self.via.get("metric")
        return None if found is None else str(found)


def links(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What ``record`` rests on, in the order it names them: inputs, its own part, children."""
    found: list[dict[str, Any]] = [
        {"role": "input", **item} for item in record.get("inputs") or [] if isinstance(item, dict)
    ]
    own = record.get("own")
    if isinstance(own, dict) and own.get("key"):
        found.append({"role": "own", **own})
    found += [
        {"role": "child", **item} for item in record.get("children") or [] if isinstance(item, dict)
    ]
    return found


def lineage_tree(root: str, records: Mapping[str, Mapping[str, Any]]) -> Node:
    """The tree of ``records`` from ``root`` down, depth first; each record shown once."""
    shown: set[str] = set()

    def grow(key: str | None, depth: int, via: Mapping[str, Any]) -> Node:
        record = records.get(key) if key else None
        if record is None or key is None:
            return Node(key, None, depth, via)
        if key in shown:
            return Node(key, record, depth, via, repeat=True)
        shown.add(key)
        node = Node(key, record, depth, via)
        node.branches = [grow(link.get("key"), depth + 1, link) for link in links(record)]
        if depth + 1 <= OPEN_DEPTH and len(node.branches) <= MAX_OPEN_BRANCHES:
            for branch in node.branches:
                branch.open = True
        return node

    tree = grow(root, 0, {"role": "root"})
    tree.open = True
    return tree
