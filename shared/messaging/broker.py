"""The broker factory and topic creation, with the settings this broker was measured to need."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, TopicAuthorizationFailedError
from faststream.kafka import KafkaBroker
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from shared.settings import KafkaSettings
from shared.topics import retention_days

log = logging.getLogger(__name__)


SECURITY: dict[str, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
    "PLAIN": SASLPlaintext,
    "SCRAM-SHA-256": SASLScram256,
    "SCRAM-SHA-512": SASLScram512,
}


def broker_security(settings: KafkaSettings) -> BaseSecurity | None:
    """FastStream's form of the SASL settings (it also names them in the AsyncAPI document)."""
    if not settings.authenticated:
        return None
    assert settings.username is not None and settings.password is not None
    use_ssl = settings.security_protocol == "SASL_SSL"
    return SECURITY[settings.sasl_mechanism](
        settings.username,
        settings.password.get_secret_value(),
        ssl_context=settings.ssl_context(),
        use_ssl=use_ssl,
    )


def make_broker(settings: KafkaSettings, service: str) -> KafkaBroker:
    """acks=all, idempotent on Kafka (a retried send is not written twice; Tansu has no
    idempotent producer); quiet per-message logs; the service's own principal if SASL."""
    return KafkaBroker(
        settings.bootstrap_servers,
        security=broker_security(settings),
        # ensure_topics creates what the service may; FastStream's own try at every topic a
        # subscriber reads would only be refused by the ACLs, a warning per topic per start
        allow_auto_create_topics=not settings.authenticated,
        client_id=f"bestil-{service}",
        acks="all",
        enable_idempotence=settings.producer_idempotent,
        max_batch_size=1024 * 1024,
        request_timeout_ms=settings.request_timeout_ms,
        logger=logging.getLogger(f"faststream.{service}"),
        log_level=logging.DEBUG,
        # FastStream stamps a random `correlation_id` header on a record that names none. Our
        # events carry their own in the outbox's headers; the agencies' stream carries none.
        id_generator=lambda: "",
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
    """Create the topics that are missing; existing ones are left as they are.

    On a broker with ACLs a service may create only the topics it writes (shared/access.py):
    one it reads and may not create is left to its writer or the admin, and its consumer
    picks it up once it is there.
    """
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap,
        request_timeout_ms=settings.request_timeout_ms,
        **settings.client_options(),
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
                response = await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                return
            refused = {
                error[0]
                for error in getattr(response, "topic_errors", ())
                if error[1] == TopicAuthorizationFailedError.errno
            }
            if refused:
                log.info("not allowed to create %s: left to their writers", sorted(refused))
            log.info("created topics %s", [t.name for t in missing if t.name not in refused])
    finally:
        await admin.close()
