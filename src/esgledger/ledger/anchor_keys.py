"""Signing anchors with a key the operator holds: Ed25519 (RFC 8032) through the ``cryptography``
package.

A signed anchor cannot be forged by whoever can write the database, nor altered where it is kept:
``audit verify --anchor FILE --public-key PUB`` refuses an anchor whose signature does not verify
with the operator's public key. The private key is written unencrypted (PKCS #8 PEM, mode 0600):
keep it off the server, with whoever takes the anchors.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, replace

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from esgledger.ledger.anchors import ALGORITHM, Anchor, Signature
from esgledger.service_errors import Invalid


@dataclass(frozen=True)
class KeyPair:
    """A new signing key: the private key and its public key, both PEM."""

    private_pem: bytes
    public_pem: bytes
    fingerprint: str  # SHA-256 of the raw public key, as a signature names it


def new_key_pair() -> KeyPair:
    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    return KeyPair(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        fingerprint(public),
    )


def fingerprint(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def sign(anchor: Anchor, private_pem: bytes, source: str = "the key") -> Anchor:
    """The anchor with an Ed25519 signature of its other fields."""
    try:
        private = serialization.load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise Invalid(
            f"{source} is not a private key in PEM form without a passphrase (write one with "
            f"'esgledger audit keygen'): {exc}",
            field="key",
        ) from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise Invalid(f"{source} is not an Ed25519 key", field="key")
    value = base64.b64encode(private.sign(anchor.signed_text())).decode()
    signature = Signature(ALGORITHM, fingerprint(private.public_key()), value)
    return replace(anchor, signature=signature)


def load_public_key(public_pem: bytes, source: str = "the public key") -> Ed25519PublicKey:
    try:
        public = serialization.load_pem_public_key(public_pem)
    except (ValueError, TypeError) as exc:
        raise Invalid(
            f"{source} is not a public key in PEM form (the .pub file 'esgledger audit keygen' "
            f"wrote): {exc}",
            field="public_key",
        ) from exc
    if not isinstance(public, Ed25519PublicKey):
        raise Invalid(f"{source} is not an Ed25519 public key", field="public_key")
    return public


def check_signature(anchor: Anchor, public: Ed25519PublicKey, key_source: str) -> None:
    """Refuse ``anchor`` unless ``public`` verifies its signature."""
    signature = anchor.signature
    if signature is None:
        raise Invalid(
            f"{anchor.source} is not signed, and {key_source} was given: sign anchors with "
            "'esgledger audit anchor --sign KEY'",
            field="signature",
        )
    expected = fingerprint(public)
    if signature.key != expected:
        raise Invalid(
            f"{anchor.source} was signed by another key (fingerprint {signature.key[:16]}…), not "
            f"by {key_source} ({expected[:16]}…)",
            field="signature",
        )
    try:
        public.verify(base64.b64decode(signature.value), anchor.signed_text())
    except InvalidSignature as exc:
        raise Invalid(
            f"the signature of {anchor.source} does not verify with {key_source}: the anchor was "
            "altered after it was signed",
            field="signature",
        ) from exc
