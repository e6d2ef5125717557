"""Observability's pieces on their own: the lock-free histogram, consumer lag from the client's
state, HTTP spans without personal data, tracing off by default, the outbox's trace header."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
from aiokafka.structs import TopicPartition
from fastapi import FastAPI
from opentelemetry.trace import SpanKind
from prometheus_client import CollectorRegistry

from shared import tracing
from shared.metrics import LoopHistogram
from shared.settings import TracingSettings
from tests.spans import memory_spans  # noqa: F401 (the `spans` fixture)


def test_loop_histogram_exposes_cumulative_buckets_sum_and_count() -> None:
    histogram = LoopHistogram("unit_seconds", "a test", ("service", "event_type"), (0.01, 0.1))
    registry = CollectorRegistry()
    registry.register(histogram)
    series = histogram.series("routing", "OrderSubmitted")
    for seconds in (0.005, 0.01, 0.05, 3.0):
        series.observe(seconds)

    def sample(suffix: str, **extra: str) -> float | None:
        wanted = {"service": "routing", "event_type": "OrderSubmitted", **extra}
        return registry.get_sample_value(f"unit_seconds{suffix}", wanted)

    assert [sample("_bucket", le=le) for le in ("0.01", "0.1", "+Inf")] == [2.0, 3.0, 4.0]
    assert (sample("_count"), sample("_sum")) == (4.0, 3.065)


class _Client:
    """What update_lag reads of an AIOKafkaConsumer: assignment, highwater, positions."""

    def __init__(self, partitions: dict[tuple[str, int], tuple[int | None, int | None]]) -> None:
        self.partitions = partitions
        states = {
            tp: SimpleNamespace(position=pos, has_valid_position=pos is not None)
            for tp, (_hw, pos) in partitions.items()
        }
        assignment = SimpleNamespace(state_value=lambda tp: states[(tp.topic, tp.partition)])
        self._subscription = SimpleNamespace(subscription=SimpleNamespace(assignment=assignment))

    def assignment(self) -> set[TopicPartition]:
        return {TopicPartition(t, p) for t, p in self.partitions}

    def highwater(self, tp: TopicPartition) -> int | None:
        return self.partitions[(tp.topic, tp.partition)][0]


def _lag(topic: str, partition: int) -> float | None:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(
        "bestil_consumer_lag",
        {"service": "unit-lag", "topic": topic, "partition": str(partition)},
    )


def test_consumer_lag_is_highwater_minus_position_and_forgets_revoked_partitions() -> None:
    from shared.messaging.consumer import EventConsumer

    consumer = EventConsumer.__new__(EventConsumer)
    consumer.service, consumer._lag_labels = "unit-lag", set()
    consumer._subscriber = SimpleNamespace(
        consumer=_Client({("a", 0): (120, 100), ("a", 1): (7, 7), ("b", 0): (None, 3)})
    )
    consumer.update_lag()
    assert (_lag("a", 0), _lag("a", 1), _lag("b", 0)) == (20.0, 0.0, None)
    consumer._subscriber.consumer = _Client({("a", 1): (9, 7)})  # a rebalance took a/0
    consumer.update_lag()
    assert (_lag("a", 0), _lag("a", 1)) == (None, 2.0)
    consumer._subscriber.consumer = None  # stopped
    consumer.update_lag()
    assert _lag("a", 1) is None


async def test_tracing_is_off_by_default_and_the_app_is_left_alone() -> None:
    app = FastAPI()
    tracing.instrument_app(app, "unit-test", TracingSettings())
    assert tracing.tracer("unit-test") is None
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)


async def test_http_spans_carry_the_route_but_no_query_address_or_user_agent(spans) -> None:
    app = FastAPI()

    @app.get("/status/{reference}")
    async def status(reference: str) -> dict[str, str]:
        return {"reference": reference}

    tracing.instrument_app(app, "unit-test", TracingSettings(exporter="console"))
    transport = httpx.ASGITransport(app=app, client=("192.0.2.7", 50123))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get(
            "/status/BEB-2026-ABC?token=s3cret-token", headers={"User-Agent": "Mette's phone"}
        )
    assert response.status_code == 200
    [span] = spans.get_finished_spans()
    assert span.kind == SpanKind.SERVER and span.name == "GET /status/{reference}"
    values = " ".join(str(v) for v in (span.attributes or {}).values())
    assert "s3cret-token" not in values and "192.0.2.7" not in values and "Mette" not in values
    assert span.resource.attributes["service.name"] == "unit-test"


async def test_outbox_row_keeps_the_trace_context_beside_its_cloudevents_headers(
    spans,
    tmp_path,
) -> None:
    from sqlalchemy import select

    from services.routing.models import RoutingBase, messages
    from shared.db import Database
    from tests.support import submitted_event

    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}", RoutingBase.metadata)
    await db.create_all()
    provider = tracing.configure("unit-test", TracingSettings(exporter="console"))
    assert provider is not None
    traced, untraced = submitted_event(), submitted_event()
    async with db.transaction() as session:
        with provider.get_tracer("t").start_as_current_span("request") as span:
            await messages.enqueue(session, traced)
        await messages.enqueue(session, untraced)
    async with db.reading() as session:
        rows = {
            row.event_id: row.headers for row in (await session.exec(select(messages.outbox))).all()
        }
    await db.dispose()
    headers = rows[str(traced.event_id)]
    context = span.get_span_context()
    assert headers["traceparent"].startswith(f"00-{context.trace_id:032x}-{context.span_id:016x}-")
    assert headers["ce_id"] == str(traced.event_id) and headers["ce_specversion"] == "1.0"
    assert "traceparent" not in rows[str(untraced.event_id)]
