"""``esgledger frameworks list|show``: the disclosure framework catalogues (read-only). Thin:
parse, call one service operation (:mod:`esgledger.services.frameworks`), print."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from esgledger.cli.common import acting, console, handled, services
from esgledger.i18n import Strings

frameworks_app = typer.Typer(
    no_args_is_help=True,
    help="Disclosure frameworks: SSE No. 14 (SZSE No. 17), HKEX, GRI, IFRS S2, MOF climate.",
)

_JSON = typer.Option("--json", help="print JSON")
_LANG = typer.Option(help="en or zh: the language of titles and labels")


@frameworks_app.command("list")
@handled
def frameworks_list(
    as_json: Annotated[bool, _JSON] = False, lang: Annotated[str, _LANG] = "en"
) -> None:
    """Print every shipped framework edition: when it applies from and how many items it has."""
    svc = services()
    rows = svc.frameworks.listing(acting(svc))
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    t = Strings(lang)
    table = Table()
    table.add_column(t("framework.column.framework"), no_wrap=True)
    for key in ("edition", "title", "effective", "items", "unconfirmed"):
        table.add_column(t(f"framework.column.{key}"))
    for row in rows:
        aliases = f" (= {', '.join(row['aliases'])})" if row["aliases"] else ""
        table.add_row(
            escape(row["framework"] + aliases),
            escape(row["edition"]),
            escape(row["name"][lang]),
            f"{row['effective_from']} ({t('framework.basis.' + row['effective_basis'])})",
            str(row["item_count"]),
            str(row["unconfirmed"]),
        )
    console.print(table)


@frameworks_app.command("show")
@handled
def frameworks_show(
    framework: Annotated[str, typer.Argument(help="a framework id from 'frameworks list'")],
    period: Annotated[
        str | None, typer.Option(help="a financial year (YYYY): only the items that apply")
    ] = None,
    issuer_class: Annotated[
        str | None, typer.Option(help="HKEX: main_board, largecap or gem (Part D phase-in)")
    ] = None,
    as_json: Annotated[bool, _JSON] = False,
    lang: Annotated[str, _LANG] = "en",
) -> None:
    """Print a framework's items with their obligation level and kind; with --period, the items
    that apply to that year (effective dates, supersession, the issuer class's phase-in)."""
    svc = services()
    t = Strings(lang)
    shown = svc.frameworks.show(acting(svc), framework, period, issuer_class)
    if as_json:
        print(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    table = Table()
    table.add_column(t("framework.column.item"), no_wrap=True)  # ids are typed back: never cut
    table.add_column(t("framework.column.title"), ratio=1, min_width=24)
    for key in ("level", "kind", "unit", "metrics"):
        table.add_column(t(f"framework.column.{key}"))
    for item in shown["items"]:
        table.add_row(*_row(item, t, lang))
    console.print(table)
    name = shown["name"][lang]
    if period:
        summary = t("framework.summary.period", count=shown["count"], name=name, period=period)
    else:
        summary = t("framework.summary", count=shown["count"], name=name)
    console.print(
        f"{escape(summary)}  (*: {t('framework.mark.no_omission')}; "
        f"?: {t('framework.mark.unconfirmed')})",
        highlight=False,
    )


@frameworks_app.command("find")
@handled
def frameworks_find(
    metric: Annotated[str | None, typer.Option(help="a catalogue metric id")] = None,
    topic: Annotated[str | None, typer.Option(help="a topic id of the topic library")] = None,
    as_json: Annotated[bool, _JSON] = False,
    lang: Annotated[str, _LANG] = "en",
) -> None:
    """Print the items of every framework edition that a metric meets or a topic maps to."""
    svc = services()
    t = Strings(lang)
    found = svc.frameworks.items_for(acting(svc), metric, topic)
    if as_json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return
    table = Table()
    table.add_column(t("framework.column.item"), no_wrap=True)
    table.add_column(t("framework.column.edition"), no_wrap=True)
    table.add_column(t("framework.column.title"), ratio=1, min_width=24)
    for key in ("level", "kind", "unit", "metrics"):
        table.add_column(t(f"framework.column.{key}"))
    for item in found:
        row = _row(item, t, lang)
        table.add_row(row[0], item["edition"], *row[1:])
    console.print(table)


def _row(item: dict[str, Any], t: Strings, lang: str) -> list[str]:
    marks = ("*" if item["no_omission"] else "") + ("?" if item["unconfirmed"] else "")
    title = item["title"][lang]
    if item["trigger"]:
        title += f" [{t('framework.mark.trigger')}: {item['trigger'][lang]}]"
    return [
        escape(item["reference"] + marks),
        escape(title),
        t(f"framework.level.{item['level']}"),
        t(f"framework.kind.{item['kind']}"),
        escape(item["unit"] or ""),
        str(len(item["metrics"])),
    ]
