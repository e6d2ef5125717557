"""What an operator sees of a service: the event's ids on its handlers' log lines, handler
timings, a consumer span continuing the staging request's trace, deadline breaches counted,
and /metrics on a port of its own rather than on the (maybe public) main port."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import httpx
from opentelemetry.trace import SpanKind
from prometheus_client import REGISTRY

from shared.clock import utcnow
from shared.http import MetricsServer
from shared.logs import JsonFormatter
from shared.metrics import HANDLER_SECONDS
from shared.topics import ORDER_SUBMITTED
from tests.handlers.test_deadlines import _at, _routed
from tests.spans import memory_spans  # noqa: F401 (the `spans` fixture)
from tests.support import free_port, submitted_event


class _Lines(logging.Handler):
    """Formats at emit time, while the handler's log context is still set."""

    def __init__(self) -> None:
        super().__init__()
        self.formatter = JsonFormatter("routing")
        self.lines: list[dict[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


async def test_every_line_a_handler_logs_carries_the_events_correlation_and_event_id(
    harness,
) -> None:
    h = await harness("routing")
    model, handler = h.runtime.consumer.handlers[ORDER_SUBMITTED.name]

    async def logging_handler(session, event) -> None:
        logging.getLogger("tests.routing").warning("routing %s", event.reference)
        await handler(session, event)

    h.runtime.consumer.handlers[ORDER_SUBMITTED.name] = (model, logging_handler)
    lines = _Lines()
    logging.getLogger("tests.routing").addHandler(lines)
    try:
        order = submitted_event()
        await h.deliver(order)
    finally:
        logging.getLogger("tests.routing").removeHandler(lines)
    [line] = lines.lines
    assert line["correlation_id"] == order.correlation_id
    assert line["event_id"] == str(order.event_id)


async def test_handler_durations_are_recorded_per_service_and_event_type(harness) -> None:
    h = await harness("routing")
    series = HANDLER_SECONDS.series("routing", "OrderSubmitted")
    before = sum(series.counts)
    for _ in range(3):
        await h.deliver(submitted_event())
    assert sum(series.counts) - before == 3
    assert series.total > 0


async def test_consumed_event_continues_the_trace_its_outbox_row_carried(harness, spans) -> None:
    h = await harness("routing")
    order = submitted_event()
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    await h.broker.publish(
        order.model_dump_json().encode(),
        ORDER_SUBMITTED.name,
        key=str(order.order_id).encode(),
        headers={"traceparent": parent},
    )
    [span] = [s for s in spans.get_finished_spans() if s.kind == SpanKind.CONSUMER]
    assert span.context.trace_id == 0x0AF7651916CD43DD8448EB211C80319C
    assert span.parent is not None and span.parent.span_id == 0xB7AD6B7169203331
    assert span.name == "orders.submitted.v1 process"
    assert span.attributes is not None
    assert span.attributes["messaging.system"] == "kafka"
    assert span.attributes["messaging.destination.name"] == ORDER_SUBMITTED.name
    assert span.attributes["bestil.event_type"] == "OrderSubmitted"
    assert span.attributes["bestil.order_id"] == str(order.order_id)
    [routed] = await h.staged()
    [headers] = await _outbox_headers(h)
    assert headers["traceparent"].split("-")[1] == "0af7651916cd43dd8448eb211c80319c"
    assert headers["traceparent"].split("-")[2] == f"{span.context.span_id:016x}"
    assert headers["ce_id"] == str(routed.event_id)


async def _outbox_headers(h) -> list[dict[str, str]]:
    from sqlalchemy import select

    from shared.messaging.store import outbox_headers

    async with h.db.reading() as session:
        result = await session.exec(select(h.runtime.relay.store.outbox.c.headers))
        return [outbox_headers(row[0]) for row in result.all()]


async def test_metrics_answer_404_on_the_main_port_outside_dev(harness, client_for) -> None:
    production = await harness("routing", metrics_on_main_port=None)
    dev = await harness("notifications", metrics_on_main_port=None, environment="dev")
    assert (await client_for(production).get("/metrics")).status_code == 404
    assert (await client_for(production).get("/healthz")).status_code == 200
    assert (await client_for(dev).get("/metrics")).status_code == 200


async def test_metrics_port_serves_the_outbox_backlog_and_its_age(harness) -> None:
    h = await harness("routing", metrics_port=free_port())
    async with h.db.transaction() as session:
        await h.runtime.relay.store.enqueue(
            session, submitted_event(), now=utcnow() - timedelta(seconds=90)
        )
    server: MetricsServer = h.app.state.metrics
    await server.start()
    try:
        url = f"http://127.0.0.1:{server.settings.metrics_port}/metrics"
        async with httpx.AsyncClient() as client:
            text = (await client.get(url)).text
    finally:
        await server.stop()
    assert 'bestil_outbox_pending{service="routing"} 1.0' in text
    age = REGISTRY.get_sample_value("bestil_outbox_oldest_age_seconds", {"service": "routing"})
    assert age is not None and 90 <= age < 120
    assert "bestil_event_handler_duration_seconds" in text


async def test_deadline_breaches_are_counted_by_kind_and_district(harness) -> None:
    h = await harness("notifications")
    labels = {"kind": "decision", "state": "breached", "district": "1461"}
    before = REGISTRY.get_sample_value("bestil_deadline_alerts_total", labels) or 0.0
    order = submitted_event(now=h.clock())
    await h.deliver(order)
    await h.deliver(_routed(order))
    assert await _at(h, order.decision_due + timedelta(minutes=1)) == 1  # no warning after it
    after = REGISTRY.get_sample_value("bestil_deadline_alerts_total", labels)
    assert after == before + 1
