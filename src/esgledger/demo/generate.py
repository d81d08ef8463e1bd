"""Turn the demo profile (``data/profile.yaml``) into data CSV files, one per year.

The profile gives, per entity and metric, the 2024 magnitude in the unit the subsidiary sends, a
year-on-year drift, or explicit values per year. The rows come out the way real subsidiaries send
them: mixed units (万千瓦时, 万立方米, 万元, kWh, cubic feet ...), some metrics as twelve monthly
values, entity aliases instead of ids, method and source text on every row. Everything is
deterministic: the small wobble on earlier years and the monthly profile are drawn from a random
generator seeded with the profile's seed and the row's entity, metric and period.

Run ``python -m esgledger.demo.generate DIR`` to write the files without building a ledger.
"""

from __future__ import annotations

import calendar
import csv
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from esgledger.demo.breakdowns import (
    Allocation,
    Split,
    SplitError,
    allocate,
    parse_split,
    places_of,
    printed,
    sum_members,
)

DATA_DIR = Path(__file__).parent / "data"
PROFILE_FILE = DATA_DIR / "profile.yaml"
ORGANISATION_FILE = DATA_DIR / "organisation.csv"
HEADER = ["entity", "period", "metric", "value", "unit", "method", "source", "note", "dimensions"]
MONTHLY_WOBBLE = 0.03  # +/- 3 % month to month around a profile proportional to the days


class ProfileError(ValueError):
    """The profile file is malformed; names the entity and metric."""


@dataclass(frozen=True)
class Line:
    """What one entity reports for one metric."""

    entity: str  # the entity id in the organisation
    written_as: str  # what the data rows put in the entity column (the id or an alias)
    metric: str
    unit: str
    value: float | None = None
    drift: float = 0.0
    values: dict[int, float] | None = None
    times: str | None = None
    factor: float = 1.0
    monthly: bool = False
    decimals: int | None = None
    method: str = "measured"
    source: str = ""
    note: str = ""
    split: Split | None = None  # breakdowns along catalogue axes (esgledger.demo.breakdowns)
    sum_of: dict[str, Any] | None = None  # the sum of members of another line's split


@dataclass
class Profile:
    seed: int
    years: list[int]
    noise: float
    lines: list[Line] = field(default_factory=list)
    transfers: list[dict[str, Any]] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)
    base_year: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)  # set before the first calculation

    @property
    def latest_year(self) -> int:
        return max(self.years)


def load_profile(path: Path = PROFILE_FILE) -> Profile:
    """Read and check the profile; raise :class:`ProfileError` naming the bad entry."""
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources: dict[str, dict[str, str]] = content.get("sources", {})
    profile = Profile(
        seed=int(content["seed"]),
        years=sorted(int(y) for y in content["years"]),
        noise=float(content.get("noise", 0.0)),
        transfers=list(content.get("transfers") or []),
        certificates=list(content.get("certificates") or []),
        base_year=content.get("base_year"),
        settings=dict(content.get("settings") or {}),
    )
    for entity_id, spec in content["entities"].items():
        lang = spec.get("lang", "en")
        for metric_id, item in spec["metrics"].items():
            where = f"{path.name}: {entity_id} {metric_id}"
            kinds = [name for name in ("value", "values", "times", "sum_of") if name in item]
            if len(kinds) != 1:
                raise ProfileError(f"{where}: give exactly one of value, values, times or sum_of")
            try:
                split = parse_split(where, item.get("split"))
            except SplitError as exc:
                raise ProfileError(str(exc)) from exc
            if split and item.get("monthly"):
                raise ProfileError(f"{where}: a split line cannot be monthly")
            if "unit" not in item:
                raise ProfileError(f"{where}: no unit")
            group = metric_id.split(".")[0]
            source = item.get("source") or sources.get(group, {}).get(lang, "")
            values = item.get("values")
            if values is not None and set(map(int, values)) != set(profile.years):
                raise ProfileError(f"{where}: values must give every year of {profile.years}")
            profile.lines.append(
                Line(
                    entity=entity_id,
                    written_as=spec.get("alias", entity_id),
                    metric=metric_id,
                    unit=str(item["unit"]),
                    value=float(item["value"]) if "value" in item else None,
                    drift=float(item.get("drift", 0.0)),
                    values={int(y): float(v) for y, v in values.items()} if values else None,
                    times=item.get("times"),
                    factor=float(item.get("factor", 1.0)),
                    monthly=bool(item.get("monthly", False)),
                    decimals=item.get("decimals"),
                    method=item.get("method") or spec.get("method") or "measured",
                    source=source,
                    note=item.get("note") or spec.get("note") or "",
                    split=split,
                    sum_of=item.get("sum_of"),
                )
            )
    return profile


def _rng(profile: Profile, *parts: object) -> random.Random:
    return random.Random("|".join(str(p) for p in (profile.seed, *parts)))


def annual_values(
    profile: Profile, line: Line, known: dict[tuple[str, str], dict[int, float]]
) -> dict[int, float]:
    """The value of ``line`` for every year (before monthly splitting and rounding).

    ``known`` holds the annual values already worked out, for ``times`` lines.
    """
    if line.values is not None:
        return dict(line.values)
    if line.times is not None:
        base = known.get((line.entity, line.times))
        if base is None:
            raise ProfileError(
                f"{line.entity} {line.metric}: times {line.times!r} is not a metric "
                "of the same entity given by value or values"
            )
        return {year: base[year] * line.factor for year in profile.years}
    assert line.value is not None
    result = {}
    for year in profile.years:
        steps = profile.latest_year - year
        value = line.value / (1 + line.drift) ** steps
        if steps:
            wobble = _rng(profile, line.entity, line.metric, year).uniform(-1, 1)
            value *= 1 + profile.noise * wobble
        result[year] = value
    return result


def _decimals(value: float) -> int:
    magnitude = abs(value)
    return 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2 if magnitude >= 1 else 3


def _text(value: float, decimals: int | None) -> str:
    places = _decimals(value) if decimals is None else decimals
    rounded = round(value, places)
    if places == 0 or rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.{places}f}"


def _months(profile: Profile, line: Line, year: int, annual: float) -> list[float]:
    """Split ``annual`` over the months in proportion to their days, with a seeded wobble."""
    rng = _rng(profile, line.entity, line.metric, year, "months")
    weights = [
        calendar.monthrange(year, month)[1] * (1 + MONTHLY_WOBBLE * rng.uniform(-1, 1))
        for month in range(1, 13)
    ]
    total = sum(weights)
    return [annual * weight / total for weight in weights]


def rows_by_year(profile: Profile) -> dict[int, list[list[str]]]:
    """The data rows of every year of the profile, in the column order of :data:`HEADER`: a
    split line's total row, then one row per member of each axis (``dimensions``)."""
    known: dict[tuple[str, str], dict[int, float]] = {}
    for line in sorted(profile.lines, key=lambda item: item.times is not None):
        if line.sum_of is None:
            known[(line.entity, line.metric)] = annual_values(profile, line, known)
    allocations: dict[tuple[str, str, int], tuple[Allocation, int]] = {}
    rows: dict[int, list[list[str]]] = {year: [] for year in profile.years}
    for line in sorted(profile.lines, key=lambda item: item.sum_of is not None):
        for year in profile.years:
            rows[year].extend(_line_rows(profile, line, year, known, allocations))
    return rows


def _line_rows(
    profile: Profile,
    line: Line,
    year: int,
    known: dict[tuple[str, str], dict[int, float]],
    allocations: dict[tuple[str, str, int], tuple[Allocation, int]],
) -> list[list[str]]:
    source = line.source.format(year=year)
    where = f"{PROFILE_FILE.name}: {line.entity} {line.metric} {year}"

    def row(period: str, value: str, dimensions: str = "") -> list[str]:
        return [
            line.written_as,
            period,
            line.metric,
            value,
            line.unit,
            line.method,
            source,
            line.note,
            dimensions,
        ]

    if line.sum_of is not None:
        found = allocations.get((line.entity, line.sum_of["metric"], year))
        try:
            units = sum_members(where, found[0] if found else None, line.sum_of)
        except SplitError as exc:
            raise ProfileError(str(exc)) from exc
        return [row(str(year), printed(units, found[1] if found else 0))]
    annual = known[(line.entity, line.metric)][year]
    if line.monthly:
        return [
            row(f"{year}-{month:02d}", _text(value, line.decimals))
            for month, value in enumerate(_months(profile, line, year, annual), start=1)
        ]
    total = _text(annual, line.decimals)
    found_rows = [row(str(year), total)]
    if line.split:

        def same_year(metric: str) -> float:
            if (line.entity, metric) not in known:
                raise ProfileError(f"{where}: split names {metric}, not a line of the entity")
            return float(_text(known[(line.entity, metric)][year], None))

        try:
            allocation = allocate(where, total, line.split, same_year)
        except SplitError as exc:
            raise ProfileError(str(exc)) from exc
        allocations[(line.entity, line.metric, year)] = (allocation, places_of(total))
        for axis, partitions in allocation.items():
            for partition in partitions:
                found_rows.extend(
                    row(str(year), printed(units, places_of(total)), f"{axis}={member}")
                    for member, units in partition.items()
                )
    return found_rows


def write_data_files(directory: Path, profile: Profile | None = None) -> list[Path]:
    """Write ``data-<year>.csv`` for every year of the profile into ``directory``."""
    profile = profile or load_profile()
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for year, rows in rows_by_year(profile).items():
        path = directory / f"data-{year}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(rows)
        paths.append(path)
    return paths


TRANSFER_HEADER = ["from", "to", "period", "carrier", "value", "unit"]
CERTIFICATE_HEADER = ["entity", "period", "scheme", "certificate_id", "mwh"]


def transfer_rows(profile: Profile) -> dict[int, list[list[str]]]:
    """Internal supplies per year, monthly where the profile says so."""
    rows: dict[int, list[list[str]]] = {year: [] for year in profile.years}
    for item in profile.transfers:
        line = Line(
            entity=item["from"],
            written_as=item["from"],
            metric=f"transfer.{item['to']}",
            unit=item["unit"],
            value=float(item["value"]),
            drift=float(item.get("drift", 0.0)),
            monthly=bool(item.get("monthly")),
        )
        for year, annual in annual_values(profile, line, {}).items():
            amounts = _months(profile, line, year, annual) if line.monthly else [annual]
            for index, amount in enumerate(amounts, start=1):
                period = f"{year}-{index:02d}" if line.monthly else str(year)
                rows[year].append(
                    [
                        item["from"],
                        item["to"],
                        period,
                        item["carrier"],
                        _text(amount, None),
                        item["unit"],
                    ]
                )
    return rows


def certificate_rows(profile: Profile) -> dict[int, list[list[str]]]:
    """Certificate claims per year, each with its own serial id."""
    rows: dict[int, list[list[str]]] = {year: [] for year in profile.years}
    for item in profile.certificates:
        for year in profile.years:
            for number in range(1, int(item["per_year"][year]) + 1):
                serial = f"{item['scheme']}-{item['entity']}-{year}-{number:05d}"
                rows[year].append(
                    [
                        item["entity"],
                        str(year),
                        item["scheme"],
                        serial,
                        _text(float(item["mwh"]), None),
                    ]
                )
    return rows


def write_side_files(directory: Path, profile: Profile) -> dict[int, dict[str, Path]]:
    """Write ``transfers-<year>.csv`` and ``certificates-<year>.csv``; return them by year."""
    found: dict[int, dict[str, Path]] = {year: {} for year in profile.years}
    for kind, header, rows in (
        ("transfers", TRANSFER_HEADER, transfer_rows(profile)),
        ("certificates", CERTIFICATE_HEADER, certificate_rows(profile)),
    ):
        for year, lines in rows.items():
            if not lines:
                continue
            path = directory / f"{kind}-{year}.csv"
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows(lines)
            found[year][kind] = path
    return found


def main(argv: list[str] | None = None) -> Any:  # pragma: no cover - convenience entry point
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0] if args else "demo-data")
    for path in write_data_files(directory):
        print(path)


if __name__ == "__main__":  # pragma: no cover
    main()
