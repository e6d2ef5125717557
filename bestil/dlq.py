"""`bestil dlq SERVICE`: what a service parked in its dead-letter topic, and putting it back.

A message lands in `dlq.<service>` after it failed `BESTIL_KAFKA_MAX_ATTEMPTS` times for a
reason that is not the infrastructure's (a bug, a contract the sender broke). Once the cause
is fixed and deployed, replaying it sends the same bytes and headers to the topic it came from;
the consumer applies it then, and only once: it skips an event id it has processed before.
Payloads are never printed — they hold citizens' personal data.
"""

from __future__ import annotations

import importlib
import json
import uuid
from dataclasses import dataclass, replace
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bestil.services import database_for, settings_for
from shared.db import Database
from shared.references import is_uuid
from shared.topics import dlq

REPLAY_DROPS = ("x-original-topic", "x-error-type", "x-error-message", "x-attempts")


@dataclass(frozen=True)
class Parked:
    partition: int
    offset: int
    event_id: str
    event_type: str
    original_topic: str
    error_type: str
    error_message: str
    attempts: str
    headers: dict[str, str]
    key: bytes | None
    body: bytes
    processed: bool = False

    @property
    def where(self) -> str:
        return f"{self.partition}:{self.offset}"


def _event_id(headers: dict[str, str], body: bytes) -> str:
    """The CloudEvents id, else the body's own `event_id` (read, never shown)."""
    if "ce_id" in headers:
        return headers["ce_id"]
    try:
        found = json.loads(body).get("event_id")
    except (ValueError, AttributeError):
        return "?"
    return str(found) if found else "?"


def _parked(record: Any) -> Parked:
    headers = {k: v.decode("utf-8", "replace") for k, v in record.headers or ()}
    return Parked(
        partition=record.partition,
        offset=record.offset,
        event_id=_event_id(headers, record.value),
        event_type=headers.get("ce_type", "?"),
        original_topic=headers.get("x-original-topic", "?"),
        error_type=headers.get("x-error-type", "?"),
        error_message=headers.get("x-error-message", ""),
        attempts=headers.get("x-attempts", "?"),
        headers=headers,
        key=record.key,
        body=record.value,
    )


async def read_parked(
    bootstrap: str, service: str, options: dict[str, Any] | None = None
) -> list[Parked]:
    """Every record in the service's DLQ, from the first to the last (no consumer group).

    `options`: the SASL settings (`KafkaSettings.client_options`); the service's own
    principal may read its DLQ."""
    topic = dlq(service)
    partitions = await _partitions(bootstrap, topic, options)
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        **(options or {}),
    )
    await consumer.start()
    try:
        # Every partition, assigned by hand: a subscription without a group takes them as the
        # metadata arrives, and a read that starts before all are in misses what they hold.
        assigned = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        found: list[Parked] = []
        while [tp for tp in assigned if await consumer.position(tp) < ends[tp]]:
            batches = await consumer.getmany(*assigned, timeout_ms=1000)
            for records in batches.values():
                found.extend(
                    _parked(r)
                    for r in records
                    if r.offset < ends[TopicPartition(r.topic, r.partition)]
                )
        return sorted(found, key=lambda p: (p.partition, p.offset))
    finally:
        await consumer.stop()


async def _partitions(bootstrap: str, topic: str, options: dict[str, Any] | None) -> list[int]:
    """The topic's partitions as the cluster knows them now; none if there is no such topic."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **(options or {}))
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    found = [d for d in described if d.get("topic") == topic and not d.get("error_code")]
    return sorted(p["partition"] for d in found for p in d.get("partitions", []))


async def mark_applied(service: str, parked: list[Parked], db: Database) -> list[Parked]:
    """Which parked events the service has applied since (after a replay, or a redelivery)."""
    store = importlib.import_module(f"services.{service}.models").messages
    ids = [uuid.UUID(p.event_id) for p in parked if is_uuid(p.event_id)]
    async with db.reading() as session:
        done = await store.seen(session, ids)
    return [replace(p, processed=p.event_id in done) for p in parked]


async def replay(
    bootstrap: str, service: str, parked: list[Parked], options: dict[str, Any] | None = None
) -> int:
    """Send each parked message back to its topic, as it was first sent.

    The topic is another service's: on a broker with ACLs only the admin may write it, so an
    operator replays with the admin's credentials (docs/kafka.md, "Access control")."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", **(options or {}))
    await producer.start()
    try:
        for p in parked:
            headers = {k: v for k, v in p.headers.items() if k not in REPLAY_DROPS}
            headers["x-replayed-from"] = f"{dlq(service)}@{p.where}"
            await producer.send_and_wait(
                p.original_topic,
                p.body,
                key=p.key,
                headers=[(k, v.encode()) for k, v in headers.items()],
            )
    finally:
        await producer.stop()
    return len(parked)


def _table(parked: list[Parked]) -> str:
    rows = [("AT", "EVENT", "TYPE", "FROM", "ERROR", "TRIES", "APPLIED SINCE")]
    rows += [
        (
            p.where,
            p.event_id,
            p.event_type,
            p.original_topic,
            f"{p.error_type}: {p.error_message}",
            p.attempts,
            "yes" if p.processed else "no",
        )
        for p in parked
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True))
        + "  "
        + row[-1]
        for row in rows
    )


async def run_dlq(service: str, replay_ids: list[str], replay_all: bool) -> int:
    kafka = settings_for(service).kafka
    bootstrap, options = kafka.bootstrap, kafka.client_options()
    db = database_for(service, settings_for(service))
    try:
        parked = await mark_applied(service, await read_parked(bootstrap, service, options), db)
    finally:
        await db.engine.dispose()
    if not (replay_ids or replay_all):
        print(_table(parked) if parked else f"{dlq(service)} is empty")
        return 0
    chosen = [p for p in parked if not p.processed and (replay_all or p.event_id in replay_ids)]
    unknown = set(replay_ids) - {p.event_id for p in parked}
    if unknown:
        print(f"bestil: not in {dlq(service)}: {', '.join(sorted(unknown))}")
        return 2
    sent = await replay(bootstrap, service, chosen, options)
    print(f"replayed {sent} message(s) from {dlq(service)}; already applied ones were left")
    return 0
