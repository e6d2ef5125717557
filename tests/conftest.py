"""Fixtures shared by every layer: databases (SQLite, or PostgreSQL when asked) and brokers.

`BESTIL_TEST_DATABASE=postgresql` runs every database-backed test against the PostgreSQL
server at `BESTIL_TEST_POSTGRES` (default postgresql://postgres@127.0.0.1:5432), each test
in databases of its own that are dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from tests.brokers import Broker, running_broker

POSTGRES = os.environ.get("BESTIL_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def use_postgres() -> bool:
    return os.environ.get("BESTIL_TEST_DATABASE", "sqlite").startswith("postgres")


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(f"{POSTGRES}/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[Callable[[str], str]]:
    """A factory: `database_url("intake")` gives that service a fresh database for this test."""
    created: list[str] = []

    def make(service: str) -> str:
        if not use_postgres():
            return f"sqlite+aiosqlite:///{tmp_path / f'{service}.db'}"
        name = f"bestil_test_{service}_{uuid.uuid4().hex[:10]}"
        created.append(name)
        return f"{POSTGRES.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"

    class Factory:
        async def __call__(self, service: str) -> str:
            url = make(service)
            if use_postgres():
                await _admin(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"')
            return url

    yield Factory()  # type: ignore[misc]
    for name in created:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def kafka(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Broker]:
    """A real Kafka-protocol broker of this test's own (tests/brokers.py says which)."""
    marker = request.node.get_closest_marker("broker")
    with running_broker(tmp_path, marker.args[0] if marker else None) as broker:
        yield broker


def bootstrap_of(kafka: Broker | str) -> str:
    return kafka if isinstance(kafka, str) else kafka.bootstrap


@pytest.fixture
def reference_dir() -> Path | None:
    from tests.reference_data import reference_data_dir

    return reference_data_dir()
