"""On the real PostgreSQL server (Debian's offers TLS): a loopback connection goes without it,
one whose URL asks for TLS gets it, and an idle connection the server dropped is replaced
before anyone uses it. Skipped on SQLite, which has no connection to encrypt or drop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import MetaData, text

from shared.db import Database
from shared.pg_connections import IDLE_PING_SECONDS
from tests.conftest import _admin, use_postgres

pytestmark = pytest.mark.skipif(not use_postgres(), reason="SQLite has no connection to encrypt")


async def uses_tls(url: str) -> bool | None:
    db = Database(url, MetaData())
    try:
        async with db.engine.connect() as conn:
            result = await conn.execute(
                text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            )
            return result.scalar()
    finally:
        await db.dispose()


async def test_loopback_goes_without_tls_unless_the_url_asks(
    database_url: Callable[..., Any],
) -> None:
    url = await database_url("routing")
    assert await uses_tls(url) is False
    assert await uses_tls(url.replace("127.0.0.1", "localhost")) is False
    if await _server_offers_tls(url):
        assert await uses_tls(f"{url}?ssl=require") is True


async def _server_offers_tls(url: str) -> bool:
    db = Database(url, MetaData())
    try:
        async with db.engine.connect() as conn:
            return (await conn.execute(text("SHOW ssl"))).scalar() == "on"
    finally:
        await db.dispose()


async def test_an_idle_connection_the_server_dropped_is_replaced_before_use(
    database_url: Callable[..., Any],
) -> None:
    """No `pool_pre_ping` (three round trips per transaction): a connection idle for longer
    than `IDLE_PING_SECONDS` is pinged at checkout, and a dead one replaced unseen."""
    db = Database(await database_url("routing"), MetaData())
    try:
        async with db.engine.connect() as conn:
            first = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar()
        async with db.engine.connect() as conn:  # used a moment ago: the same, not pinged
            assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar() == first
        await _admin(f"SELECT pg_terminate_backend({int(first)})")
        await asyncio.sleep(IDLE_PING_SECONDS + 0.2)
        async with db.engine.connect() as conn:
            again = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar()
        assert again != first
    finally:
        await db.dispose()
