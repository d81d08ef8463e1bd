"""Verify an esgledger assurance pack with the Python standard library alone.

This file is copied into every pack as ``verify.py``. Run it from the unpacked folder
(``python3 verify.py``) or give it the pack (``python3 verify.py pack.zip`` or a folder). It checks

1. the manifest: every file it lists is present with the SHA-256 it names, and no other file is;
2. the audit extract: each entry's hash recomputed from its fields, consecutive entries linked,
   the head entry the one the anchor names;
3. the sample: that the numbers drawn follow from the recorded seed (stratified by magnitude);
4. the arithmetic of every lineage record under each sampled number, recomputed from the records
   in the pack: a roll-up (own part + children x inclusion factor - internal supplies eliminated),
   a sum of inputs, a ratio of inputs, a sum of a formula's terms and each term as the product of
   its input and the factors applied to it, an input as the sum of its data points; and that every
   value a record reads is the value of the record it names. A record whose shape this script does
   not know is named as "not recomputed" (it does not fail the check).

Exit code 0 when everything checked holds, 1 otherwise. Nothing here imports esgledger: the
builder (``esgledger.assurance``) imports :func:`draw_sample` from this file, so the pack and the
script draw the sample by one rule.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import sys
import zipfile
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
SAMPLE = "sample.json"
RECORDS = "lineage/records.json"
AUDIT_ENTRIES = "audit/entries.json"
AUDIT_HEAD = "audit/head.json"
AUDIT_ANCHOR = "audit/anchor.json"
REL_TOLERANCE = 1e-9


# -- the sample ------------------------------------------------------------------------------------
def draw_sample(
    population: list[dict[str, Any]], seed: int, strata: int, per_stratum: int
) -> list[str]:
    """The keys drawn from ``population`` (items with ``key``, ``group`` and ``value``): per group,
    the items sorted by absolute value (then key) are cut into ``strata`` strata of near-equal
    size, and ``per_stratum`` keys are drawn from each by ``random.Random(seed)``, groups in
    sorted order. The result is sorted."""
    rng = random.Random(seed)
    chosen: list[str] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in population:
        groups.setdefault(str(item["group"]), []).append(item)
    for group in sorted(groups):
        ordered = sorted(groups[group], key=lambda item: (abs(float(item["value"])), item["key"]))
        for index in range(strata):
            stratum = ordered[len(ordered) * index // strata : len(ordered) * (index + 1) // strata]
            keys = [item["key"] for item in stratum]
            chosen.extend(rng.sample(keys, min(per_stratum, len(keys))))
    return sorted(chosen)


def stratum_of(population: list[dict[str, Any]], key: str, strata: int) -> int:
    """The stratum (0 smallest) that ``key`` falls in within its group."""
    item = next(item for item in population if item["key"] == key)
    ordered = sorted(
        (other for other in population if other["group"] == item["group"]),
        key=lambda other: (abs(float(other["value"])), other["key"]),
    )
    position = ordered.index(item)
    return next(
        index
        for index in range(strata)
        if len(ordered) * index // strata <= position < len(ordered) * (index + 1) // strata
    )


# -- reading the pack ------------------------------------------------------------------------------
def read_pack(location: Path) -> dict[str, bytes]:
    """Every file of the pack, by its path inside the pack (``/`` separated)."""
    if location.is_file():
        with zipfile.ZipFile(location) as archive:
            return {
                name: archive.read(name) for name in archive.namelist() if not name.endswith("/")
            }
    return {
        path.relative_to(location).as_posix(): path.read_bytes()
        for path in sorted(location.rglob("*"))
        if path.is_file()
    }


def check_manifest(files: dict[str, bytes]) -> list[str]:
    """Problems with the manifest: a file missing, changed, or not listed."""
    if MANIFEST not in files:
        return [f"{MANIFEST} is missing"]
    try:
        listed = json.loads(files[MANIFEST].decode("utf-8"))["files"]
    except (ValueError, KeyError, TypeError) as exc:
        return [f"{MANIFEST} cannot be read: {exc}"]
    problems = []
    for name, expected in sorted(listed.items()):
        if name not in files:
            problems.append(f"missing file: {name}")
        elif hashlib.sha256(files[name]).hexdigest() != expected:
            problems.append(f"changed file (SHA-256 differs): {name}")
    for name in sorted(set(files) - set(listed) - {MANIFEST}):
        problems.append(f"file not in the manifest: {name}")
    return problems


# -- the audit extract ----------------------------------------------------------------------------
def entry_hash(entry: dict[str, Any]) -> str:
    """An audit entry's hash as the ledger computes it: SHA-256 of the previous hash, the JSON of
    [at, actor, action, object type, object id] (keys sorted, no spaces), the payload as stored
    and, when the entry wrote tracked rows, a newline and their stamps as stored."""
    header = json.dumps(
        [entry["at"], entry["actor"], entry["action"], entry["object_type"], entry["object_id"]],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    tail = f"\n{entry['rows']}" if entry.get("rows") else ""
    text = f"{entry['prev_hash']}{header}{entry['payload']}{tail}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_audit(files: dict[str, bytes]) -> list[tuple[str, str]]:
    """(status, message): every extracted entry's hash recomputed, each entry that follows
    another in the extract linked to it, and the head entry is the anchor's."""
    entries = json.loads(files[AUDIT_ENTRIES].decode("utf-8"))
    head = json.loads(files[AUDIT_HEAD].decode("utf-8"))
    anchor = json.loads(files[AUDIT_ANCHOR].decode("utf-8"))
    found = []
    wrong = [e["seq"] for e in [*entries, head] if entry_hash(e) != e["hash"]]
    by_seq = {e["seq"]: e for e in [*entries, head]}
    unlinked = [
        seq
        for seq, e in by_seq.items()
        if seq - 1 in by_seq and by_seq[seq - 1]["hash"] != e["prev_hash"]
    ]
    if wrong:
        found.append(("FAIL", f"audit entries whose hash does not recompute: {wrong[:20]}"))
    if unlinked:
        found.append(("FAIL", f"audit entries not linked to the entry before: {unlinked[:20]}"))
    if (head["seq"], head["hash"]) != (anchor["seq"], anchor["hash"]):
        found.append(("FAIL", "audit/head.json is not the entry audit/anchor.json names"))
    if not found:
        found.append(
            (
                "OK",
                f"audit: {len(entries)} entries and the head {head['seq']} recompute their "
                "hashes; consecutive entries are linked; the head is the anchor's",
            )
        )
    return found


# -- recomputing -----------------------------------------------------------------------------------
def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOLERANCE, abs_tol=REL_TOLERANCE)


class Recompute:
    """Recompute records of the pack; ``results`` collects (status, key, message)."""

    def __init__(self, records: dict[str, Any], constants: dict[str, Any]):
        self.records = records
        self.constants = constants
        self.results: list[tuple[str, str, str]] = []

    def say(self, status: str, key: str, message: str) -> None:
        self.results.append((status, key, message))

    def compare(self, key: str, what: str, expected: float, found: float) -> None:
        if close(expected, found):
            self.say("OK", key, f"{what}: {found!r}")
        else:
            self.say("FAIL", key, f"{what}: recomputed {expected!r}, the record says {found!r}")

    def record(self, key: str) -> None:
        record = self.records.get(key)
        if record is None:
            self.say("FAIL", key, "the record is not in the pack")
            return
        self.references(key, record)
        kind, formula = record.get("kind"), record.get("formula")
        declared = self.constants.get(key, {})
        if kind == "rollup":
            self.rollup(key, record)
        elif kind == "input":
            self.input(key, record, declared)
        elif formula == "sum":
            self.sum(key, record, declared)
        elif formula == "ratio":
            self.ratio(key, record, declared)
        elif formula == "own_if_producing":
            self.own_if_producing(key, record, declared)
        elif declared.get("shape") == "terms":
            self.terms(key, record, declared)
        else:
            self.say(
                "NOT RECOMPUTED",
                key,
                f"formula {formula!r}: its shape is not one this script knows",
            )

    def references(self, key: str, record: dict[str, Any]) -> None:
        """Every value the record reads is the value of the record it names."""
        for item in record.get("inputs", []):
            target = self.records.get(item["key"])
            if target is not None:
                self.compare(key, f"input {item['key']} read as", target["value"], item["value"])
        own = record.get("own")
        targets = ([own] if own else []) + list(record.get("children", []))
        for item in targets:
            target = self.records.get(item["key"])
            if target is not None:
                self.compare(key, f"part {item['key']} read as", target["value"], item["value"])

    def rollup(self, key: str, record: dict[str, Any]) -> None:
        own = record.get("own")
        total = float(own["value"]) if own else 0.0
        total += sum(float(c["value"]) * float(c["factor"]) for c in record.get("children", []))
        eliminations = record.get("eliminations", [])
        total -= sum(float(e["value"]) for e in eliminations)
        if eliminations:
            total = max(total, 0.0)
        self.compare(key, "roll-up: own + children x factor - eliminations", total, record["value"])

    def input(self, key: str, record: dict[str, Any], declared: dict[str, Any]) -> None:
        if declared.get("shape") != "datapoints":
            how = record.get("how") or record.get("formula")
            self.say("NOT RECOMPUTED", key, f"input read as {json.dumps(how)}")
            return
        total = sum(float(point["value_normalised"]) for point in record.get("datapoints", []))
        self.compare(key, "input: sum of its data points (normalised)", total, record["value"])

    def _converted(self, key: str, item: dict[str, Any], declared: dict[str, Any]) -> float | None:
        conversions = declared.get("conversions", {})
        if item["key"] in conversions:
            return float(item["value"]) * float(conversions[item["key"]])
        if item["unit"] == self.records.get(key, {}).get("unit"):
            return float(item["value"])
        self.say("NOT RECOMPUTED", key, f"no conversion of {item['unit']} is declared")
        return None

    def sum(self, key: str, record: dict[str, Any], declared: dict[str, Any]) -> None:
        subtracted = {
            term["input"]
            for term in record.get("terms", [])
            if str(term.get("detail", "")).startswith("less ")
        }
        total = 0.0
        for item in record.get("inputs", []):
            part = self._converted(key, item, declared)
            if part is None:
                return
            total += -part if item["key"] in subtracted else part
        self.compare(key, "sum of the inputs (less those subtracted)", total, record["value"])

    def ratio(self, key: str, record: dict[str, Any], declared: dict[str, Any]) -> None:
        inputs = record.get("inputs", [])
        if len(inputs) != 2 or "constant" not in declared or float(inputs[1]["value"]) == 0:
            self.say("NOT RECOMPUTED", key, "a ratio without two inputs or a declared constant")
            return
        expected = (
            float(inputs[0]["value"]) / float(inputs[1]["value"]) * float(declared["constant"])
        )
        self.compare(key, "ratio: numerator / denominator x constant", expected, record["value"])

    def own_if_producing(self, key: str, record: dict[str, Any], declared: dict[str, Any]) -> None:
        inputs = record.get("inputs", [])
        if len(inputs) != 2:
            self.say("NOT RECOMPUTED", key, "expected the product and the value as inputs")
            return
        part = self._converted(key, inputs[1], declared)
        if part is not None:
            self.compare(
                key, "the entity's own value (it makes the product)", part, record["value"]
            )

    def terms(self, key: str, record: dict[str, Any], declared: dict[str, Any]) -> None:
        terms = record.get("terms", [])
        total = sum(float(t["value"]) for t in terms)
        to_record = declared.get("to_record")
        if to_record is None:
            self.compare(key, "sum of the terms", total, record["value"])
        else:  # terms in tonnes of a gas, then its GWP and a unit conversion
            total *= float(record["factors"][to_record["factor"]]["value"])
            total *= float(to_record["constant"])
            self.compare(key, "sum of the terms x GWP", total, record["value"])
        inputs = {item["key"]: item for item in record.get("inputs", [])}
        products = declared.get("terms", {})
        for index, term in enumerate(terms):
            spec = products.get(str(index))
            if spec is None:
                self.say(
                    "NOT RECOMPUTED",
                    key,
                    f"term {index} ({term.get('detail', '')}): not a plain product",
                )
                continue
            quantity = float(inputs[term["input"]]["value"])
            value = 0.0
            for gas in spec.get("gases", {}).values():  # one product per gas, times its GWP
                part = quantity * float(gas["constant"])
                for factor in gas["factors"]:
                    part *= float(record["factors"][factor]["value"])
                value += part * float(record["factors"][gas["gwp"]]["value"])
            if "gases" not in spec:
                value = quantity * float(spec["constant"])
                for factor in spec["factors"]:
                    value *= float(record["factors"][factor]["value"])
            self.compare(key, f"term {index}: {term.get('detail', '')}", value, term["value"])


# -- the whole check -------------------------------------------------------------------------------
def verify(location: Path, out: Any = sys.stdout) -> int:
    files = read_pack(location)
    problems = check_manifest(files)
    for problem in problems:
        print(f"FAIL manifest: {problem}", file=out)
    if problems:
        print("the pack does not verify: its files are not the ones the manifest names", file=out)
        return 1
    print(f"OK manifest: {len(files) - 1} files, every SHA-256 matches, no extra file", file=out)
    sample = json.loads(files[SAMPLE].decode("utf-8"))
    records = json.loads(files[RECORDS].decode("utf-8"))
    failed = 0
    for status, message in check_audit(files):
        failed += status == "FAIL"
        print(f"{status} {message}", file=out)
    drawn = draw_sample(
        sample["population"], int(sample["seed"]), int(sample["strata"]), int(sample["per_stratum"])
    )
    listed = sorted(entry["key"] for entry in sample["entries"])
    if drawn == listed:
        print(f"OK sample: {len(drawn)} numbers follow from seed {sample['seed']}", file=out)
    else:
        failed += 1
        print(
            f"FAIL sample: seed {sample['seed']} draws {drawn}, the pack lists {listed}", file=out
        )
    work = Recompute(records, sample.get("constants", {}))
    for key in sorted({key for entry in sample["entries"] for key in entry["records"]}):
        work.record(key)
    counts: dict[str, int] = {}
    for status, key, message in work.results:
        counts[status] = counts.get(status, 0) + 1
        if status != "OK":
            print(f"{status} {key}: {message}", file=out)
    failed += counts.get("FAIL", 0)
    print(
        f"recomputed: {counts.get('OK', 0)} checks hold, {counts.get('FAIL', 0)} fail, "
        f"{counts.get('NOT RECOMPUTED', 0)} not recomputed (named above)",
        file=out,
    )
    print("the pack verifies" if not failed else "the pack does not verify", file=out)
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    location = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    if not location.exists():
        print(f"no pack at {location}", file=sys.stderr)
        return 1
    return verify(location)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
