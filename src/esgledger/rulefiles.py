"""Strict YAML reading for rule files: duplicate keys and unknown keys are errors naming the file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from esgledger.errors import RuleFileError

# libyaml's parser where PyYAML was built with it (ten times faster on the catalogue and factor
# sets); the constructors, and so what a file means, are the same Python ones either way.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeBase):  # type: ignore[valid-type,misc]
    """A SafeLoader that refuses duplicate mapping keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_rule_file(path: Path) -> tuple[Any, str]:
    """Parse a YAML rule file strictly; return its content and the SHA-256 of its bytes."""
    raw = path.read_bytes()
    try:
        content = yaml.load(raw.decode("utf-8"), Loader=_StrictLoader)  # noqa: S506 - strict SafeLoader
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for impossible dates
        raise RuleFileError(str(path), f"not valid YAML: {exc}") from exc
    return content, hashlib.sha256(raw).hexdigest()


def check_keys(
    where: str, mapping: Mapping[str, Any], required: Iterable[str], optional: Iterable[str] = ()
) -> None:
    """Raise :class:`RuleFileError` for a missing required key or an unknown key."""
    if not isinstance(mapping, Mapping):
        raise RuleFileError(where, f"expected a mapping, found {type(mapping).__name__}")
    required = list(required)
    allowed = set(required) | set(optional)
    for key in required:
        if key not in mapping:
            raise RuleFileError(where, f"missing required key {key!r}")
    for key in mapping:
        if key not in allowed:
            raise RuleFileError(
                where, f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})"
            )


def bilingual(where: str, value: Any) -> dict[str, str]:
    """Check a ``{en: ..., zh: ...}`` name."""
    check_keys(where, value, ["en", "zh"])
    return {"en": str(value["en"]), "zh": str(value["zh"])}
