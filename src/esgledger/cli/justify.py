"""``esgledger justify``: justifications of quality findings (issue 12, part 3). ``justify`` a
finding of a period (its reference as ``esgledger check`` prints it, ``sum.totals#3fa9c2``, or
its full key), ``justify
list`` the justifications in force, ``justify withdraw`` one. Refused to the author, importer,
submitter or explainer of a value the finding rests on, and in a locked period."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from esgledger.cli.common import acting, console, handled, services
from esgledger.service_errors import Forbidden
from esgledger.services.qa_references import MIN_DIGITS

PeriodOption = Annotated[str, typer.Option(help="reporting year, e.g. 2024")]
RuleOption = Annotated[
    str | None,
    typer.Option(
        help="the finding's rule id: only needed with a full key that several rules share"
    ),
]
KEY_HELP = (
    "the finding's reference as `esgledger check` prints it (sum.totals#3fa9c2; at least "
    "{digits} of its digits), or its full key (check --json)"
)
KeyOption = Annotated[str, typer.Option("--key", help=KEY_HELP.format(digits=MIN_DIGITS))]
HELP = (
    "Justify a quality finding: record why it stands, so that it no longer blocks the report. "
    "`esgledger check --period 2024` prints each finding with its reference; then "
    '`esgledger justify --period 2024 --key sum.totals#3fa9c2 --text "why it stands"`. '
    "Only admins and ESG managers who did not enter, import, change, submit or explain a value "
    "the finding rests on may justify it (segregation of duties); refused while the period is "
    "locked. Also: `justify list`, `justify withdraw`."
)


def register(app: typer.Typer) -> None:
    justify_app = typer.Typer(invoke_without_command=True, help=HELP, epilog=EPILOG)
    app.add_typer(justify_app, name="justify")

    @justify_app.callback()
    @handled
    def justify(
        ctx: typer.Context,
        period: Annotated[str | None, typer.Option(help="reporting year, e.g. 2024")] = None,
        key: Annotated[
            str | None, typer.Option("--key", help=KEY_HELP.format(digits=MIN_DIGITS))
        ] = None,
        text: Annotated[str | None, typer.Option(help="why the finding stands")] = None,
        rule: RuleOption = None,
    ) -> None:
        """Record why a finding stands (a new version when one is in force)."""
        if ctx.invoked_subcommand is not None:
            return
        for name, value, what in (
            ("--period", period, "the reporting year, e.g. 2024"),
            ("--key", key, f"the finding's reference; {HINT.format(period=period or '2024')}"),
            ("--text", text, "why the finding stands"),
        ):
            if not value:
                raise typer.BadParameter(f"required: {what}", param_hint=name)
        assert period and key and text is not None
        svc = services()
        try:
            stored = svc.qa_review.justify(acting(svc), period, rule, key, text)
        except Forbidden as refused:
            if not refused.message.startswith("segregation of duties"):
                raise
            raise Forbidden(
                f"{refused.message}: another admin or ESG manager runs this command "
                "(esgledger --user NAME justify ...)",
                details=refused.details,
            ) from None
        console.print(
            escape(
                f"{stored['reference']}: justified by {stored['recorded_by']} "
                f"(v{stored['version']}); full key {stored['finding_key']}"
            ),
            highlight=False,
            soft_wrap=True,
        )

    @justify_app.command("list")
    @handled
    def justify_list(
        period: PeriodOption, as_json: Annotated[bool, typer.Option("--json")] = False
    ) -> None:
        """The justifications in force for the period, each with its finding's reference."""
        svc = services()
        found = svc.qa_review.justifications(acting(svc), period)
        if as_json:
            print(json.dumps(found, ensure_ascii=False))
            return
        if not found:
            console.print(f"no justification is in force for {period}", highlight=False)
        for j in found:
            console.print(
                escape(
                    f"{j['reference']} {j['text']} ({j['recorded_by']}, {j['recorded_at'][:10]})"
                ),  # fmt: skip
                highlight=False,
            )

    @justify_app.command("withdraw")
    @handled
    def justify_withdraw(
        period: PeriodOption,
        key: KeyOption,
        reason: Annotated[str, typer.Option(help="why it no longer stands")],
        rule: RuleOption = None,
    ) -> None:
        """Withdraw a justification (a new version marked withdrawn, with the reason)."""
        svc = services()
        stored = svc.qa_review.withdraw(acting(svc), period, rule, key, reason)
        console.print(
            escape(f"{stored['reference']}: withdrawn (v{stored['version']})"), highlight=False
        )


EPILOG = "\n\n".join(
    (
        "Examples:",
        "  esgledger --db group.db check --period 2024   (each finding with its reference)",
        "  esgledger --db group.db justify --period 2024 --key sum.totals#3fa9c2 "
        '--text "Metered at the pump"',
        "  esgledger --db group.db justify list --period 2024",
        "  esgledger --db group.db justify withdraw --period 2024 --key sum.totals#3fa9c2 "
        '--reason "Meter replaced"',
        "The web page /qa?period=2024 lists the same findings, with a form to justify each.",
    )
)
HINT = "`esgledger check --period {period}` lists the findings with their references"
