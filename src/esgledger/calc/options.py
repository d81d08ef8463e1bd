"""Inventory options: the methodological choices an inventory records and the report states.

The options, their values (with bilingual labels and citations) and their defaults are reviewed
data in ``rules/options.yaml``; :class:`CalcOptions` accepts only the values declared there, and
the interfaces offer them through :func:`option_rules`, :func:`option_choices` and
:func:`option_help`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path

from esgledger.errors import RuleFileError
from esgledger.rulefiles import bilingual, check_keys, read_rule_file

OPTIONS_FILE = Path(__file__).parent / "rules" / "options.yaml"


@dataclass(frozen=True)
class OptionValue:
    """One value an option may take, with its label and the standard it comes from."""

    name: str
    label: dict[str, str]
    citation: str


@dataclass(frozen=True)
class Option:
    """One option of an inventory: its label, default and values, in the rules file's order."""

    name: str
    label: dict[str, str]
    default: str
    values: dict[str, OptionValue]

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self.values)

    def help(self) -> str:
        """A one-line help text (CLI): ``Global warming potentials: SAR, AR4, AR5 or AR6``."""
        *first, last = self.choices
        listed = f"{', '.join(first)} or {last}" if first else last
        return f"{self.label['en']}: {listed}"


@lru_cache(maxsize=2)
def option_rules(path: Path = OPTIONS_FILE) -> dict[str, Option]:
    """Every option of ``path`` by name; a malformed entry is a :class:`RuleFileError`."""
    content, _sha = read_rule_file(path)
    if not isinstance(content, dict) or not content:
        raise RuleFileError(str(path), "expected a mapping of option names to their values")
    options = {}
    for name, spec in content.items():
        where = f"{path}: {name}"
        check_keys(where, spec, ["label", "default", "values"])
        values = {}
        for value, entry in (spec["values"] or {}).items():
            at = f"{where}: values: {value}"
            check_keys(at, entry, ["label", "citation"])
            values[str(value)] = OptionValue(
                str(value), bilingual(f"{at}: label", entry["label"]), str(entry["citation"])
            )
        if not values:
            raise RuleFileError(where, "an option needs at least one value")
        default = str(spec["default"])
        if default not in values:
            raise RuleFileError(where, f"default {default!r} is not one of {', '.join(values)}")
        options[str(name)] = Option(
            str(name), bilingual(f"{where}: label", spec["label"]), default, values
        )
    return options


def option_choices(name: str) -> tuple[str, ...]:
    """The values option ``name`` may take."""
    return option_rules()[name].choices


def option_default(name: str) -> str:
    return option_rules()[name].default


def option_help(name: str) -> str:
    return option_rules()[name].help()


@dataclass(frozen=True)
class CalcOptions:
    """``electricity_tce``: GB/T 2589-2020 calorific equivalent (当量值, default) or equivalent value
    (等价值). ``grid_series``: which official grid-factor series applies (``default`` takes each
    country's default from the selection rules). ``gwp``: the IPCC assessment report whose 100-year
    GWPs convert gases to CO2e. ``consolidation``: the GHG Protocol consolidation approach. Values
    and defaults: ``rules/options.yaml``."""

    electricity_tce: str = field(default_factory=lambda: option_default("electricity_tce"))
    grid_series: str = field(default_factory=lambda: option_default("grid_series"))
    gwp: str = field(default_factory=lambda: option_default("gwp"))
    consolidation: str = field(default_factory=lambda: option_default("consolidation"))

    def __post_init__(self) -> None:
        rules = option_rules()
        for option in fields(self):
            value = getattr(self, option.name)
            allowed = rules[option.name].choices
            if value not in allowed:
                raise ValueError(
                    f"option {option.name}={value!r} is not one of {', '.join(allowed)}"
                )

    def as_dict(self) -> dict[str, str]:
        return asdict(self)
