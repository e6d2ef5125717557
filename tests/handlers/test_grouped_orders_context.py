"""Orders committed together in one group keep their own request's trace and correlation id."""

from __future__ import annotations

import asyncio
import json

from opentelemetry.trace import SpanKind
from sqlalchemy import select

from shared.messaging.store import outbox_headers
from tests.spans import memory_spans  # noqa: F401
from tests.support import traffic_order


async def test_each_grouped_order_keeps_its_own_trace(harness, client_for, spans) -> None:
    h = await harness("intake", rate_limit_per_minute=1000)
    client = client_for(h)
    responses = await asyncio.gather(
        *[client.post("/api/v1/orders", json=traffic_order()) for _ in range(8)]
    )
    assert all(r.status_code == 201 for r in responses)
    async with h.db.reading() as session:
        rows = (await session.exec(select(h.runtime.relay.store.outbox.c.headers))).all()
    traces = {outbox_headers(r[0])["traceparent"].split("-")[1] for r in rows}
    requests = {
        f"{s.context.trace_id:032x}"
        for s in spans.get_finished_spans()
        if s.kind == SpanKind.SERVER
    }
    assert len(requests) == 8
    assert traces == requests


async def test_each_grouped_order_carries_its_own_correlation_id(harness, client_for) -> None:
    h = await harness("intake", rate_limit_per_minute=1000)
    client = client_for(h)
    ids = [f"req-{n}" for n in range(8)]
    responses = await asyncio.gather(
        *[
            client.post("/api/v1/orders", json=traffic_order(), headers={"X-Correlation-Id": i})
            for i in ids
        ]
    )
    assert [r.headers["x-correlation-id"] for r in responses] == ids
    async with h.db.reading() as session:
        rows = (await session.exec(select(h.runtime.relay.store.outbox.c.payload))).all()
    assert sorted(json.loads(r[0])["correlation_id"] for r in rows) == sorted(ids)
