"""One order, one trace: intake's request, and each service's consumption of the events it
caused, on a real broker; the trace context travels in the outbox rows' `traceparent`."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from bestil.services import SERVICES
from shared import tracing
from shared.settings import TracingSettings
from tests.spans import memory_spans, service_of  # noqa: F401 (the `spans` fixture)
from tests.support import eventually, traffic_order

pytestmark = [pytest.mark.integration, pytest.mark.broker("tansu")]


def _consumed(
    found: list[ReadableSpan], service: str, topic: str, order_id: str
) -> ReadableSpan | None:
    for span in found:
        attributes = span.attributes or {}
        if (
            service_of(span) == service
            and span.kind == SpanKind.CONSUMER
            and attributes.get("messaging.destination.name") == topic
            and attributes.get("bestil.order_id") == order_id
        ):
            return span
    return None


async def test_one_orders_trace_spans_intake_routing_screening_and_notifications(
    spans,
    start_service,
) -> None:
    running = {name: await start_service(name) for name in SERVICES}
    for name, service in running.items():
        # a no-op where create_app instruments already (every service's main.py, issue 12)
        tracing.instrument_app(service.app, name, TracingSettings(exporter="console"))

    response = await running["intake"].client.post("/api/v1/orders", json=traffic_order())
    assert response.status_code == 201
    order_id = response.json()["order_id"]

    wanted = [
        ("routing", "orders.submitted.v1"),
        ("screening", "orders.submitted.v1"),
        ("notifications", "orders.submitted.v1"),
        ("screening", "orders.routed.v1"),
        ("notifications", "orders.routed.v1"),
        ("intake", "orders.routed.v1"),
    ]

    async def all_consumed() -> dict[tuple[str, str], ReadableSpan] | None:
        found = list(spans.get_finished_spans())
        got = {key: _consumed(found, *key, order_id) for key in wanted}
        return got if all(got.values()) else None  # type: ignore[return-value]

    consumed = await eventually(all_consumed, within=60, what="every service's consumer span")
    [request] = [
        s
        for s in spans.get_finished_spans()
        if service_of(s) == "intake" and s.kind == SpanKind.SERVER
    ]
    assert request.name == "POST /api/v1/orders"

    trace_id = request.context.trace_id
    assert {s.context.trace_id for s in consumed.values()} == {trace_id}
    assert {service_of(s) for s in (request, *consumed.values())} == set(SERVICES)

    def parent_of(span: ReadableSpan) -> int | None:
        return span.parent.span_id if span.parent is not None else None

    # the request staged OrderSubmitted: every consumer of it is the request's child
    for service in ("routing", "screening", "notifications"):
        assert parent_of(consumed[(service, "orders.submitted.v1")]) == request.context.span_id
    # routing's consumption staged OrderRouted: its consumers are routing's children
    routing = consumed[("routing", "orders.submitted.v1")]
    for service in ("screening", "notifications", "intake"):
        assert parent_of(consumed[(service, "orders.routed.v1")]) == routing.context.span_id
    attributes = consumed[("notifications", "orders.routed.v1")].attributes or {}
    assert attributes["messaging.system"] == "kafka"
    assert attributes["bestil.event_type"] == "OrderRouted"
