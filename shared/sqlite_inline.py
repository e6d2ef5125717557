"""SQLite through aiosqlite's interface, run on the event loop's own thread.

aiosqlite hands every call (each statement, fetch and commit) to a worker thread and waits to
be woken: measured here at 0.5 ms a statement, so a consumer's transaction of six statements
cost 6–11 ms of waiting while SQLite itself needed well under one (bench/consumer_batch.py,
docs/benchmarks.md). A service owns its SQLite file and uses one connection (shared/db.py),
so there is nothing for the thread to run beside: the calls now run where they are awaited.

The price: a long query or a lock held by another process (`bestil erase`, a migration) now
pauses the whole process instead of its database calls only; with one connection, its HTTP
requests and consumer waited for that query anyway. `BESTIL_SQLITE_THREAD=true` brings
aiosqlite's thread back. PostgreSQL (asyncpg) is untouched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiosqlite
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


class SqliteSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BESTIL_SQLITE_", extra="ignore")

    thread: bool = Field(
        False,
        description="Run SQLite calls on aiosqlite's worker thread (slower; the process "
        "keeps serving while a long query runs)",
    )


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run at once, in the caller's thread."""

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Any:  # no thread to start
        return self._connect().__await__()

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        self.stop()


def creator(url: str) -> Callable[[], Awaitable[InlineConnection]] | None:
    """An `async_creator` for `create_async_engine`, or None to keep aiosqlite's thread."""
    if SqliteSettings().thread:
        return None
    parsed = make_url(url)
    args, kwargs = parsed.get_dialect()().create_connect_args(parsed)
    kwargs["check_same_thread"] = False  # the pool may close it from elsewhere at exit
    connect = partial(sqlite3.connect, *args, **kwargs)

    async def open_connection() -> InlineConnection:
        return await InlineConnection(connect, 64)

    return open_connection
