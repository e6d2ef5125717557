"""OpenTelemetry traces across the HTTP and Kafka hops, off unless `BESTIL_OTEL_EXPORTER` says.

One tracer provider per service (its `service.name` resource), not the process-global one, so
that the tests can run several services in one process. The transactional outbox breaks the
usual propagation (the relay publishes later, from a task of its own), so the W3C
`traceparent` of the moment an event is staged is stored with its outbox row and sent as a
Kafka header; the consumer continues the trace from there (shared/messaging/consumer.py).
Only the trace context travels: never baggage, which a caller of the public API could fill.
Spans carry ids, references, topics and event types; the HTTP spans are stripped of query
strings, client addresses and user agents.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

from opentelemetry.context import Context
from opentelemetry.propagators.textmap import Getter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Span, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.settings import TracingSettings

log = logging.getLogger(__name__)

_PROPAGATOR = TraceContextTextMapPropagator()
#: The headers an outbox row carries for tracing (W3C Trace Context).
TRACE_HEADERS = frozenset(_PROPAGATOR.fields)

_providers: dict[str, TracerProvider] = {}
_tracers: dict[str, Tracer] = {}

#: Request attributes the ASGI instrumentation records that may identify a citizen or carry a
#: secret (the status link's token is in the query string): emptied on every server span.
_PERSONAL_ATTRIBUTES = (
    "client.address",
    "net.peer.ip",
    "http.client_ip",
    "user_agent.original",
    "http.user_agent",
    "url.query",
)


def exporter_for(settings: TracingSettings) -> SpanExporter | None:
    """The configured exporter (the tests replace this with an in-memory one)."""
    if settings.exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=settings.endpoint)
    if settings.exporter == "console":
        return ConsoleSpanExporter()
    return None


def configure(service: str, settings: TracingSettings) -> TracerProvider | None:
    """Set up (or switch off) this service's tracing; the last call for a service wins."""
    _providers.pop(service, None)
    _tracers.pop(service, None)
    exporter = exporter_for(settings) if settings.enabled else None
    if exporter is None:
        return None
    processor: SpanProcessor = (
        BatchSpanProcessor(exporter)
        if settings.exporter == "otlp"
        else SimpleSpanProcessor(exporter)
    )
    provider = TracerProvider(
        resource=Resource.create({"service.name": service, "service.namespace": "bestil"}),
        sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio)),
    )
    provider.add_span_processor(processor)
    _providers[service] = provider
    _tracers[service] = provider.get_tracer("bestil")
    log.info("%s: tracing on, exporting with %s", service, settings.exporter)
    return provider


def tracer(service: str) -> Tracer | None:
    """The service's tracer, or None while tracing is off (then no span is made at all)."""
    return _tracers.get(service)


def _without_personal_data(span: Span, scope: dict[str, Any]) -> None:
    if not span.is_recording():
        return
    attributes: Mapping[str, Any] = getattr(span, "attributes", None) or {}
    for name in _PERSONAL_ATTRIBUTES:
        if name in attributes:
            span.set_attribute(name, "")
    path = scope.get("path", "")
    if "http.target" in attributes:
        span.set_attribute("http.target", path)
    if "http.url" in attributes:
        span.set_attribute("http.url", str(attributes["http.url"]).split("?", 1)[0])


def instrument_app(app: Any, service: str, settings: TracingSettings) -> None:
    """Trace the app's requests and the service's consumer; nothing at all when tracing is off.

    Called once by each service's `create_app`; an app already instrumented is left as it is.
    """
    if getattr(app.state, "traced", False):
        return
    provider = configure(service, settings)
    app.state.traced = True
    if provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        excluded_urls="/healthz,/readyz,/metrics",
        exclude_spans=["receive", "send"],
        server_request_hook=_without_personal_data,
    )


def inject(headers: MutableMapping[str, str]) -> None:
    """Add the current trace context (`traceparent`, `tracestate`) when there is a span."""
    _PROPAGATOR.inject(headers)


KafkaHeaders = list[tuple[str, bytes]]


class _KafkaHeaders(Getter[KafkaHeaders]):
    """Reads W3C headers straight from a record's header tuples (no dict per record)."""

    def get(self, carrier: KafkaHeaders, key: str) -> list[str] | None:
        return [v.decode("latin-1") for k, v in carrier if k == key] or None

    def keys(self, carrier: KafkaHeaders) -> list[str]:
        return [k for k, _ in carrier]


_KAFKA_HEADERS = _KafkaHeaders()


def extract(record_headers: Iterable[tuple[str, bytes]] | None) -> Context:
    """The trace context a record was published with (an empty one if it has none)."""
    return _PROPAGATOR.extract(list(record_headers or ()), getter=_KAFKA_HEADERS)
