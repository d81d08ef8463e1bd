"""``esgledger activity import`` and ``esgledger activity calc``: bulk activity records. Thin:
parse options, call the service on behalf of the acting person, print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from esgledger.cli.common import (
    DEFAULT_ELECTRICITY,
    DEFAULT_GRID,
    DEFAULT_GWP,
    ElectricityOption,
    GridOption,
    GwpOption,
    acting,
    console,
    handled,
    services,
)
from esgledger.services.calculation import options_from


def register(app: typer.Typer) -> None:
    """Add the ``activity`` sub-app to the main CLI."""
    activity_app = typer.Typer(
        no_args_is_help=True, help="Bulk activity records (meter readings, fuel deliveries)."
    )
    app.add_typer(activity_app, name="activity")

    @activity_app.command("import")
    @handled
    def activity_import(
        path: Path,
        period: Annotated[str, typer.Option(help="reporting year of the records, e.g. 2024")],
        as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """Check an activity file (Parquet or CSV: entity, ts, metric, quantity, unit), store it
        and register it for the year. Nothing is written when any record is wrong."""
        svc = services()
        imported = svc.imports.activity(acting(svc), path, period)
        if as_json:
            print(json.dumps(imported.as_dict(), ensure_ascii=False))
            return
        console.print(
            f"imported {imported.records:,} activity records from {imported.file} for "
            f"{imported.period} (batch {imported.batch_id}, sha256 "
            f"{imported.sha256[:12]}...), stored as {imported.stored}",
            highlight=False,
        )

    @activity_app.command("calc")
    @handled
    def activity_calc(
        period: Annotated[str, typer.Option(help="reporting year, e.g. 2024")],
        gwp: GwpOption = DEFAULT_GWP,
        electricity: ElectricityOption = DEFAULT_ELECTRICITY,
        grid: GridOption = DEFAULT_GRID,
        as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """Compute the year's activity files in SQL and store the results as calculated data
        points of the activity.* metrics, one per entity and month."""
        options = options_from({"electricity_tce": electricity, "grid_series": grid, "gwp": gwp})
        svc = services()
        done = svc.calculation.activity(acting(svc), period, options)
        if as_json:
            print(json.dumps(done.as_dict(), ensure_ascii=False))
            return
        written = done.written
        console.print(
            f"bulk activity {done.period}: {done.records:,} records in {done.files} "
            f"file(s) -> {done.results} monthly results ({written.created} created, "
            f"{written.corrected} corrected, {written.unchanged} unchanged)",
            highlight=False,
        )
