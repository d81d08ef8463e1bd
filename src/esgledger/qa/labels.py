"""Row labels as report tables print them, resolved to metric keys.

A label is compared folded (case, spaces and punctuation collapsed), whole and without a trailing
bracket (``Total energy (tce)``, ``综合能耗（吨标准煤）``). It resolves through the catalogue's
names in English and Chinese and the reviewed labels of ``qa/data/labels.yaml`` (the spellings
reports use: "Comprehensive energy consumption" for ``energy.total_tce``, each with the metric key
it names). A label two metrics claim resolves to neither.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from esgledger.catalogue.breakdowns import metric_key
from esgledger.errors import RuleFileError
from esgledger.rulefiles import check_keys, read_rule_file

LABELS_FILE = Path(__file__).parent / "data" / "labels.yaml"
_BRACKET = re.compile(r"\s*[(（\[][^()（）\[\]]*[)）\]]\s*$")
AMBIGUOUS = ""
# a table's breakdown in its title: "Employees by gender", "按性别划分的员工人数"
_BY = re.compile(r"\s+by\s+[^()（）]*$", re.IGNORECASE)
_ZH_BY = re.compile(r"^按.{1,12}?(划分|分类|统计)?的")
# a Scope 2 basis named in a bracket of a label (GHG Protocol Scope 2 Guidance ch. 4)
_BASES = {
    "market": re.compile(r"market|市场"),
    "location": re.compile(r"location|区域|位置|地区"),
}
TOTALS = frozenset({"total", "totals", "group total", "合计", "总计", "总数"})


_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")


def fold(text: str) -> str:
    """A label as compared: case folded, spaces and punctuation collapsed."""
    # NFKC first: "SO₂", "NOₓ" and full-width letters as typed; "RMB10,000" as "RMB10000"
    text = _THOUSANDS.sub("", unicodedata.normalize("NFKC", text))
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


# a row label printed in both languages, English first or Chinese first ("Raw coal 原煤",
# "原煤 Raw coal"), as bilingual HKEX reports set them
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_BILINGUAL = (
    re.compile(rf"^(?P<a>[^{_CJK}]*[A-Za-z][^{_CJK}]*?)\s+(?P<b>[{_CJK}（(].*[{_CJK}].*)$"),
    re.compile(rf"^(?P<a>[^A-Za-z]*[{_CJK}][^A-Za-z]*?)\s+(?P<b>[A-Za-z].*)$"),
)


def bilingual(label: str) -> tuple[str, str] | None:
    """The English and Chinese halves of a label printed in both languages; None otherwise."""
    for pattern in _BILINGUAL:
        found = pattern.match(label.strip())
        if found and re.search(f"[{_CJK}]", found.group("b") + found.group("a")):
            return found.group("a").strip(), found.group("b").strip()
    return None


def spellings(label: str) -> list[str]:
    """The folded forms a label is looked up by: whole, then without trailing brackets, then
    without the words before what is counted ("The amount of")."""
    found = [fold(label)]
    stripped = label
    while _BRACKET.search(stripped):
        stripped = _BRACKET.sub("", stripped)
        found.append(fold(stripped))
    found += [_FILLER.sub("", form) for form in found if _FILLER.match(form)]
    return [s for s in dict.fromkeys(found) if s]


# words before the name of what is counted ("The amount of SO2 emission", "Total amount of ...")
_FILLER = re.compile(r"^(?:the )?(?:total )?(?:amount|quantity|volume) of (?=\w)")


@cache
def reviewed_labels(path: Path = LABELS_FILE) -> tuple[tuple[str, str], ...]:
    """``(spelling, metric key)`` of the reviewed labels file."""
    content, _digest = read_rule_file(path)
    check_keys(str(path), content, ["labels"])
    pairs: list[tuple[str, str]] = []
    for index, entry in enumerate(content["labels"] or []):
        where = f"{path}: labels[{index}]"
        check_keys(where, entry, ["metric", "spellings"], ["note"])
        written = entry["spellings"]
        if not isinstance(written, list) or not written:
            raise RuleFileError(where, "spellings is a list of labels as reports print them")
        pairs += [(str(s), str(entry["metric"])) for s in written]
    return tuple(pairs)


class LabelIndex:
    """Folded label -> metric key, from the catalogue and the reviewed labels."""

    def __init__(self, catalogue: Any, extra: tuple[tuple[str, str], ...] | None = None):
        self.by_label: dict[str, str] = {}
        self.catalogue = catalogue
        for metric in catalogue.metrics.values():
            for name in metric.name.values():
                for spelled in spellings(name):  # "... (Scope 1+2)" also without its bracket
                    self._add(spelled, metric.id)
        reviewed = reviewed_labels() if extra is None else extra
        for spelling, key in reviewed:  # a reviewed spelling says what the name means
            if catalogue.find(key) is None:
                raise RuleFileError(str(LABELS_FILE), f"{spelling!r}: unknown metric {key!r}")
            self.by_label[fold(spelling)] = key

    def _add(self, label: str, key: str) -> None:
        folded = fold(label)
        if not folded:
            return
        known = self.by_label.setdefault(folded, key)
        if known != key:
            self.by_label[folded] = AMBIGUOUS

    def resolve(self, label: str, table: str = "") -> str | None:
        """The metric key ``label`` names; None when none (or more than one) does. A bracket
        dropped to find it may still say which basis the figure is on ("Total GHG emissions
        (based on market)"): then the metric of that basis, never the other."""
        halves = bilingual(label)
        if halves is not None:  # "Raw coal 原煤": each language names the metric, or one does
            found = {key for key in (self.resolve(half) for half in halves) if key is not None}
            whole = self._resolve_one(label)
            return whole if whole is not None else (found.pop() if len(found) == 1 else None)
        return self._resolve_one(label)

    def _resolve_one(self, label: str) -> str | None:
        forms = spellings(label)
        for folded in forms:
            found = self.by_label.get(folded)
            if found is not None:
                return self._on_basis(found, forms[0][len(folded) :]) if found else None
        return None

    def _on_basis(self, key: str, dropped: str) -> str | None:
        """``key`` read with the words of the brackets dropped to find it: a Scope 2 basis
        (GHG Protocol Scope 2 Guidance ch. 4: location-based, market-based) they name turns a
        metric of the other basis into its twin, or leaves the label unresolved."""
        said = {basis for basis, words in _BASES.items() if words.search(dropped)}
        if len(said) != 1:
            return key if not said else None
        (basis,) = said
        other = "location" if basis == "market" else "market"
        if self._basis(key) != other:
            return key  # of that basis already, or of none (Scope 1)
        twin = key.replace(other, basis)
        return twin if twin != key and self.catalogue.find(twin) is not None else None

    def _basis(self, key: str) -> str | None:
        """The Scope 2 basis a metric is of: named in its id, or in its formula's inputs (GHG
        intensity per revenue is of Scope 1+2 location-based); None for a metric of neither."""
        metric = self.catalogue.find(key)
        inputs = metric.formula.inputs if metric is not None and metric.formula else ()
        for basis in ("location", "market"):
            if basis in key or any(basis in str(name) for name in inputs):
                return basis
        return None

    def table_metric(self, table: str) -> str | None:
        """The metric a table's title names, whole or without its breakdown ("Employees by
        gender", "按性别划分的员工人数")."""
        for title in (table, _BY.sub("", table), _ZH_BY.sub("", table)):
            found = self.resolve(title)
            if found is not None:
                return found
        return None

    def in_table(self, label: str, table: str) -> tuple[str | None, str]:
        """A row label read in its table, when it names no metric itself: ``(key, how)`` where
        ``how`` is ``member`` (a member of one of the table metric's axes: "Female" in
        "Employees by gender"), ``total`` ("Total", "合计") or ``entity`` (any other row of a
        table of one metric: the row names whom the figure is of); ``(None, "")`` when the
        table's title names no metric."""
        metric_id = self.table_metric(table)
        if metric_id is None:
            return None, ""
        written = [fold(label), *(fold(half) for half in bilingual(label) or ())]
        if any(folded in TOTALS for folded in written):
            return metric_id, "total"
        metric = self.catalogue.find(metric_id)
        for axis_id in metric.axes if metric is not None else ():
            axis = self.catalogue.axes.get(axis_id)
            if axis is None:
                continue
            for member, names in axis.members.items():
                if {fold(name) for name in names.values()} & set(written):
                    return metric_key(metric_id, {axis_id: member}), "member"
        return metric_id, "entity"
