"""A service's own database: SQLite file by default, PostgreSQL when its URL says so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, Table, TypeDecorator, event, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.clock import as_utc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Database:
    """One engine per service; every unit of work is one transaction."""

    def __init__(self, url: str, metadata: MetaData, *, echo: bool = False) -> None:
        self.url = url
        self.metadata = metadata
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            # One connection: SQLite serialises writers anyway, and a single connection
            # avoids "database is locked" when a reading transaction upgrades to a write.
            kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
        else:
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def create_all(self) -> None:
        if self.is_sqlite:
            from pathlib import Path

            path = self.url.split(":///", 1)[1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        async with self.engine.begin() as conn:
            await conn.run_sync(self.metadata.create_all)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits on success and rolls back on any error.

        Rows staged with `stage_insert` are written in one statement per table just before
        the commit: a batch of events costs a few round trips, not a few per event.
        """
        async with AsyncSession(self.engine, expire_on_commit=False) as session:
            async with session.begin():
                yield session
                await flush_staged(session)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        async with AsyncSession(self.engine, expire_on_commit=False) as session:
            yield session

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()


_STAGED = "bestil_staged_inserts"


def stage_insert(session: AsyncSession, table: Table, row: dict[str, Any]) -> None:
    """Insert `row` into `table` when the transaction commits (in staging order)."""
    session.info.setdefault(_STAGED, {}).setdefault(table, []).append(row)


def staged(session: AsyncSession, table: Table) -> list[dict[str, Any]]:
    return list(session.info.get(_STAGED, {}).get(table, []))


async def flush_staged(session: AsyncSession) -> None:
    for table, rows in session.info.pop(_STAGED, {}).items():
        if rows:
            await execute(session, insert(table), rows)


async def execute(session: AsyncSession, statement: Any, params: Any = None) -> Any:
    """Run a Core statement in the session's transaction (SQLModel's `exec` is for ORM selects)."""
    connection = await session.connection()
    return await connection.execute(statement, params)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and read back as aware UTC, on SQLite as on PostgreSQL.

    SQLite keeps no offset: an aware time in another zone (an officer's +01:00) would come
    back as if it were UTC. Converting on the way in makes every service agree.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return as_utc(value) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return as_utc(value) if value is not None else None
