"""The grid regions an entity may name (``grid_regions.yaml``), and their accepted spellings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from esgledger.rulefiles import read_rule_file

REGIONS_FILE = Path(__file__).parent / "grid_regions.yaml"


@lru_cache(maxsize=1)
def _regions() -> dict[str, dict[str, list[str]]]:
    content, _sha = read_rule_file(REGIONS_FILE)
    return {
        country: {region: list(names or []) for region, names in table.items()}
        for country, table in content.items()
    }


def canonical_grid_region(country: str, text: str) -> str | None:
    """The region key for ``text`` (a key or an accepted spelling, any case), or None if the
    country lists its regions and ``text`` is not one of them."""
    table = _regions().get(country)
    if table is None:
        return text
    for region, names in table.items():
        if text.lower() == region.lower() or text in names:
            return region
    return None


def region_keys(country: str) -> list[str]:
    return sorted(_regions().get(country, {}))
