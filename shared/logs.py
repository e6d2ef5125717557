"""Logging set-up: one JSON line per noteworthy fact, never personal data, no per-message chatter.

Every line carries the service and, when known, the correlation id of the request or event
it belongs to (and the event's id), so an operator can follow one order across the four
services in their log store; with tracing on (shared/tracing.py) also the trace id, to go from
a line to its trace. Messages name references and ids, never names, emails, phone
numbers or free text; nothing here inspects them, so that stays a rule for whoever logs.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal

from opentelemetry import trace

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
event_id: ContextVar[str | None] = ContextVar("event_id", default=None)

LogFormat = Literal["json", "text"]


class _LogContext:
    """A plain class rather than @contextmanager: the consumer enters one per event, and a
    generator-based context manager costs four times as much."""

    __slots__ = ("_correlation", "_event", "_tokens")

    def __init__(self, correlation: str | None, event: str | None) -> None:
        self._correlation = correlation or None
        self._event = event or None

    def __enter__(self) -> None:
        self._tokens = (correlation_id.set(self._correlation), event_id.set(self._event))

    def __exit__(self, *_exc: object) -> None:
        correlation_id.reset(self._tokens[0])
        event_id.reset(self._tokens[1])


def log_context(*, correlation: str | None = None, event: str | None = None) -> _LogContext:
    """Lines logged inside carry this request's or event's ids."""
    return _LogContext(correlation, event)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: what log shippers (Loki, Elastic, Splunk) index as is."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (correlation := correlation_id.get()) is not None:
            entry["correlation_id"] = correlation
        if (event := event_id.get()) is not None:
            entry["event_id"] = event
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        correlation = correlation_id.get()
        return f"{line} [{correlation}]" if correlation else line


def _warnings_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


def configure_logging(service: str, level: str = "INFO", log_format: LogFormat = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(service)
        if log_format == "json"
        else _TextFormatter(f"%(asctime)s %(levelname)s {service} %(name)s: %(message)s")
    )
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    # FastStream's per-message INFO lines cost throughput and may echo payloads.
    logging.getLogger("faststream").setLevel(logging.WARNING)
    # aiokafka logs every reconnect attempt while the broker is away (thousands of lines);
    # the runtime and relay say it once. Group changes are worth seeing.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    logging.getLogger("aiokafka.consumer.group_coordinator").setLevel(logging.INFO)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # Alembic narrates its set-up; shared.migrations says in one line what it changed.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if log_format == "text":
        # A person at `bestil dev`'s console: the partition assignments (thousands of
        # characters per rebalance) and uvicorn's start-up chatter drown the useful lines.
        logging.getLogger("aiokafka.consumer.group_coordinator").setLevel(logging.WARNING)
        logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
        # FastStream says the same through a logger of its own, which it configures (level,
        # handler) only when a consumer starts: a filter is what survives that.
        for name in ("faststream.access.kafka", f"faststream.{service}"):
            logging.getLogger(name).addFilter(_warnings_only)
