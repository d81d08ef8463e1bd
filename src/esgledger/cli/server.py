"""``esgledger serve`` (the API and web UI under uvicorn) and ``esgledger user ...``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from esgledger.cli.common import acting, console, handled, password, services
from esgledger.service_errors import Invalid
from esgledger.services import ROLES, serve_environment


def _new_password(no_password: bool) -> str | None:
    if no_password:
        return None
    return password(
        "password",
        "no password (or give --no-password for an account that acts on the command line only)",
        confirm=True,
    )


def register(app: typer.Typer) -> None:
    """Add the commands to the main CLI."""
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
        """Serve the web application and the REST API (/api/v1, OpenAPI at /api/v1/docs)."""
        import uvicorn

        svc = services()
        svc.require_initialised()
        serve_environment(svc)  # the worker processes open the same ledger
        scheme = "https" if ssl_certfile else "http"
        console.print(f"serving {svc.db.url}", soft_wrap=True)
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

    @app.command("grant-server-role")
    @handled
    def grant_server_role(role: str) -> None:
        """PostgreSQL: let ROLE, a role that does not own the tables, run the server: SELECT and
        INSERT on the audit log (never UPDATE or DELETE), SELECT, INSERT, UPDATE and DELETE on the
        other tables, the id sequences. Run it as the owner after 'init', and after upgrades."""
        svc = services()
        statements = svc.grant_server_role(role)
        for statement in statements:
            console.print(escape(statement), highlight=False)
        console.print(f"{escape(role)} may run the server on {svc.db.url}", highlight=False)

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
        no_password: Annotated[
            bool,
            typer.Option(
                "--no-password",
                help="an account for the OS login of the same name, on the command line only",
            ),
        ] = False,
    ) -> None:
        """Create a user. The password comes from ESGLEDGER_PASSWORD, or is asked for. On a
        ledger without any account, the first one is an admin and needs no acting user."""
        if role not in ROLES:
            raise Invalid(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        svc = services()
        svc.require_initialised()
        password = _new_password(no_password)
        if not svc.accounts.has_accounts():
            if role != "admin":
                raise Invalid(
                    "the ledger has no account yet: the first one must be an admin (--role admin)"
                )
            info = svc.accounts.create_first_admin(username, password)
        elif password is None:
            info = svc.accounts.create_without_password(acting(svc), username, role, entity or [])
        else:
            info = svc.accounts.create(acting(svc), username, password, role, entity or [])
        scope = f" for {', '.join(info.entities)}" if info.entities else ""
        console.print(f"user {escape(info.username)} created with role {info.role}{scope}")

    @user_app.command("password")
    @handled
    def user_password(username: str) -> None:
        """Set the password of an account (an admin, or yourself); it signs the account out
        everywhere."""
        svc = services()
        password = _new_password(False)
        assert password is not None
        svc.accounts.change_password(acting(svc), username, password)
        console.print(f"password of {escape(username)} set")

    @user_app.command("list")
    @handled
    def user_list() -> None:
        """Every account, its role, entities and state."""
        svc = services()
        for info in svc.accounts.users(acting(svc)):
            scope = f" [{', '.join(info.entities)}]" if info.entities else ""
            state_text = "" if info.active else " (deactivated)"
            console.print(f"{escape(info.username)}  {info.role}{escape(scope)}{state_text}")
