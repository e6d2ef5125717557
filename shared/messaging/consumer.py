"""The idempotent consumer every service uses: skip a seen event, validate, act, record, commit.

One batch subscriber (one consumer group) per service covers all the topics it reads, so a
service joins its group once, and a batch is applied in one transaction with one commit. The offset is committed by hand (AckPolicy.MANUAL) only after the database
transaction, and a failed commit does not stop the consumer; a message
that keeps failing goes to `dlq.<service>` with its original headers, and the consumer goes on.
Infrastructure failures (database or broker away) are not the message's fault: they are not
dead-lettered but left uncommitted, to be read again.

Observed per event at the cost of a few list and contextvar operations: each handler runs in
the event's log context (correlation and event id on every line it logs), is timed in
`bestil_event_handler_duration_seconds` and, when tracing is on, in a CONSUMER span that
continues the trace of the request that staged the event (its outbox `traceparent`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiokafka import ConsumerRebalanceListener
from aiokafka.errors import KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from opentelemetry.trace import SpanKind, Tracer
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import tracing
from shared.db import Database
from shared.events import FROM_TOPIC, Event, Message
from shared.logs import log_context
from shared.messaging.backoff import start_until_up
from shared.messaging.store import MessageStore
from shared.metrics import (
    CONSUMER_BATCH_SECONDS,
    CONSUMER_LAG,
    EVENTS_CONSUMED,
    EVENTS_DEAD_LETTERED,
    EVENTS_DUPLICATE,
    HANDLER_SECONDS,
)
from shared.settings import KafkaSettings
from shared.topics import BY_MODEL, dlq

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Any], Awaitable[None]]
#: Loads the rows a batch of events will touch, with one query per table (see shared.db).
Prefetch = Callable[[AsyncSession, list[Any]], Awaitable[None]]

#: Errors that say "try later", not "this message is bad".
INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    OSError,
)
#: SQLSTATE classes of a database that went away: connection exception, operator intervention
#: (a server shutting down or starting), insufficient resources.
_GONE_SQLSTATES = ("08", "57", "53")


def is_infrastructure(exc: BaseException) -> bool:
    """The database or broker is away (a restart, say): not the message's fault, so no DLQ.

    asyncpg reports a server restart as a plain `DBAPIError` (SQLSTATE 57P01, 08003, …), which
    dead-lettered good events while PostgreSQL restarted (found by tests/faults).
    """
    if isinstance(exc, INFRASTRUCTURE_ERRORS):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        for cause in (exc.orig, getattr(exc.orig, "__cause__", None)):
            sqlstate = getattr(cause, "sqlstate", None)
            if isinstance(sqlstate, str) and sqlstate[:2] in _GONE_SQLSTATES:
                return True
    return False


def describe_error(exc: BaseException) -> str:
    """An error text safe to put in a header or log: validation errors without input values."""
    if isinstance(exc, ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors(include_input=False, include_url=False)
        ]
        return "; ".join(parts)[:1000]
    return (
        f"{type(exc).__name__}: {exc}"[:1000]
        if not isinstance(exc, DBAPIError)
        else type(exc).__name__
    )


def _position(consumer: Any, tp: Any) -> int | None:
    """The offset of the next record the client will hand over, if it knows it already.

    `AIOKafkaConsumer.position()` waits (and may ask the broker) when it does not; a scrape
    must not, so this reads the client's own state, or gives up.
    """
    state = consumer._subscription.subscription.assignment.state_value(tp)
    return int(state.position) if state is not None and state.has_valid_position else None


def _subject_attributes(event: Message) -> dict[str, str]:
    """What a span says the message is about: the order, or the public id on `public.` topics."""
    if isinstance(event, Event):
        return {"bestil.order_id": str(event.order_id), "bestil.reference": event.reference}
    return {"bestil.subject": event.subject()}


async def _left_undecoded(_message: Any) -> None:
    """FastStream's own decoder: nothing. `on_batch` validates each record's bytes once, with
    its event's model; FastStream's default wrapped every record in a message and parsed its
    JSON for a body nobody read, 11.3 µs a record (~4 % of screening's CPU under load)."""
    return None


def _headers(record: Any) -> dict[str, str]:
    return {
        k: v.decode(errors="replace") if isinstance(v, bytes) else str(v)
        for k, v in record.headers or ()
    }


class _Rebalance(ConsumerRebalanceListener):
    """Tells whoever asked when partitions arrive: the outbox relay holds its fast path then."""

    def __init__(self, callbacks: list[Callable[[], None]]) -> None:
        self.callbacks = callbacks

    async def on_partitions_revoked(self, revoked: Any) -> None:
        return None

    async def on_partitions_assigned(self, assigned: Any) -> None:
        for callback in self.callbacks:
            callback()


class EventConsumer:
    """Dispatches each topic's events to its handler, exactly once in effect."""

    def __init__(
        self,
        service: str,
        db: Database,
        store: MessageStore,
        subscribers: Mapping[type[Message], Handler],
        settings: KafkaSettings,
        *,
        prefetch: Prefetch | None = None,
    ) -> None:
        self.service = service
        self.prefetch = prefetch
        self.db = db
        self.store = store
        self.settings = settings
        self._after_commit: list[Callable[[], None]] = []
        self._on_assigned: list[Callable[[], None]] = []
        self.handlers = {BY_MODEL[model].name: (model, fn) for model, fn in subscribers.items()}
        self._timings = {
            topic: HANDLER_SECONDS.series(service, model.__name__)
            for topic, (model, _fn) in self.handlers.items()
        }
        self._batch_seconds = CONSUMER_BATCH_SECONDS.labels(service)
        self._subscriber: Any = None
        self._lag_labels: set[tuple[str, str]] = set()
        #: When the batch being applied now was handed over (for shared.messaging.watchdog).
        self.busy_since: float | None = None

    @property
    def topics(self) -> list[str]:
        return sorted(self.handlers)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` after every commit that applied an event, in the order registered.

        A use case's effects (an outbox row, an owed email) are only visible once committed, so
        whoever acts on them (the relay, a mailer) is woken here rather than from the handler.
        """
        self._after_commit.append(callback)

    def on_assigned(self, callback: Callable[[], None]) -> None:
        """Call `callback` whenever partitions are assigned to this consumer (a rebalance)."""
        self._on_assigned.append(callback)

    def subscribe(self, broker: KafkaBroker) -> None:
        self.broker = broker

        async def on_batch() -> None:
            # The message comes from the context: declaring it as a parameter costs 73 %.
            message = broker.context.get_local("message")
            raw = message.raw_message
            records = list(raw) if isinstance(raw, list | tuple) else [raw]
            self.busy_since = time.monotonic()
            try:
                await self._apply_and_commit(message, records)
            finally:
                self.busy_since = None

        self._subscriber = broker.subscriber(
            *self.topics,
            listener=_Rebalance(self._on_assigned),
            group_id=self.service,
            batch=True,
            max_records=self.settings.batch_max_records,
            batch_timeout_ms=self.settings.batch_timeout_ms,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=self.settings.fetch_wait_ms,
            decoder=_left_undecoded,
            title=f"{self.service}-events",
        )
        self._subscriber(on_batch)

    async def _apply_and_commit(self, message: Any, records: list[Any]) -> None:
        try:
            await self.process_batch(records)
        except Exception:
            # Database or broker away: read the batch again after a pause.
            await asyncio.sleep(self.settings.retry_backoff_ms / 1000 * self.settings.max_attempts)
            await message.nack()
            raise
        try:
            await message.ack()
        except KafkaError as exc:
            # A rebalance (or a broker restart) took the partition away: whoever gets it
            # next re-reads these messages, and the processed-event records make that a no-op.
            log.warning("%s: offset not committed (%s)", self.service, type(exc).__name__)

    def client(self) -> Any:
        """The Kafka client consuming now (aiokafka's), or None."""
        return getattr(self._subscriber, "consumer", None)

    async def restart(self) -> None:
        """A new client in the same group, for a consumer that stalled (shared.messaging.watchdog).

        The old one is given a bounded time to leave: one that stalled may not manage even
        that, and the group drops it after its session timeout anyway. Starting is retried
        until it works (a broker that is away comes back; shutdown cancels the wait).
        """
        subscriber = self._subscriber
        try:
            await asyncio.wait_for(subscriber.stop(), self.settings.request_timeout_ms / 1000)
        except Exception as exc:
            log.warning("%s: the stalled consumer did not stop (%s)", self.service, exc)
        self.busy_since = None
        await start_until_up(
            subscriber.start, subscriber.stop, f"{self.service}: consumer not started"
        )

    def update_lag(self) -> None:
        """Set `bestil_consumer_lag` per assigned partition from what the client already knows.

        No request to the broker: the highwater comes with every fetch response and the
        position is the client's own. Partitions no longer assigned are dropped.
        """
        consumer: Any = getattr(self._subscriber, "consumer", None)
        seen: set[tuple[str, str]] = set()
        try:
            for tp in consumer.assignment() if consumer is not None else ():
                highwater = consumer.highwater(tp)
                position = _position(consumer, tp)
                if highwater is None or position is None:
                    continue
                labels = (tp.topic, str(tp.partition))
                CONSUMER_LAG.labels(self.service, *labels).set(max(highwater - position, 0))
                seen.add(labels)
        except Exception as exc:  # a client between assignments, or the in-memory test broker
            log.debug("%s: no lag now (%s)", self.service, type(exc).__name__)
            return
        for gone in self._lag_labels - seen:
            CONSUMER_LAG.remove(self.service, *gone)
        self._lag_labels = seen

    async def process_batch(self, records: list[Any]) -> None:
        """Apply a batch in one transaction; if any event in it fails, fall back to one by one.

        Records are applied in the order they came, so per-key (per-order) order holds.
        """
        started = time.perf_counter()
        try:
            await self._process_batch(records)
        finally:
            self._batch_seconds.observe(time.perf_counter() - started)

    async def _process_batch(self, records: list[Any]) -> None:
        items: list[tuple[str, Message, Any]] = []
        for record in records:
            topic = record.topic
            try:
                event = self.handlers[topic][0].model_validate_json(
                    record.value, context=FROM_TOPIC
                )
                items.append((topic, event, record))
            except ValidationError as exc:
                await self.dead_letter(
                    topic, record.value, _headers(record), record.key, exc, attempts=1
                )
        if not items:
            return
        attempt = 0
        while True:
            attempt += 1
            try:
                outcomes = await self._apply_all(items)
            except Exception as exc:
                if not is_infrastructure(exc):
                    break  # one bad event spoils the batch: find it one by one
                if attempt < self.settings.max_attempts:
                    await asyncio.sleep(self.settings.retry_backoff_ms / 1000 * attempt)
                    continue
                raise  # not committed: the batch is read again once things are back
            else:
                self._count(items, outcomes)
                return
        for topic, event, record in items:
            await self.process_one(topic, event, record)

    async def _apply_all(self, items: list[tuple[str, Message, Any]]) -> list[bool]:
        async with self.db.transaction() as session:
            return await self._apply_in(session, items)

    async def _apply_in(
        self, session: AsyncSession, items: list[tuple[str, Message, Any]]
    ) -> list[bool]:
        events = [event for _, event, _ in items]
        done = await self.store.seen(session, [e.event_id for e in events], events)
        if self.prefetch is not None:
            await self.prefetch(session, [e for _, e, _ in items if str(e.event_id) not in done])
        outcomes = []
        traced = tracing.tracer(self.service)
        for topic, event, record in items:
            event_id = str(event.event_id)
            if event_id in done:
                outcomes.append(False)
                continue
            handler = self.handlers[topic][1]
            with log_context(correlation=getattr(event, "correlation_id", ""), event=event_id):
                started = time.perf_counter()
                if traced is None:
                    await handler(session, event)
                else:
                    await self._traced(traced, handler, session, topic, event, record)
                self._timings[topic].observe(time.perf_counter() - started)
            self.store.mark_processed(session, event.event_id, topic)
            done.add(event_id)
            outcomes.append(True)
        return outcomes

    async def _traced(
        self,
        traced: Tracer,
        handler: Handler,
        session: AsyncSession,
        topic: str,
        event: Message,
        record: Any,
    ) -> None:
        """The handler in a CONSUMER span whose parent is the span that staged the event."""
        with traced.start_as_current_span(
            f"{topic} process",
            context=tracing.extract(getattr(record, "headers", None)),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.destination.name": topic,
                "messaging.consumer.group.name": self.service,
                "messaging.destination.partition.id": str(getattr(record, "partition", "")),
                "messaging.kafka.offset": int(getattr(record, "offset", -1)),
                "messaging.message.id": str(event.event_id),
                "bestil.event_type": type(event).__name__,
                **_subject_attributes(event),
            },
        ):
            await handler(session, event)

    def _count(self, items: list[tuple[str, Message, Any]], outcomes: list[bool]) -> None:
        for (topic, _event, _record), applied in zip(items, outcomes, strict=True):
            metric = EVENTS_CONSUMED if applied else EVENTS_DUPLICATE
            metric.labels(self.service, topic).inc()
        if any(outcomes):
            for callback in self._after_commit:
                callback()

    async def process_one(self, topic: str, event: Message, record: Any) -> None:
        """Apply one event with bounded retries; park it in the DLQ if it keeps failing."""
        with log_context(
            correlation=getattr(event, "correlation_id", ""), event=str(event.event_id)
        ):
            await self._process_one(topic, event, record)

    async def _process_one(self, topic: str, event: Message, record: Any) -> None:
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self.db.transaction() as session:
                    [applied] = await self._apply_in(session, [(topic, event, record)])
            except IntegrityError:
                # A concurrent instance recorded the same event id first: nothing to do.
                if await self._seen(event):
                    self._count([(topic, event, record)], [False])
                    return
                failure: Exception = RuntimeError("integrity error")
            except Exception as exc:
                if not is_infrastructure(exc):
                    failure = exc
                elif attempt < self.settings.max_attempts:
                    await asyncio.sleep(self.settings.retry_backoff_ms / 1000 * attempt)
                    continue
                else:
                    raise
            else:
                self._count([(topic, event, record)], [applied])
                return
            if attempt >= self.settings.max_attempts:
                await self.dead_letter(
                    topic, record.value, _headers(record), record.key, failure, attempts=attempt
                )
                return
            await asyncio.sleep(self.settings.retry_backoff_ms / 1000 * attempt)

    async def _seen(self, event: Message) -> bool:
        async with self.db.reading() as session:
            return bool(await self.store.seen(session, [event.event_id]))

    async def dead_letter(
        self,
        topic: str,
        body: bytes,
        headers: dict[str, Any],
        key: bytes | None,
        exc: BaseException,
        *,
        attempts: int,
    ) -> None:
        """Park a message that cannot be processed; raising here leaves it to be read again."""
        EVENTS_DEAD_LETTERED.labels(self.service, topic).inc()
        log.error(
            "dead-lettering message from %s after %d attempt(s): %s",
            topic,
            attempts,
            type(exc).__name__,
        )
        out_headers = {str(k): str(v) for k, v in headers.items()}
        out_headers.update(
            {
                "x-original-topic": topic,
                "x-error-type": type(exc).__name__,
                "x-error-message": describe_error(exc),
                "x-attempts": str(attempts),
            }
        )
        await self.broker.publish(body, dlq(self.service), headers=out_headers, key=key)
