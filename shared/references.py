"""Citizen-facing references and status tokens: random, unguessable, never derived from data."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence

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


def status_token_valid(reference: str, token: str, keys: str | Sequence[str]) -> bool:
    """Whether `token` is the reference's token under any of `keys`: the current key and
    those a rotation retired (`CitizenLinkSettings.verifying_secrets`), so old links still open.

    Every key is compared, in constant time, so the answer's timing tells nothing.
    """
    given = token.encode()
    valid = False
    for key in [keys] if isinstance(keys, str) else keys:
        valid |= hmac.compare_digest(status_token(reference, key).encode(), given)
    return valid


def status_url(public_url: str, reference: str, secret: str) -> str:
    return f"{public_url.rstrip('/')}/status/{reference}?token={status_token(reference, secret)}"


def hash_token(token: str) -> str:
    """Tokens are stored only as hashes, so a leaked database reveals no status links."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_uuid(text: str) -> bool:
    """Whether a caller's text is a UUID: form ids and parked event ids come from outside."""
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
