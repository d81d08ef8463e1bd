"""Inventory-wide settings: each declared once with its type, default, range and help (English and
Chinese), stored as text in the ``settings`` table, and changed under one audit action
(``setting.change``, with the value before and after)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from esgledger.ledger.change import Change
from esgledger.service_errors import Invalid
from esgledger.store.schema import settings as settings_table
from esgledger.suggestions import did_you_mean

AUDIT_ACTION = "setting.change"


@dataclass(frozen=True)
class Setting:
    key: str
    kind: str  # year | fraction | ratio | categories (whole numbers in the range) | metrics (ids)
    default: Any
    minimum: float
    maximum: float
    help: dict[str, str]

    def parse(self, text: Any, metrics: Collection[str] | None = None) -> Any:
        """The typed value of ``text`` (as stored or as typed); Invalid naming the setting. A
        ``metrics`` setting's ids are checked against ``metrics`` (the catalogue's) when given."""
        if self.kind == "categories":
            return self._categories(text)
        if self.kind == "metrics":
            return self._metrics(text, metrics)
        parse: Callable[[str], Any] = int if self.kind == "year" else float
        try:
            value = parse(str(text).strip())
        except ValueError:
            raise Invalid(
                f"{self.key}: {text!r} is not a {'year' if self.kind == 'year' else 'number'}",
                field=self.key,
            ) from None
        if not self.minimum <= value <= self.maximum or value != value:
            raise Invalid(
                f"{self.key} is between {self.minimum:g} and {self.maximum:g}, got {text!r}",
                field=self.key,
                details={"minimum": self.minimum, "maximum": self.maximum},
            )
        return value

    def _categories(self, given: Any) -> list[int]:
        """``1, 3, 4`` (or a list of numbers) as sorted distinct numbers; ``none`` or nothing is
        the empty set."""
        if isinstance(given, list | tuple):
            items = [str(item) for item in given]
        else:
            text = str(given).strip()
            items = [] if text.lower() in ("", "none", "-") else text.replace(";", ",").split(",")
        found: set[int] = set()
        for item in (part.strip() for part in items):
            if not item.isdigit() or not self.minimum <= int(item) <= self.maximum:
                raise Invalid(
                    f"{self.key}: {item!r} is not a whole number from {self.minimum:g} to "
                    f"{self.maximum:g}; write the numbers separated by commas (1, 3, 4), or none",
                    field=self.key,
                    details={"minimum": self.minimum, "maximum": self.maximum},
                )
            found.add(int(item))
        return sorted(found)

    def _metrics(self, given: Any, known: Collection[str] | None) -> list[str]:
        """``energy.total_tce, ghg.scope1`` (or a list of ids) as sorted distinct metric ids;
        ``none`` or nothing is the empty list."""
        if isinstance(given, list | tuple):
            items = [str(item).strip() for item in given]
        else:
            text = str(given).strip()
            items = [] if text.lower() in ("", "none", "-") else text.replace(";", ",").split(",")
        found = {item.strip() for item in items if item.strip()}
        unknown = sorted(found - set(known)) if known is not None else []
        if unknown:
            hint = did_you_mean(unknown[0], known) if known is not None else ""
            raise Invalid(
                f"{self.key}: {unknown[0]!r} is not a metric of the catalogue{hint}; write metric "
                "ids separated by commas (energy.total_tce, ghg.scope1), or none",
                field=self.key,
                details={"unknown": unknown},
            )
        return sorted(found)

    def text(self, value: Any) -> str:
        if self.kind == "metrics":
            return ",".join(value) or "none"
        if self.kind == "categories":
            return ",".join(str(item) for item in value) or "none"
        return str(int(value)) if self.kind == "year" else repr(float(value))

    def as_dict(self, value: Any) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": value,
            "default": self.default,
            "kind": self.kind,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "help": dict(self.help),
        }


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "base_year",
            "year",
            None,
            1900,
            2199,
            {
                "en": "The base year: later calculations restate it when the boundary or method "
                "moves its Scope 1+2 by more than the restatement threshold (GHG Protocol "
                "Corporate Standard, ch. 5).",
                "zh": "基准年：组织边界或方法变化使其范围一和范围二排放变动超过重述阈值时，后续计算将"
                "重述基准年（《温室气体核算体系：企业核算与报告标准》第5章）。",
            },
        ),
        Setting(
            "restatement_threshold",
            "fraction",
            0.05,
            0.001,
            0.99,
            {
                "en": "The change of the base year's Scope 1+2 above which it is restated "
                "(a fraction: 0.05 = 5 %).",
                "zh": "基准年范围一和范围二排放的变动超过此比例时予以重述（小数：0.05 即 5%）。",
            },
        ),
        Setting(
            "review.change_threshold",
            "ratio",
            0.30,
            0.01,
            10.0,
            {
                "en": "The change against last year above which a value needs an explanation "
                "before it is submitted (a ratio: 0.3 = 30 %).",
                "zh": "数据与上年相比变动超过此比例时，提交前须说明原因（比例：0.3 即 30%）。",
            },
        ),
        Setting(
            "scope3.categories",
            "categories",
            [],
            1,
            15,
            {
                "en": "The Scope 3 categories the organisation reports (GHG Protocol Corporate "
                "Value Chain Standard, categories 1 to 15, e.g. 1, 3, 4). Only these are "
                "calculated; the others are listed as not reported, never added silently.",
                "zh": "本组织报告的范围三类别（《温室气体核算体系：企业价值链（范围三）核算与报告"
                "标准》类别 1 至 15，例如 1, 3, 4）。仅计算所列类别；其他类别列为未报告，"
                "不会被默默计入。",
            },
        ),
        Setting(
            "report.print_reported",
            "metrics",
            [],
            0,
            0,
            {
                "en": "The metrics whose figure the report prints as the organisation reported it "
                "(a data point with method reported and its source, e.g. energy.total_tce), with "
                "the source in a footnote and the difference from esgledger's computation. The "
                "others print the computation.",
                "zh": "报告中按本组织填报数据（方法为“reported”并注明来源的数据点，例如 "
                "energy.total_tce）列示的指标；来源列于脚注，并注明与 esgledger 计算结果的差异。"
                "其他指标列示计算结果。",
            },
        ),
    )
}


def setting(key: str) -> Setting:
    found = SETTINGS.get(key)
    if found is None:
        raise Invalid(f"no setting {key!r}; settings: {', '.join(SETTINGS)}", field="key")
    return found


def read(connection: sa.Connection, key: str) -> Any:
    """The typed value of a setting (its default when never set)."""
    declared = setting(key)
    stored = connection.execute(
        sa.select(settings_table.c.value).where(settings_table.c.key == key)
    ).scalar()
    return declared.default if stored is None else declared.parse(stored)


def read_all(connection: sa.Connection) -> dict[str, Any]:
    stored = dict(
        connection.execute(
            sa.select(settings_table.c.key, settings_table.c.value).where(
                settings_table.c.key.in_(list(SETTINGS))
            )
        ).all()
    )
    return {
        key: declared.default if key not in stored else declared.parse(stored[key])
        for key, declared in SETTINGS.items()
    }


def write(change: Change, key: str, value: Any, metrics: Collection[str] | None = None) -> Any:
    """Set a setting (checked against its declaration, metric ids against ``metrics``); audited
    with the value before."""
    declared = setting(key)
    typed = declared.parse(value if isinstance(value, list | tuple) else str(value), metrics)
    before = read(change.connection, key)
    text = declared.text(typed)
    exists = change.connection.execute(
        sa.select(settings_table.c.key).where(settings_table.c.key == key)
    ).first()
    if exists:
        stamps = change.update(settings_table, settings_table.c.key == key, {"value": text})
    else:
        stamps = change.insert(settings_table, [{"key": key, "value": text}])
    change.record(AUDIT_ACTION, "setting", key, {"before": before, "after": typed}, stamps)
    return typed
