"""Tracing switched on for the services a test starts, with their spans kept in memory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from bestil.services import SERVICES
from shared import tracing
from shared.settings import TracingSettings


@pytest.fixture(name="spans")
def memory_spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """Every service created during the test traces (`BESTIL_OTEL_EXPORTER=console`), into
    this exporter instead of stdout; tracing is off again afterwards."""
    memory = InMemorySpanExporter()
    monkeypatch.setattr(tracing, "exporter_for", lambda _settings: memory)
    monkeypatch.setenv("BESTIL_OTEL_EXPORTER", "console")
    yield memory
    for service in (*SERVICES, "unit-test"):
        tracing.configure(service, TracingSettings(exporter="none"))


def service_of(span: ReadableSpan) -> str:
    return str(span.resource.attributes["service.name"])
