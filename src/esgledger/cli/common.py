"""What every command shares: the global options, opening the ledger, who acts, and turning errors
into exit codes (0 success, 1 bad input or a failed check, 2 unexpected error)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from esgledger.errors import EsgLedgerError, InputRejected
from esgledger.service_errors import Invalid
from esgledger.services import Principal, Services
from esgledger.services.calculation import option_default, option_help

PASSWORD_ENV = "ESGLEDGER_PASSWORD"
console = Console()
errors = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

# The calculation options, as ``calc`` and ``activity calc`` take them (values and help from the
# rules file, calc/rules/options.yaml).
GwpOption = Annotated[str, typer.Option(help=option_help("gwp"))]
ElectricityOption = Annotated[str, typer.Option(help=option_help("electricity_tce"))]
GridOption = Annotated[str, typer.Option(help=option_help("grid_series"))]
ConsolidationOption = Annotated[str, typer.Option(help=option_help("consolidation"))]
DEFAULT_GWP = option_default("gwp")
DEFAULT_ELECTRICITY = option_default("electricity_tce")
DEFAULT_GRID = option_default("grid_series")
DEFAULT_CONSOLIDATION = option_default("consolidation")


class State:
    db: str | None = None
    user: str | None = None


state = State()


def services(create: bool = False) -> Services:
    """The ledger named by ``--db`` (``create``: make a new SQLite file if there is none)."""
    return Services.open(state.db, create=create)


def password(prompt: str, without: str, confirm: bool = False) -> str:
    """``ESGLEDGER_PASSWORD``, else the password typed in a terminal; ``without`` says what is
    missing when neither can be had."""
    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    if not sys.stdin.isatty():
        raise Invalid(f"{without}: set {PASSWORD_ENV} or run the command in a terminal")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm))


def password_for(username: str) -> str:
    """The password of ``username``, to act as that account."""
    return password(f"password of {username}", f"acting as {username} needs its password")


def acting(svc: Services) -> Principal:
    """The person this command acts for (``--user``, or the account of the OS login)."""
    return svc.accounts.command_line_actor(state.user, password_for)


def handled(function: F) -> F:
    """Map errors to exit codes: 1 for input and check failures, 2 for a usage error (click's
    own message with the usage) and for anything unexpected."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (typer.Exit, typer.BadParameter):
            raise  # a usage error is printed by Typer with the usage, exit 2
        except InputRejected as exc:
            errors.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
            raise typer.Exit(1) from exc
        except (EsgLedgerError, ValueError) as exc:
            errors.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
            raise typer.Exit(1) from exc
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            errors.print(
                f"[red]unexpected error:[/red] {type(exc).__name__}: {exc}", highlight=False
            )
            raise typer.Exit(2) from exc

    return wrapper  # type: ignore[return-value]
