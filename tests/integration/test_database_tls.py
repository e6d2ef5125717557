"""On the real PostgreSQL server (Debian's offers TLS): a loopback connection goes without it,
and one whose URL asks for TLS gets it. Skipped on SQLite, which has no connection to encrypt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import MetaData, text

from shared.db import Database
from tests.conftest import use_postgres

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
