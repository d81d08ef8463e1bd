"""Rich rendering of explain trees and audit results for the terminal (in English: the engine's
notes are rendered from the one string table, :meth:`esgledger.i18n.Strings.note`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from esgledger.i18n import Figure, Strings
from esgledger.services.audit import ANCHOR_KINDS, VerifyResult
from esgledger.services.explain import Record, Text
from esgledger.services.explain import references as referenced_keys


def _said(text: Text) -> str:
    """What the engine said, in English, safe to print inside Rich markup."""
    return escape(Strings("en").note(text))


def _label(record: Record) -> str:
    value = f"{Figure(record['value']):,.6g} {record['unit']}"
    kind = record["kind"]
    if kind == "input":
        how = _said(record["how"]) if "how" in record else record["formula"]
        return f"[bold]{record['key']}[/bold] = {value}  [dim]reported ({how})[/dim]"
    if kind == "rollup":
        return f"[bold]{record['key']}[/bold] = {value}  [dim]roll-up: {record['formula']}[/dim]"
    return f"[bold]{record['key']}[/bold] = {value}  [dim]{record.get('expression', '')}[/dim]"


def _add(tree: Tree, record_key: str, records: dict[str, Record], depth: int) -> None:
    record = records.get(record_key)
    if record is None:
        tree.add(f"{record_key} (record not found)")
        return
    node = tree.add(_label(record))
    _details(node, record)
    if depth <= 0:
        if referenced_keys(record):
            node.add("[dim]... (use --depth or --json for more)[/dim]")
        return
    for ref in referenced_keys(record):
        _add(node, ref, records, depth - 1)


def _details(node: Tree, record: Record) -> None:
    for point in record.get("datapoints", []):
        node.add(
            f"[cyan]data point #{point['id']}[/cyan] {point['period']}: {Figure(point['value']):,.6g} "
            f"{point['unit']} ({point['method']}, {point['status']}, v{point['version']}"
            + (f", source: {point['source']}" if point.get("source") else "")
            + ")"
        )
    for term in record.get("terms", []):
        node.add(
            f"[magenta]term[/magenta] {term['detail']} = {Figure(term['value']):,.6g} {term['unit']}"
        )
    for factor in record.get("factors", []):
        if factor.get("measured"):
            node.add(
                f"[yellow]measured[/yellow] {factor.get('role', '')} of "
                f"{factor.get('applies_to')}: {Figure(factor['value']):g} {factor['unit']} "
                + (
                    f"(replaces {factor['replaces']})"
                    if "replaces" in factor
                    else f"({_said(factor.get('source', ''))})"
                )
            )
        else:
            flag = " [red]UNVERIFIED[/red]" if factor.get("unverified") else ""
            node.add(
                f"[green]factor[/green] {factor['factor']} = {Figure(factor['value']):g} "
                f"{factor['unit']} ({factor.get('edition')} v{factor.get('version')}, from "
                f"{factor.get('valid_from')}; {_said(factor.get('source', ''))}){flag}"
            )
    for child in record.get("children", []):
        if child["factor"] != 1.0:
            node.add(
                f"[dim]{child['entity']} counted at {Figure(child['factor']):.4g} "
                f"({_said(child['reason'])})[/dim]"
            )
    for item in record.get("eliminations", []):
        node.add(
            f"[yellow]eliminated[/yellow] {Figure(item['value']):,.6g} {record['unit']} supplied by "
            f"{item['supplier']} ({_said(item['reason'])})"
        )
    if record.get("gases"):
        gases = ", ".join(
            f"{gas} {Figure(tonnes):,.6g} t" for gas, tonnes in sorted(record["gases"].items())
        )
        node.add(f"[blue]gases[/blue] {gases}")
    for excluded in record.get("excluded", []):
        node.add(f"[dim]excluded {excluded['entity']}: {_said(excluded['reason'])}[/dim]")
    for note in record.get("notes", []):
        node.add(f"[dim]note: {_said(note)}[/dim]")


def gap_line(gap: dict[str, Any]) -> str:
    """Why a value has no number, and the value whose failure caused it (English)."""
    what = "not reported" if gap["kind"] == "not_reported" else "not computable"
    line = f"{what}: {_said(gap['reason'])}"
    cause = gap.get("caused_by")
    if cause is not None:
        line += f"\n  caused by {cause['key']}: {_said(cause['reason'])}"
    elif gap.get("cause") not in (None, gap["key"]):
        line += f"\n  caused by {gap['cause']}"
    return line


def print_gaps(console: Console, gaps: list[Any], listed: int = 25) -> None:
    """What a calculation did not compute: each first-hand failure with its reason and how many
    values depend on it; the Scope 3 categories not reported, once each."""
    first_hand = [g for g in gaps if g.kind == "not_computable" and g.first_hand]
    dependents: dict[str, int] = {}
    for gap in gaps:
        if gap.kind == "not_computable" and not gap.first_hand:
            dependents[gap.cause] = dependents.get(gap.cause, 0) + 1
    if first_hand:
        blocked = sum(dependents.values())
        console.print(
            f"[yellow]{len(first_hand) + blocked} value(s) not computable[/yellow]: "
            f"{len(first_hand)} failed, {blocked} depend on them; the rest was computed",
            highlight=False,
        )
        for gap in first_hand[:listed]:
            more = dependents.get(gap.key, 0)
            console.print(
                f"  {gap.key}: {_said(gap.reason)}"
                + (f" [dim](and {more} value(s) that depend on it)[/dim]" if more else ""),
                highlight=False,
            )
        if len(first_hand) > listed:
            console.print(f"  ... and {len(first_hand) - listed} more (show --json, the web)")
    unreported: dict[str, int] = {}
    for gap in gaps:
        if gap.kind == "not_reported" and gap.first_hand:
            text = _said(gap.reason)
            unreported[text] = unreported.get(text, 0) + 1
    for text, count in unreported.items():
        console.print(f"[dim]not calculated: {text} ({count} entity/ies with data)[/dim]")


def print_explain(console: Console, result: dict[str, Any], depth: int) -> None:
    records = result["records"]
    if result.get("gap") is not None:
        console.print(f"explain {result['root']}: " + gap_line(result["gap"]), highlight=False)
        if result.get("reported") is not None:
            console.print(published_line(result["reported"], None), highlight=False)
        return
    tree = Tree(f"explain {result['root']}")
    _add(tree, result["root"], records, depth)
    console.print(tree, highlight=False)
    if result.get("reported") is not None:
        console.print(published_line(result["reported"], result.get("difference")), highlight=False)


def published_line(published: dict[str, Any], difference: float | None) -> str:
    """The figure the organisation published, its source and the computation's difference."""
    return (
        f"published {number(published['value'])} {published['unit']} "
        f"({escape(str(published['source']))})"
        + ("" if difference is None else f"; computed differs by {difference:+.2%}")
    )


def print_verify(console: Console, result: VerifyResult) -> None:
    if result.ok:
        anchors = (
            f"; [green]it extends the {result.anchors} anchor(s) given[/green]"
            if result.anchors
            else ""
        )
        console.print(
            f"[green]audit chain intact[/green]: {result.entries} entries, head {result.head_hash}"
            f"{anchors}; [green]tables match the log[/green]: {result.rows_checked} rows checked",
            highlight=False,
        )
    elif result.kind in ANCHOR_KINDS:
        console.print(
            f"[red]the audit log does not extend the anchor of entry {result.seq}[/red] "
            f"({result.kind}): {escape(result.problem or '')}",
            highlight=False,
        )
    elif result.table is not None:
        console.print(
            f"[red]table {result.table} differs from the audit log[/red] at row "
            f"{escape(result.row or '')} ({result.kind}): {escape(result.problem or '')}",
            highlight=False,
        )
    else:
        console.print(
            f"[red]audit chain broken[/red] at entry {result.seq} ({result.kind}): "
            f"{escape(result.problem or '')}",
            highlight=False,
        )


def number(value: float) -> str:
    """A value to ten significant digits with thousands separators, never in exponent form
    (5,147,969.685 rather than 5.14797e+06)."""
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    return format(Decimal(f"{float(value):.10g}"), ",f")
