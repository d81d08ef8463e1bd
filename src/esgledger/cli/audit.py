"""``esgledger audit ...``: verify the chain and the tables (against anchors kept elsewhere), take
an anchor of the chain head, and make the key that signs anchors."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from esgledger.cli.common import acting, console, handled, services
from esgledger.cli.render import print_verify
from esgledger.service_errors import Invalid
from esgledger.services.audit import load_anchor, new_signing_key, parse_head


def _write_new(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write a file that must not exist yet (an anchor or a key is never overwritten)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError as exc:
        raise Invalid(f"{path} exists already: choose another file name", field="output") from exc
    except OSError as exc:
        raise Invalid(f"cannot write {path}: {exc.strerror}", field="output") from exc
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def _read_key(path: Path, what: str) -> bytes:
    if not path.is_file():
        raise Invalid(f"no {what} file at {path}", field=what.replace(" ", "_"))
    return path.read_bytes()[: 64 * 1024]


def register(app: typer.Typer) -> None:
    audit_app = typer.Typer(no_args_is_help=True, help="The hash-chained audit log.")
    app.add_typer(audit_app, name="audit")

    @audit_app.command("verify")
    @handled
    def audit_verify(
        anchor: Annotated[
            list[Path] | None,
            typer.Option(
                "--anchor",
                help="an anchor file ('audit anchor') the log must still extend (repeatable)",
            ),
        ] = None,
        head: Annotated[
            list[str] | None,
            typer.Option(
                "--head",
                help="SEQ:HASH, a chain head as a report prints it, that the log must still "
                "extend (repeatable)",
            ),
        ] = None,
        public_key: Annotated[
            Path | None,
            typer.Option(
                "--public-key", help="refuse an anchor not signed by this key ('audit keygen')"
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """Check the audit chain and every table against it; exit 1 at the first entry edited,
        removed or reordered, the first anchor the log no longer extends (entries removed from
        its end, or the chain rewritten), or the first table row that differs from what the log
        wrote."""
        anchors = [load_anchor(path) for path in anchor or []]
        anchors += [parse_head(text) for text in head or []]
        key = None if public_key is None else _read_key(public_key, "public key")
        svc = services()
        result = svc.audit.verify(acting(svc), anchors, key, str(public_key))
        if as_json:
            print(json.dumps(result.as_dict()))
        else:
            print_verify(console, result)
        if not result.ok:
            raise typer.Exit(1)

    @audit_app.command("anchor")
    @handled
    def audit_anchor(
        output: Annotated[
            Path | None,
            typer.Option("-o", "--output", help="write the anchor to this new file"),
        ] = None,
        sign: Annotated[
            Path | None,
            typer.Option("--sign", help="sign it with this private key ('audit keygen')"),
        ] = None,
    ) -> None:
        """Write the chain head down as a small JSON document to keep outside the database (the
        assurer's papers, a ticket): 'audit verify --anchor FILE' then fails if entries were
        removed from the log's end or the chain rewritten. Prints it without --output."""
        key = None if sign is None else _read_key(sign, "key")
        svc = services()
        taken = svc.audit.anchor(acting(svc), key, str(sign))
        if output is None:
            print(taken.to_json(), end="")
            return
        _write_new(output, taken.to_json().encode())
        signed = " (signed)" if taken.signature is not None else ""
        console.print(
            f"anchor of entry {taken.seq} ({taken.hash}) written to {output}{signed}",
            highlight=False,
        )

    @audit_app.command("keygen")
    @handled
    def audit_keygen(
        output: Annotated[
            Path,
            typer.Option("-o", "--output", help="the private key file to write (new)"),
        ],
    ) -> None:
        """Make an Ed25519 key to sign anchors with: the private key (PEM, readable by you only)
        at OUTPUT, the public key at OUTPUT.pub. Keep the private key off the server."""
        public_path = output.with_name(output.name + ".pub")
        if public_path.exists():
            raise Invalid(f"{public_path} exists already: choose another file name")
        pair = new_signing_key()
        _write_new(output, pair.private_pem, 0o600)
        _write_new(public_path, pair.public_pem)
        console.print(
            f"private key written to {output}, public key to {public_path} "
            f"(fingerprint {pair.fingerprint})",
            highlight=False,
        )
