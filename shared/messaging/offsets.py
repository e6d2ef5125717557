"""A consumer's offsets, committed behind its next fetch instead of before it.

Awaiting a commit after every batch puts one broker round trip between a batch's database
commit and the next fetch: at a steady trickle (batches of one) that is on every event's
path. Here the batch's *own* offsets (its last record + 1, per partition) are handed to one
task that commits them while the consumer goes on. Not the consumer's positions, as
FastStream's `ack()` commits: a fetch running meanwhile moves those past records nobody has
processed yet.

The guarantees stay: offsets are given only after the batch's transaction committed, so a
committed offset never covers an event that is not durable. A commit that fails (a rebalance,
a broker restart) or never happens (the process dies) leaves its events to be read again,
which the processed-event records make a no-op. Partitions being revoked wait for what is
pending first, so the next owner starts where this one stopped.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

log = logging.getLogger(__name__)


def next_offsets(records: list[Any]) -> dict[TopicPartition, int]:
    """Per partition, the offset after the last of these records: what a commit records."""
    offsets: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        after = record.offset + 1
        if after > offsets.get(tp, -1):
            offsets[tp] = after
    return offsets


class OffsetCommits:
    """One consumer's pending offsets and the one task that commits them, in order."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._pending: dict[TopicPartition, int] = {}
        self._consumer: Any = None
        self._task: asyncio.Task[None] | None = None

    def add(self, consumer: Any, records: list[Any]) -> None:
        """Commit these (processed, durable) records' offsets soon; returns at once.

        Batches that end while a commit is on its way are merged into the next one: only the
        highest offset per partition matters."""
        self._consumer = consumer
        for tp, offset in next_offsets(records).items():
            if offset > self._pending.get(tp, -1):
                self._pending[tp] = offset
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._commit_pending())

    async def flush(self) -> None:
        """Wait until everything handed over so far is committed (or its commit failed)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def _commit_pending(self) -> None:
        while self._pending:
            offsets, self._pending = self._pending, {}
            try:
                assigned = self._consumer.assignment()
                offsets = {tp: o for tp, o in offsets.items() if tp in assigned}
                if offsets:
                    await self._consumer.commit(offsets)
            except (KafkaError, OSError) as exc:
                # The partition went elsewhere (or the broker away): whoever reads it next
                # re-reads these events, and the processed-event records make that a no-op.
                log.warning("%s: offset not committed (%s)", self.service, type(exc).__name__)
