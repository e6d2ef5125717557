"""Citizen-facing references and status tokens: random, unguessable, never derived from data."""

from __future__ import annotations

import hashlib
import hmac
import secrets

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    """`BEB-` and 8 Crockford base32 characters (40 random bits)."""
    return "BEB-" + "".join(secrets.choice(CROCKFORD) for _ in range(8))


def new_status_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    """Tokens are stored only as hashes, so a leaked database reveals no status links."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, token_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), token_hash)
