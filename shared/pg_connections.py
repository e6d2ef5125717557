"""How a service's PostgreSQL connections are opened and checked: what each round trip costs.

Measured on a batch of one event (`bench.consumer_batch --batch 1 --db postgresql`): TLS on
loopback took 30 % of routing's CPU per batch, and SQLAlchemy's `pool_pre_ping` sends three
statements (BEGIN, `;`, ROLLBACK) before every transaction, 6–11 % of a consumer's samples.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError

#: Hosts whose traffic never leaves this machine.
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})

#: A pooled connection unused for longer than this is pinged before it is handed out.
IDLE_PING_SECONDS = 1.0
_CHECKED_IN = "bestil_checked_in"


def is_loopback_without_tls_choice(url: str) -> bool:
    """A PostgreSQL URL on this machine that leaves TLS to asyncpg's default ("prefer").

    On loopback TLS protects nothing (Debian's server offers it, so "prefer" took it). A URL
    that names `ssl` or `sslmode` is the operator's choice and kept; a remote host keeps
    asyncpg's default.
    """
    parsed = make_url(url)
    if "ssl" in parsed.query or "sslmode" in parsed.query:
        return False
    host = parsed.host
    return host is None or host in _LOOPBACK or host.startswith("/")


def ping_when_idle(engine: Engine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Ping a pooled connection before use only if it sat idle: a restarted server is found
    before the work starts, as with `pool_pre_ping`, without three round trips per transaction
    on a connection used a moment ago.

    A connection that broke while in use still fails that one transaction: SQLAlchemy then
    invalidates the whole pool, and the consumers retry (shared/messaging/consumer.py).
    """

    @event.listens_for(engine, "checkin")
    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_CHECKED_IN, None)
        if since is None or time.monotonic() - since <= idle_seconds:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:  # the pool discards it and opens another
            raise DisconnectionError(f"idle connection gone: {type(exc).__name__}") from exc
