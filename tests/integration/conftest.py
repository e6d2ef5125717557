"""Integration: services in this process, against a real broker and a real database."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tests.conftest import bootstrap_of
from tests.handlers.conftest import SETTINGS

pytestmark = pytest.mark.integration


class Running:
    """One service running in-process with its lifespan: broker connection, relay, consumer."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.db = app.state.db
        self.runtime = app.state.runtime
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        )


@pytest.fixture
async def start_service(kafka, database_url, tmp_path) -> AsyncIterator[Callable[..., Any]]:
    stack = contextlib.AsyncExitStack()
    urls: dict[str, str] = {}

    async def start(
        name: str,
        *,
        bootstrap: str | None = None,
        broker: str | None = None,
        clock: Any = None,
        **overrides: Any,
    ) -> Running:
        if name not in urls:
            urls[name] = await database_url(name)
        settings = getattr(importlib.import_module(f"services.{name}.settings"), SETTINGS[name])(
            database_url=urls[name], var_dir=tmp_path / "var", **overrides
        )
        settings.kafka.bootstrap = bootstrap or bootstrap_of(kafka)
        settings.kafka.broker = broker or kafka.kind
        settings.kafka.retry_backoff_ms = 10
        settings.kafka.outbox_poll_ms = 100
        module = importlib.import_module(f"services.{name}.main")
        app = module.create_app(settings, clock=clock) if clock else module.create_app(settings)
        await stack.enter_async_context(app.router.lifespan_context(app))
        running = Running(app)
        stack.push_async_callback(running.client.aclose)
        return running

    yield start
    await stack.aclose()


async def stop(running: Running) -> None:
    """Stop a service early (its lifespan's exit also runs at the end; it is idempotent)."""
    await running.runtime.stop()


@pytest.fixture
async def raw_producer(kafka) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_of(kafka), acks="all")
    await producer.start()
    yield producer
    await producer.stop()


async def read_all(bootstrap: str, topic: str, *, at_least: int, within: float = 30.0) -> list[Any]:
    """Every record of a topic from its beginning, once `at_least` of them are there."""
    import asyncio
    import time

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=10,
    )
    await consumer.start()
    records: list[Any] = []
    deadline = time.monotonic() + within
    try:
        while len(records) < at_least and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
        await asyncio.sleep(0.3)  # anything more, e.g. a duplicate, would be right behind
        for part in (await consumer.getmany(timeout_ms=300)).values():
            records.extend(part)
    finally:
        await consumer.stop()
    return records
