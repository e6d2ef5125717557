"""Sign-in rules that need no I/O: CSRF tokens, lock-out after failed sign-ins, safe redirects,
the client's address behind trusted proxies."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing token on either side never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def locked_until(
    failures: Sequence[datetime], now: datetime, *, max_failures: int, minutes: int
) -> datetime | None:
    """When an account with these failed sign-ins opens again, or None if it is open now.

    The account locks once `max_failures` failures fall within a window of `minutes`, and
    stays locked for `minutes` after the failure that locked it. Failures while locked are
    not counted by the caller, so nobody can keep an account locked for ever by guessing.
    """
    if max_failures <= 0:
        return None
    window = timedelta(minutes=minutes)
    recent = sorted(f for f in failures if now - f < window * 2)
    for i in range(len(recent) - max_failures + 1):
        first, last = recent[i], recent[i + max_failures - 1]
        if last - first < window and now < last + window:
            return last + window
    return None


def address_waits(failures: int, *, max_failures: int) -> bool:
    """Whether a client address with this many recent failed sign-ins must wait."""
    return max_failures > 0 and failures >= max_failures


def client_address(peer: str, forwarded_for: Sequence[str], hops: int) -> str:
    """The socket's peer, or behind `hops` trusted proxies the address the outermost one
    appended to X-Forwarded-For. The addresses left of it are whatever the client chose to
    send, so they are never used."""
    if hops == 0:
        return peer[:64]
    forwarded = [a.strip() for header in forwarded_for for a in header.split(",") if a.strip()]
    if not forwarded:
        return peer[:64]
    # Fewer addresses than proxies: the request passed fewer of them; the leftmost was
    # appended by the first proxy it did pass.
    return forwarded[-hops if len(forwarded) >= hops else 0][:64]


def safe_next(target: str | None) -> str:
    """A path on this site to return to after sign-in; anything else goes to the queue."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
