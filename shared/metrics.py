"""Prometheus metrics every service exposes at /metrics (one set per process).

Labels are services, topics, event types, partitions, district codes and email kinds: never a
reference, an id or anything a citizen wrote, which would grow the series without bound.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import HistogramMetricFamily
from prometheus_client.registry import Collector

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
OUTBOX_OLDEST_AGE = Gauge(
    "bestil_outbox_oldest_age_seconds",
    "How long the oldest unpublished outbox row has waited (0: none waiting)",
    ["service"],
)
CONSUMER_LAG = Gauge(
    "bestil_consumer_lag",
    "Records on the broker this consumer has not read yet (highwater - position)",
    ["service", "topic", "partition"],
)
CONSUMER_RESTARTS = Counter(
    "bestil_consumer_restarts_total",
    "Consumers replaced because they stalled (shared/messaging/watchdog.py)",
    ["service"],
)
CONSUMER_BATCH_SECONDS = Histogram(
    "bestil_consumer_batch_duration_seconds",
    "A fetched batch from validation to its database commit",
    ["service"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EMAILS_SENT = Counter("bestil_emails_sent_total", "Emails delivered", ["kind"])
EMAILS_FAILED = Counter(
    "bestil_emails_failed_total", "Email delivery attempts that failed", ["kind"]
)
DEADLINE_ALERTS = Counter(
    "bestil_deadline_alerts_total",
    "Deadline alerts raised: state=warning before a deadline, state=breached when missed",
    ["kind", "state", "district"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "bestil_http_request_duration_seconds",
    "HTTP requests by route template and status",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class _Series:
    """One label set's bucket counts and sum."""

    __slots__ = ("bounds", "counts", "total")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)  # the last one is +Inf
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect_left(self.bounds, seconds)] += 1
        self.total += seconds


class LoopHistogram(Collector):
    """A histogram for code on the event loop: an observation is a list increment, no lock.

    prometheus_client's Histogram takes a lock for every observation (and another for every
    `labels()` lookup); per consumed event that is the largest cost of timing it. Everything
    that observes here runs on the service's one event loop; a scrape from another thread may
    read a count and a sum a moment apart, which Prometheus tolerates.
    """

    def __init__(
        self, name: str, documentation: str, labels: tuple[str, ...], buckets: tuple[float, ...]
    ) -> None:
        self.name = name
        self.documentation = documentation
        self.label_names = labels
        self.bounds = tuple(sorted(buckets))
        self._series: dict[tuple[str, ...], _Series] = {}

    def series(self, *labels: str) -> _Series:
        """The series of these label values; keep it rather than looking it up per event."""
        found = self._series.get(labels)
        if found is None:
            found = self._series[labels] = _Series(self.bounds)
        return found

    def collect(self) -> Iterator[HistogramMetricFamily]:
        family = HistogramMetricFamily(self.name, self.documentation, labels=self.label_names)
        for labels, series in list(self._series.items()):
            cumulative, buckets = 0, []
            for bound, count in zip((*self.bounds, float("inf")), list(series.counts), strict=True):
                cumulative += count
                buckets.append(("+Inf" if bound == float("inf") else repr(bound), cumulative))
            family.add_metric(list(labels), buckets, series.total)
        yield family

    def describe(self) -> Iterator[HistogramMetricFamily]:
        yield HistogramMetricFamily(self.name, self.documentation, labels=self.label_names)


HANDLER_SECONDS = LoopHistogram(
    "bestil_event_handler_duration_seconds",
    "One event's handler, inside its batch's transaction (the commit is not included)",
    ("service", "event_type"),
    (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
)
REGISTRY.register(HANDLER_SECONDS)
