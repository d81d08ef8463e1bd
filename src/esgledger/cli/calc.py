"""Commands about calculated values and the ledger's integrity: ``calc``, ``show``, ``explain``,
``recompute``, ``report``, ``setting`` and ``inventory base-year``."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from esgledger.cli.common import (
    DEFAULT_CONSOLIDATION,
    DEFAULT_ELECTRICITY,
    DEFAULT_GRID,
    DEFAULT_GWP,
    ConsolidationOption,
    ElectricityOption,
    GridOption,
    GwpOption,
    acting,
    console,
    handled,
    services,
)
from esgledger.cli.render import gap_line, number, print_explain, print_gaps, published_line
from esgledger.i18n import Strings
from esgledger.report.formatting import unit_label
from esgledger.services.calculation import options_from

DimensionsOption = Annotated[
    str | None,
    typer.Option(help="a breakdown member, axis=member;axis=member (e.g. gender=female)"),
]


def register(app: typer.Typer) -> None:
    inventory_app = typer.Typer(no_args_is_help=True, help="Inventory settings: base year.")
    setting_app = typer.Typer(no_args_is_help=True, help="Inventory-wide settings.")
    app.add_typer(inventory_app, name="inventory")
    app.add_typer(setting_app, name="setting")

    @app.command()
    @handled
    def calc(
        period: Annotated[str, typer.Option(help="reporting period, e.g. 2024")],
        gwp: GwpOption = DEFAULT_GWP,
        electricity: ElectricityOption = DEFAULT_ELECTRICITY,
        grid: GridOption = DEFAULT_GRID,
        consolidation: ConsolidationOption = DEFAULT_CONSOLIDATION,
        strict: Annotated[
            bool, typer.Option("--strict", help="exit 1 if any value is not computable")
        ] = False,
    ) -> None:
        """Compute every derived metric for every entity of the period and store the inventory;
        list what could not be computed (a missing factor or input), and why."""
        options = options_from(
            {
                "electricity_tce": electricity,
                "grid_series": grid,
                "gwp": gwp,
                "consolidation": consolidation,
            }
        )
        svc = services()
        done = svc.calculation.run(acting(svc), period, options)
        console.print(
            f"calculated {done.values} values for {done.period} (run {done.run_id}, "
            f"GWP {gwp}, electricity {electricity}, {consolidation} control/share)",
            highlight=False,
        )
        if done.unapproved_inputs:
            counts = ", ".join(
                f"{n:,} {status}" for status, n in sorted(done.input_statuses.items())
            )
            console.print(
                f"[yellow]{done.unapproved_inputs:,} of the data points read are not approved "
                f"yet[/yellow] ({counts}): approve them before the report is published",
                highlight=False,
            )
        restatement = done.restatement
        if restatement is not None and restatement.restated_run is not None:
            console.print(
                f"[yellow]base year {restatement.base_year} restated[/yellow]: "
                f"{restatement.original:,.0f} -> {restatement.restated:,.0f} tCO2e "
                f"({restatement.change:+.1%}, threshold {restatement.threshold:.0%}); "
                + escape("; ".join(restatement.reasons)),
                highlight=False,
            )
        print_gaps(console, done.gaps)
        if strict and done.not_computable:
            console.print(
                f"[red]--strict: {len(done.not_computable)} value(s) not computable[/red]",
                highlight=False,
            )
            raise typer.Exit(1)

    @app.command()
    @handled
    def show(
        metric: str,
        entity: Annotated[str, typer.Option(help="entity id")],
        period: Annotated[str, typer.Option(help="period")],
        as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
        dimensions: DimensionsOption = None,
    ) -> None:
        """Show one value (reported or calculated), or one breakdown member's (--dimensions)."""
        svc = services()
        shown = svc.explain.show(acting(svc), metric, entity, period, dimensions)
        if as_json:
            print(json.dumps(shown.as_dict(), ensure_ascii=False))
            return
        if shown.kind == "nil":
            console.print(
                f"{shown.metric}@{shown.entity}@{shown.period} = nil: nothing to report, as "
                f"entered ({shown.status})",
                highlight=False,
            )
            return
        if shown.value is None and shown.gap is not None:
            console.print(
                f"{shown.metric}@{shown.entity}@{shown.period}: " + gap_line(shown.gap),
                highlight=False,
            )
            return
        assert shown.value is not None  # only a value not computed has no number
        what = "as published" if shown.kind == "reported" else shown.status
        console.print(
            f"{shown.metric}@{shown.entity}@{shown.period} = {number(shown.value)} "
            f"{unit_label(shown.unit, Strings('en')) or shown.unit} "
            f"({what})",
            highlight=False,
        )
        if shown.reported is not None and shown.kind != "reported":
            console.print("  " + published_line(shown.reported, shown.difference), highlight=False)
        elif shown.kind == "reported" and shown.reported is not None:
            console.print(f"  source: {escape(str(shown.reported['source']))}", highlight=False)
        if shown.gap is not None:
            console.print("  computed: " + gap_line(shown.gap), highlight=False)

    @app.command()
    @handled
    def explain(
        metric: str,
        entity: Annotated[str, typer.Option(help="entity id")],
        period: Annotated[str, typer.Option(help="period")],
        as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
        depth: Annotated[int, typer.Option(help="levels of the tree to print")] = 4,
        dimensions: DimensionsOption = None,
    ) -> None:
        """Explain a value: formula, inputs (with their own lineage), factors with citations."""
        svc = services()
        result = svc.explain.explain(acting(svc), metric, entity, period, dimensions)
        if as_json:
            print(json.dumps(result, ensure_ascii=False, indent=1))
        else:
            print_explain(console, result, depth)

    @app.command()
    @handled
    def recompute(
        period: Annotated[str, typer.Option(help="period of the stored calculation")],
        metric: Annotated[str | None, typer.Option(help="one metric (with --entity)")] = None,
        entity: Annotated[str | None, typer.Option(help="one entity (with --metric)")] = None,
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """Re-derive stored values from their lineage (recorded inputs and factor editions) and
        report any difference (first, any table that differs from the audit log); exit 1 if one
        differs."""
        svc = services()
        checks = svc.calculation.recompute(acting(svc), period, metric, entity)
        failed = [c for c in checks if not c.ok]
        if as_json:
            print(
                json.dumps(
                    {"checked": len(checks), "differences": [c.as_dict() for c in failed]},
                    ensure_ascii=False,
                )
            )
        else:
            for check in failed:
                console.print(
                    f"[red]difference[/red] {escape(check.key)}: {escape(check.problem or '')}",
                    highlight=False,
                )
            console.print(f"recomputed {len(checks)} value(s): {len(failed)} difference(s)")
        if failed:
            raise typer.Exit(1)

    @setting_app.command("list")
    @handled
    def setting_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """Every setting with its value, default and range."""
        svc = services()
        found = svc.settings.list(acting(svc))
        if as_json:
            print(json.dumps(found, ensure_ascii=False))
            return
        for item in found:
            console.print(
                f"{item['key']} = {item['value']} (default {item['default']}, "
                f"{item['minimum']:g} to {item['maximum']:g}): {item['help']['en']}",
                highlight=False,
            )

    @setting_app.command("set")
    @handled
    def setting_set(key: str, value: str) -> None:
        """Change a setting (base_year, restatement_threshold, review.change_threshold)."""
        svc = services()
        changed = svc.settings.set(acting(svc), key, value)
        console.print(f"{changed['key']} = {changed['value']}", highlight=False)

    @inventory_app.command("base-year")
    @handled
    def inventory_base_year(
        year: str,
        threshold: Annotated[
            float | None, typer.Option(help="restatement threshold as a fraction (default 0.05)")
        ] = None,
    ) -> None:
        """Set the base year; later calcs restate it when the boundary or method moves it more
        than the threshold."""
        svc = services()
        actor = acting(svc)
        svc.settings.set(actor, "base_year", year)
        if threshold is not None:
            svc.settings.set(actor, "restatement_threshold", threshold)
        limit = svc.settings.get(actor, "restatement_threshold")
        console.print(f"base year {year}, restatement threshold {limit:.1%}")
