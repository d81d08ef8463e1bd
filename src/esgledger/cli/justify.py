"""``esgledger justify``: justifications of quality findings (issue 12, part 3). ``justify`` a
finding of a period (its rule and key, as ``esgledger check --json`` prints them), ``justify
list`` the justifications in force, ``justify withdraw`` one. Refused to the author, importer,
submitter or explainer of a value the finding rests on, and in a locked period."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from esgledger.cli.common import acting, console, handled, services

PeriodOption = Annotated[str, typer.Option(help="reporting year, e.g. 2024")]
RuleOption = Annotated[str, typer.Option(help="the finding's rule id")]
KeyOption = Annotated[str, typer.Option("--key", help="the finding's key (check --json)")]


def register(app: typer.Typer) -> None:
    justify_app = typer.Typer(
        invoke_without_command=True,
        help="Justify a quality finding (someone other than the author of its values).",
    )
    app.add_typer(justify_app, name="justify")

    @justify_app.callback()
    @handled
    def justify(
        ctx: typer.Context,
        period: Annotated[str | None, typer.Option(help="reporting year, e.g. 2024")] = None,
        rule: Annotated[str | None, typer.Option(help="the finding's rule id")] = None,
        key: Annotated[str | None, typer.Option("--key", help="the finding's key")] = None,
        text: Annotated[str | None, typer.Option(help="why the finding stands")] = None,
    ) -> None:
        """Record why a finding stands (a new version when one is in force)."""
        if ctx.invoked_subcommand is not None:
            return
        for name, value in (
            ("--period", period),
            ("--rule", rule),
            ("--key", key),
            ("--text", text),
        ):
            if not value:
                raise typer.BadParameter("required", param_hint=name)
        assert period and rule and key and text is not None
        svc = services()
        stored = svc.qa_review.justify(acting(svc), period, rule, key, text)
        console.print(
            escape(f"{rule} {key}: justified by {stored['recorded_by']} (v{stored['version']})"),
            highlight=False,
        )

    @justify_app.command("list")
    @handled
    def justify_list(
        period: PeriodOption, as_json: Annotated[bool, typer.Option("--json")] = False
    ) -> None:
        """The justifications in force for the period."""
        svc = services()
        found = svc.qa_review.justifications(acting(svc), period)
        if as_json:
            print(json.dumps(found, ensure_ascii=False))
            return
        for j in found:
            console.print(
                escape(
                    f"{j['rule']} {j['finding_key']}: {j['text']} ({j['recorded_by']}, "
                    f"{j['recorded_at'][:10]})"
                ),  # fmt: skip
                highlight=False,
            )

    @justify_app.command("withdraw")
    @handled
    def justify_withdraw(
        period: PeriodOption,
        rule: RuleOption,
        key: KeyOption,
        reason: Annotated[str, typer.Option(help="why it no longer stands")],
    ) -> None:
        """Withdraw a justification (a new version marked withdrawn, with the reason)."""
        svc = services()
        stored = svc.qa_review.withdraw(acting(svc), period, rule, key, reason)
        console.print(escape(f"{rule} {key}: withdrawn (v{stored['version']})"), highlight=False)
