"""``esgledger catalogue ...`` (the organisation's own metrics, axes and members) and
``esgledger factors ...`` (factor sets, new editions and the organisation's own). Thin: parse,
call one service operation (:mod:`esgledger.services.catalogue`, :mod:`esgledger.services.factors`),
print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from esgledger.cli.common import acting, console, handled, services

catalogue_app = typer.Typer(
    no_args_is_help=True, help="The metric catalogue, with the organisation's own metrics."
)
factors_app = typer.Typer(no_args_is_help=True, help="Factor sets: editions and their values.")

_JSON = typer.Option("--json", help="print JSON")


@catalogue_app.command("list")
@handled
def catalogue_list(
    as_json: Annotated[bool, _JSON] = False,
    origin: Annotated[
        str | None, typer.Option(help="built-in or organisation: only those metrics")
    ] = None,
    lang: Annotated[str, typer.Option(help="en or zh: the language of the names")] = "en",
) -> None:
    """Print every metric: id, name, unit, kind, axes and whose it is."""
    svc = services()
    rows = svc.catalogue.listing(acting(svc), origin)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table()
    table.add_column("metric", no_wrap=True)  # ids are typed back: never cut
    for header in ("name", "unit", "kind", "axes", "origin"):
        table.add_column(header)
    for row in rows:
        table.add_row(
            escape(row["id"]),
            escape(row["name"].get(lang) or row["name"]["en"]),
            escape(row["unit"]),
            row["kind"],
            escape(", ".join(row["axes"])),
            row["origin"],
        )
    console.print(table)
    console.print(f"{len(rows)} metrics")


@catalogue_app.command("import")
@handled
def catalogue_import(
    path: Annotated[
        Path, typer.Argument(help="a .yaml or .csv file of the organisation's metrics")
    ],
) -> None:
    """Add the organisation's own metrics (ids `org.*`), axes (`org_*`) and members of built-in
    axes, validated like the built-ins (admins). Each import is a new, audited version."""
    svc = services()
    result = svc.catalogue.import_file(acting(svc), path)
    if result["version"] is None:
        console.print("the organisation's catalogue already holds this file: nothing changed")
        return
    console.print(
        f"organisation catalogue version {result['version']}: "
        f"{len(result['added'])} metrics added, {len(result['changed'])} changed, "
        f"{len(result['axes'])} axes and {len(result['members'])} members added",
        highlight=False,
    )


@catalogue_app.command("export")
@handled
def catalogue_export() -> None:
    """Print the organisation's catalogue in effect (YAML that 'catalogue import' reads back)."""
    svc = services()
    print(svc.catalogue.export(acting(svc)), end="")


@catalogue_app.command("history")
@handled
def catalogue_history() -> None:
    """Print every version of the organisation's catalogue: when, by whom, from which file."""
    svc = services()
    for row in svc.catalogue.versions(acting(svc)):
        console.print(
            f"v{row['version']}  {row['at']}  {escape(row['by'])}  {escape(row['file'])}  "
            f"{row['metrics']} metrics, {row['axes']} axes, {row['members']} members",
            highlight=False,
        )


@factors_app.command("list")
@handled
def factors_list(as_json: Annotated[bool, _JSON] = False) -> None:
    """Print every stored factor set version: edition, whose it is, whether it is in effect."""
    svc = services()
    rows = svc.factors.sets(acting(svc))
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table()
    table.add_column("set", no_wrap=True)
    for header in ("edition", "version", "origin", "in effect", "loaded"):
        table.add_column(header)
    for row in rows:
        table.add_row(
            escape(row["set"]),
            escape(row["edition"]),
            escape(row["version"]),
            row["origin"],
            "yes" if row["in_effect"] else "no",
            row["loaded_at"][:19],
        )
    console.print(table)


@factors_app.command("import")
@handled
def factors_import(
    path: Annotated[Path, typer.Argument(help="a factor set file (YAML, as the shipped sets)")],
) -> None:
    """Add a new edition of a publication's factor set, or the organisation's own set (`org_*`),
    with sources and validity dates (admins); audited, used by the next calculation."""
    svc = services()
    result = svc.factors.import_file(acting(svc), path)
    if result["unchanged"]:
        console.print(f"factor set {result['factor_set']} is stored already: nothing changed")
        return
    console.print(
        f"factor set {result['factor_set']} ({result['edition']}) stored: "
        f"{result['factors']} factors, {result['values']} values",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(catalogue_app, name="catalogue")
    app.add_typer(factors_app, name="factors")
