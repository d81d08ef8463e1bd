"""``esgledger serve`` (the API under uvicorn) and ``esgledger user add``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console

from esgledger.access.principal import ROLES
from esgledger.collaboration import Collaboration
from esgledger.service_errors import Invalid
from esgledger.services import Workspace
from esgledger.store.database import URL_ENV, resolve_url

PASSWORD_ENV = "ESGLEDGER_PASSWORD"
console = Console()


def register(app: typer.Typer, handled: Callable[[Any], Any], db: Callable[[], str | None]) -> None:
    """Add the commands to the main CLI; ``db`` returns the ``--db`` option's value."""
    user_app = typer.Typer(no_args_is_help=True, help="User accounts.")
    app.add_typer(user_app, name="user")

    @app.command()
    @handled
    def serve(
        host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
        workers: Annotated[
            int, typer.Option(min=1, help="worker processes (one per core for a busy server)")
        ] = 1,
        ssl_certfile: Annotated[str | None, typer.Option(help="TLS certificate (PEM)")] = None,
        ssl_keyfile: Annotated[str | None, typer.Option(help="TLS private key (PEM)")] = None,
    ) -> None:
        """Serve the REST API (/api/v1, OpenAPI at /api/v1/docs) with uvicorn."""
        import uvicorn

        url = resolve_url(db())
        Workspace.open(url).require_initialised()
        os.environ[URL_ENV] = url  # the worker processes open the same ledger
        scheme = "https" if ssl_certfile else "http"
        console.print(f"serving {Workspace.open(url).db.url}", soft_wrap=True)
        console.print(f"  web application  {scheme}://{host}:{port}/", soft_wrap=True)
        console.print(f"  REST API         {scheme}://{host}:{port}/api/v1 (docs: /api/v1/docs)")
        uvicorn.run(
            "esgledger.api.server:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            ssl_certfile=ssl_certfile,
            ssl_keyfile=ssl_keyfile,
            log_level="warning",
        )

    @user_app.command("add")
    @handled
    def user_add(
        username: str,
        role: Annotated[str, typer.Option(help="one of " + ", ".join(ROLES))],
        entity: Annotated[
            list[str] | None,
            typer.Option(
                "--entity", help="entity the user is assigned (repeatable; with its sub-entities)"
            ),
        ] = None,
    ) -> None:
        """Create a user. The password comes from ESGLEDGER_PASSWORD, or is asked for."""
        if role not in ROLES:
            raise Invalid(f"unknown role {role!r}; one of {', '.join(ROLES)}", field="role")
        password = os.environ.get(PASSWORD_ENV)
        if not password:
            if not sys.stdin.isatty():
                raise Invalid(
                    f"no password: set {PASSWORD_ENV} or run the command in a terminal",
                    field="password",
                )
            password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
        workspace = Workspace.open(db())
        workspace.require_initialised()
        info = Collaboration(workspace).create_user(None, username, password, role, entity or [])
        scope = f" for {', '.join(info.entities)}" if info.entities else ""
        console.print(f"user {info.username} created with role {info.role}{scope}")
