"""Opaque cursors for the API's listings: where the next page starts, as a short token.

A cursor is the last row's sort key and the order it was sorted in, as base64url JSON. It is
not secret (it holds a time and an id the caller has already seen) but it is validated as
strictly as any input, so a damaged or hand-made one is a clear 400, never a server error.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from shared.clock import as_utc

BY_DEADLINE = "d"
"""The default order: the decision deadline, then the reference (neither ever changes)."""
BY_CHANGE = "u"
"""With `updated_since`: the order row's last change, then the order id."""


class BadCursorError(ValueError):
    """A cursor this API did not hand out, or one for another kind of listing."""


@dataclass(frozen=True)
class Cursor:
    """The sort key of the last row a page returned."""

    order: str
    at: datetime
    key: str


def encode(cursor: Cursor) -> str:
    text = json.dumps([cursor.order, as_utc(cursor.at).isoformat(), cursor.key])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(token: str, order: str) -> Cursor:
    """The cursor in `token`, which must belong to a listing sorted by `order`."""
    if not token or len(token) > 200:
        raise BadCursorError("the cursor is not one this API handed out")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        kind, at, key = json.loads(raw.decode())
        moment = datetime.fromisoformat(at)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise BadCursorError("the cursor is not one this API handed out") from None
    if kind not in (BY_DEADLINE, BY_CHANGE) or not isinstance(key, str) or moment.tzinfo is None:
        raise BadCursorError("the cursor is not one this API handed out")
    if kind != order:
        with_or_without = "without" if kind == BY_DEADLINE else "with"
        raise BadCursorError(
            f"the cursor belongs to a listing {with_or_without} updated_since: "
            "ask again the way the first page was asked for"
        )
    if kind == BY_CHANGE:
        try:
            uuid.UUID(key)
        except ValueError:
            raise BadCursorError("the cursor is not one this API handed out") from None
    return Cursor(kind, as_utc(moment), key)
