"""The broker factory and topic creation, with the settings this broker was measured to need."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker

from shared.settings import KafkaSettings
from shared.topics import retention_days

log = logging.getLogger(__name__)


def make_broker(settings: KafkaSettings, service: str) -> KafkaBroker:
    """acks=all, idempotent on Kafka (a retried send is not written twice; Tansu has no
    idempotent producer); quiet per-message logs."""
    return KafkaBroker(
        settings.bootstrap_servers,
        client_id=f"bestil-{service}",
        acks="all",
        enable_idempotence=settings.producer_idempotent,
        max_batch_size=1024 * 1024,
        request_timeout_ms=settings.request_timeout_ms,
        logger=logging.getLogger(f"faststream.{service}"),
        log_level=logging.DEBUG,
    )


def topic_configs(settings: KafkaSettings, name: str) -> dict[str, str]:
    """Retention per topic (personal data leaves the log) and, on Kafka, the in-sync minimum."""
    day_ms = 24 * 3600 * 1000
    # a record is deleted with its segment: a segment a day bounds its life by retention + 1 day
    configs = {"retention.ms": str(retention_days(name) * day_ms), "segment.ms": str(day_ms)}
    if settings.min_insync_replicas is not None:
        configs["min.insync.replicas"] = str(settings.min_insync_replicas)
    return configs


async def ensure_topics(settings: KafkaSettings, names: Iterable[str]) -> None:
    """Create the topics that are missing; existing ones are left as they are."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap, request_timeout_ms=settings.request_timeout_ms
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name,
                settings.partitions,
                settings.replication_factor,
                topic_configs=topic_configs(settings, name),
            )
            for name in sorted(set(names) - existing)
        ]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
            log.info("created topics %s", [t.name for t in missing])
    finally:
        await admin.close()
