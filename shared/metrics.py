"""Prometheus metrics every service exposes at /metrics (one set per process)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_CONSUMED = Counter(
    "bestil_events_consumed_total", "Events processed by a consumer", ["service", "topic"]
)
EVENTS_DUPLICATE = Counter(
    "bestil_events_duplicate_total", "Redelivered events skipped", ["service", "topic"]
)
EVENTS_DEAD_LETTERED = Counter(
    "bestil_events_dead_lettered_total", "Events sent to the DLQ", ["service", "topic"]
)
OUTBOX_PUBLISHED = Counter("bestil_outbox_published_total", "Events published", ["service"])
OUTBOX_PENDING = Gauge("bestil_outbox_pending", "Events waiting in the outbox", ["service"])
EMAILS_SENT = Counter("bestil_emails_sent_total", "Emails delivered", ["kind"])
EMAILS_FAILED = Counter(
    "bestil_emails_failed_total", "Email delivery attempts that failed", ["kind"]
)
HTTP_REQUEST_SECONDS = Histogram(
    "bestil_http_request_duration_seconds",
    "HTTP requests by route template and status",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
