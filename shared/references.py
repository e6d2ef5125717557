"""Citizen-facing references and status tokens: random, unguessable, never derived from data."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    """`BEB-` and 8 Crockford base32 characters (40 random bits)."""
    return "BEB-" + "".join(secrets.choice(CROCKFORD) for _ in range(8))


def new_token() -> str:
    return secrets.token_urlsafe(24)


def status_token(reference: str, secret: str) -> str:
    """The token in a citizen's status link: a keyed hash of the reference, nothing stored."""
    digest = hmac.new(secret.encode(), reference.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def status_token_valid(reference: str, token: str, secret: str) -> bool:
    return hmac.compare_digest(status_token(reference, secret).encode(), token.encode())


def status_url(public_url: str, reference: str, secret: str) -> str:
    return f"{public_url.rstrip('/')}/status/{reference}?token={status_token(reference, secret)}"


def hash_token(token: str) -> str:
    """Tokens are stored only as hashes, so a leaked database reveals no status links."""
    return hashlib.sha256(token.encode()).hexdigest()
