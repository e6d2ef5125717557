"""Access control on a real Apache Kafka: SASL/SCRAM, one principal per service, and ACLs.

Each service writes only the topics it owns and reads only those it consumes; an agency reads
only `public.` topics, in consumer groups under its own prefix; a wrong password gets nothing.
One secure broker serves the whole module (it starts in ~10 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from bestil.kafka import KafkaCluster, java_available
from shared import access, events
from shared.messaging.broker import make_broker
from shared.messaging.cloudevents import headers_for
from shared.topics import topic_for
from tests.support import submitted_event

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not java_available(), reason="needs Java (and the Kafka jars or Maven)"),
]

#: A topic each service does not own, to be refused a write to.
NOT_OWNED = {
    "intake": "orders.routed.v1",
    "routing": "orders.submitted.v1",
    "screening": "orders.deadlines.v1",
    "notifications": "public.orders.v1",
}


@contextlib.contextmanager
def secure_cluster(root: Path) -> Iterator[KafkaCluster]:
    """A one-broker cluster with SCRAM and the ACLs of shared/access.py."""
    cluster = KafkaCluster(root, secure=True, agencies=("agency", "beredskab"))
    started = time.monotonic()
    cluster.start()
    print(f"secure Apache Kafka serving with its ACLs after {time.monotonic() - started:.1f} s")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def secure_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    with secure_cluster(tmp_path_factory.mktemp("secure-kafka")) as cluster:
        yield cluster


def options(cluster: KafkaCluster, user: str, password: str | None = None) -> dict[str, Any]:
    found = cluster.client_settings(user).client_options()
    if password is not None:
        found["sasl_plain_password"] = password
    return {"bootstrap_servers": cluster.bootstrap, **found}


@contextlib.asynccontextmanager
async def producer_as(
    cluster: KafkaCluster, user: str, *, idempotent: bool = True
) -> AsyncIterator[AIOKafkaProducer]:
    """The services' producers are idempotent: that takes IDEMPOTENT_WRITE on the cluster."""
    producer = AIOKafkaProducer(acks="all", enable_idempotence=idempotent, **options(cluster, user))
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


async def read_as(
    cluster: KafkaCluster,
    user: str,
    topic: str,
    *,
    group: str | None = None,
    at_least: int = 1,
    until: Callable[[list[Any]], bool] | None = None,
    within: float = 20.0,
) -> list[Any]:
    """Records of `topic` from its beginning, read as `user` (in `group`, or without one),
    until there are `at_least` of them (or `until` says so)."""
    enough = until or (lambda found: len(found) >= at_least)
    consumer = AIOKafkaConsumer(
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=50,
        **options(cluster, user),
    )
    await consumer.start()
    try:
        if group is None:
            consumer.assign([TopicPartition(topic, p) for p in range(cluster.partitions)])
        else:
            consumer.subscribe([topic])
        records: list[Any] = []
        deadline = time.monotonic() + within
        while not enough(records) and time.monotonic() < deadline:
            for part in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(part)
        if group is not None and records:
            await consumer.commit()
        return records
    finally:
        await consumer.stop()


def refusal(cluster: KafkaCluster, user: str, topic: str, group: str) -> int:
    """The error librdkafka reports when `user` tries to read `topic` in `group`.

    aiokafka only logs a refused topic (and waits for it for ever), so the refusals are read
    with confluent-kafka, the client the agencies' example uses.
    """
    from confluent_kafka import Consumer

    consumer = Consumer(
        {
            "bootstrap.servers": cluster.bootstrap,
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.username": user,
            "sasl.password": cluster.passwords[user],
            "group.id": group,
            "auto.offset.reset": "earliest",
        }
    )
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            error = message.error()
            if error is None:
                raise AssertionError(f"{user} read {topic} in {group}")
            return int(error.code())
        raise AssertionError(f"no answer for {user} on {topic} in {group}")
    finally:
        consumer.close()


def topic_refused(cluster: KafkaCluster, user: str, topic: str, group: str) -> bool:
    from confluent_kafka import KafkaError as LibrdkafkaError

    return refusal(cluster, user, topic, group) == LibrdkafkaError.TOPIC_AUTHORIZATION_FAILED


@pytest.mark.parametrize("service", access.SERVICES)
async def test_each_service_writes_the_topics_it_owns_and_is_refused_the_others(
    secure_kafka, service
) -> None:
    async with producer_as(secure_kafka, service) as producer:
        for topic in access.writes(service):
            await producer.send_and_wait(topic, b"{}", key=b"k")
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait(NOT_OWNED[service], b"{}", key=b"k")


async def test_routing_reads_what_it_consumes_and_not_the_citizens_feedback(secure_kafka) -> None:
    event = submitted_event()
    async with producer_as(secure_kafka, "intake") as producer:
        await producer.send_and_wait(
            "orders.submitted.v1", event.model_dump_json().encode(), key=event.kafka_key().encode()
        )
        await producer.send_and_wait("orders.feedback-received.v1", b"{}", key=b"k")
    key = event.kafka_key().encode()
    records = await read_as(
        secure_kafka,
        "routing",
        "orders.submitted.v1",
        group="routing",
        until=lambda found: any(r.key == key for r in found),
    )
    [record] = [r for r in records if r.key == key]
    assert events.OrderSubmitted.model_validate_json(record.value).order_id == event.order_id
    assert topic_refused(secure_kafka, "routing", "orders.feedback-received.v1", "routing")


async def test_a_service_cannot_join_another_services_consumer_group(secure_kafka) -> None:
    from confluent_kafka import KafkaError as LibrdkafkaError

    code = refusal(secure_kafka, "routing", "orders.submitted.v1", "screening")
    assert code == LibrdkafkaError.GROUP_AUTHORIZATION_FAILED


async def test_the_agency_reads_the_public_stream_and_is_refused_the_internal_topics(
    secure_kafka,
) -> None:
    key = uuid.uuid4().bytes
    async with producer_as(secure_kafka, "screening") as producer:
        await producer.send_and_wait("public.orders.v1", b'{"status": "received"}', key=key)
    records = await read_as(
        secure_kafka,
        "agency",
        "public.orders.v1",
        group="agency.stats",
        until=lambda found: any(r.key == key for r in found),
    )
    assert [r.value for r in records if r.key == key] == [b'{"status": "received"}']
    assert topic_refused(secure_kafka, "agency", "orders.submitted.v1", "agency.stats")
    with pytest.raises(ClusterAuthorizationFailedError):  # no IDEMPOTENT_WRITE
        async with producer_as(secure_kafka, "agency") as producer:
            pass
    with pytest.raises(TopicAuthorizationFailedError):
        async with producer_as(secure_kafka, "agency", idempotent=False) as producer:
            await producer.send_and_wait("public.orders.v1", b"{}", key=b"p")


async def test_an_agency_uses_groups_under_its_own_prefix_only(secure_kafka) -> None:
    from confluent_kafka import KafkaError as LibrdkafkaError

    code = refusal(secure_kafka, "beredskab", "public.orders.v1", "agency.stats")
    assert code == LibrdkafkaError.GROUP_AUTHORIZATION_FAILED
    assert await read_as(secure_kafka, "beredskab", "public.orders.v1", group="beredskab.1")


async def test_a_wrong_password_gets_nothing(secure_kafka) -> None:
    producer = AIOKafkaProducer(**options(secure_kafka, "intake", password="not-the-password"))
    with pytest.raises(KafkaError):
        await producer.start()
    await producer.stop()


async def test_a_client_without_credentials_gets_nothing(secure_kafka) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=secure_kafka.bootstrap, request_timeout_ms=3000)
    with pytest.raises(KafkaError):
        await asyncio.wait_for(producer.start(), 20)
    await producer.stop()


async def test_routing_routes_an_order_with_its_own_credentials(secure_kafka, tmp_path) -> None:
    from services.routing.main import create_app
    from services.routing.settings import RoutingSettings

    settings = RoutingSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'routing.db'}", var_dir=tmp_path
    )
    settings.kafka = secure_kafka.client_settings("routing")
    settings.kafka.outbox_poll_ms = 100
    app = create_app(settings)
    event = submitted_event()
    async with app.router.lifespan_context(app):
        intake = make_broker(secure_kafka.client_settings("intake"), "intake")
        await intake.start()
        try:
            await intake.publish(
                event.model_dump_json().encode(),
                topic_for(event).name,
                key=event.kafka_key().encode(),
                headers=headers_for(event, "intake"),
            )
        finally:
            await intake.stop()

        def routed(records: list[Any]) -> list[events.OrderRouted]:
            return [
                events.OrderRouted.model_validate_json(r.value)
                for r in records
                if r.key == event.kafka_key().encode()
            ]

        records = await read_as(
            secure_kafka, "intake", "orders.routed.v1", until=lambda found: bool(routed(found))
        )
    [order] = routed(records)
    assert order.district_code == "1461"
