"""What a target may declare, as reviewed data (``assess/data/targets.yaml``): target kinds, the
gases and scopes of a GHG target, the calculation options whose change since the base year makes
a comparison unsound (GHG Protocol Corporate Standard ch. 5; IFRS S2 paras 33-36)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from esgledger.errors import RuleFileError
from esgledger.rulefiles import bilingual, check_keys, read_rule_file

RULES_FILE = Path(__file__).resolve().parents[1] / "data" / "targets.yaml"


@dataclass(frozen=True)
class TargetRules:
    kinds: dict[str, dict[str, str]]  # kind -> label {en, zh}
    gases: tuple[str, ...]
    scopes: tuple[str, ...]
    ghg_prefixes: tuple[str, ...]
    method_options: tuple[str, ...]

    def is_ghg(self, metric_id: str) -> bool:
        return metric_id.startswith(self.ghg_prefixes)


def _values(where: str, entry: object) -> tuple[str, ...]:
    check_keys(where, entry, ["values", "citation"])  # type: ignore[arg-type]
    values = entry["values"]  # type: ignore[index]
    if not isinstance(values, list) or not values:
        raise RuleFileError(where, "values: expected a non-empty list")
    return tuple(str(v) for v in values)


@lru_cache(maxsize=1)
def load_rules(path: Path = RULES_FILE) -> TargetRules:
    content, _sha = read_rule_file(path)
    where = str(path)
    check_keys(
        where,
        content,
        ["kinds", "gases", "scopes", "ghg_metric_prefixes", "method_options", "net"],
    )
    kinds = {}
    for kind, entry in content["kinds"].items():
        check_keys(f"{where}: kinds.{kind}", entry, ["label", "citation"])
        kinds[str(kind)] = bilingual(f"{where}: kinds.{kind}.label", entry["label"])
    return TargetRules(
        kinds=kinds,
        gases=_values(f"{where}: gases", content["gases"]),
        scopes=_values(f"{where}: scopes", content["scopes"]),
        ghg_prefixes=tuple(str(p) for p in content["ghg_metric_prefixes"]),
        method_options=_values(f"{where}: method_options", content["method_options"]),
    )
