"""The agencies' example consumer (examples/agency_consumer, confluent-kafka and the CloudEvents
SDK) reads `public.orders.v1` from a secure Apache Kafka with an agency's credentials.

The events are real `PublicOrderEvent`s published the project's own way: staged in an outbox
and sent by the outbox relay through a FastStream broker logged in as screening, their writer.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData

from bestil.kafka import KafkaCluster
from shared.db import Database
from shared.events import PublicOrderEvent
from shared.messaging.broker import make_broker
from shared.messaging.relay import OutboxRelay
from shared.messaging.store import MessageStore
from tests.integration.test_kafka_acls import pytestmark as secure_marks
from tests.integration.test_kafka_acls import secure_cluster

pytestmark = secure_marks

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agency_consumer" / "consumer.py"


@pytest.fixture(scope="module")
def secure_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    with secure_cluster(tmp_path_factory.mktemp("agency-kafka")) as cluster:
        yield cluster


def steps() -> list[PublicOrderEvent]:
    """Three orders' public histories: one accepted (in 751), one declined and one cancelled."""
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    accepted, declined, cancelled = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    base = {"category": "traffic_control", "received_on": date(2026, 12, 1)}
    aarhus = {**base, "municipality_code": "751", "district_code": "1461"}
    copenhagen = {**base, "municipality_code": "101", "district_code": "1470"}
    states = [
        (accepted, {"status": "received", **aarhus}),
        (declined, {"status": "received", **copenhagen}),
        (accepted, {"status": "routed", **aarhus}),
        (cancelled, {"status": "received", **copenhagen}),
        (declined, {"status": "declined", "decision": "declined", **copenhagen}),
        (accepted, {"status": "accepted", "decision": "accepted", **aarhus}),
        (cancelled, {"status": "cancelled", **copenhagen}),
    ]
    return [
        PublicOrderEvent(public_id=public_id, occurred_at=start + timedelta(minutes=i), **state)
        for i, (public_id, state) in enumerate(states)
    ]


async def publish_as_screening(
    cluster: KafkaCluster, tmp_path: Path, published: list[PublicOrderEvent]
) -> None:
    """Outbox, relay, FastStream broker: the path screening's own events take."""
    metadata = MetaData()
    store = MessageStore("screening", metadata)
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'screening.db'}", metadata)
    await db.create_all()
    settings = cluster.client_settings("screening")
    broker = make_broker(settings, "screening")
    await broker.start()
    try:
        async with db.transaction() as session:
            for event in published:
                await store.enqueue(session, event)
        relay = OutboxRelay(db, store, broker, settings)
        assert await relay.publish_pending() == len(published)
        # the relay's at-least-once, as after a crash before it marked the row published
        first = published[0]
        await broker.publish(
            first.model_dump_json().encode(),
            "public.orders.v1",
            key=first.kafka_key().encode(),
            headers={
                k: str(v) for k, v in (await _outbox_headers(db, store, first.event_id)).items()
            },
        )
    finally:
        await broker.stop()
        await db.engine.dispose()


async def _outbox_headers(db: Database, store: MessageStore, event_id: uuid.UUID) -> dict[str, str]:
    from sqlalchemy import select

    from shared.db import execute
    from shared.messaging.store import outbox_headers

    query = select(store.outbox.c.headers).where(store.outbox.c.event_id == str(event_id))
    async with db.reading() as session:
        row = (await execute(session, query)).one()
    return outbox_headers(row[0])


def run_example(
    cluster: KafkaCluster, *args: str, password: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The example as an agency runs it, with the agency's credentials and nothing of ours."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BESTIL_")},
        "AGENCY_KAFKA_PASSWORD": password or cluster.passwords["agency"],
    }
    return subprocess.run(
        [
            sys.executable,
            str(EXAMPLE),
            "--bootstrap",
            cluster.bootstrap,
            "--username",
            "agency",
            "--security-protocol",
            "SASL_PLAINTEXT",
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_the_example_consumer_keeps_each_orders_latest_public_state(
    secure_kafka, tmp_path
) -> None:
    published = steps()
    await publish_as_screening(secure_kafka, tmp_path, published)

    done = run_example(
        secure_kafka,
        "--group",
        "agency.ci",
        "--from-beginning",
        "--max-events",
        str(len(published) + 1),
        "--idle-exit",
        "10",
    )

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    applied = [line for line in lines if line.startswith("applied ")]
    assert len(applied) == len(published)
    assert {line.split()[1] for line in applied} == {str(e.event_id) for e in published}
    assert [line for line in lines if line.startswith("duplicate ")] == [
        next(line for line in applied if str(published[0].event_id) in line).replace(
            "applied", "duplicate", 1
        )
    ]
    assert sorted(line for line in lines if line.startswith("tally ")) == [
        "tally municipality=101 cancelled=1 declined=1",
        "tally municipality=751 accepted=1",
    ]


def test_the_example_consumer_is_refused_an_internal_topic(secure_kafka) -> None:
    done = run_example(secure_kafka, "--group", "agency.ci2", "--topic", "orders.submitted.v1")
    assert done.returncode != 0
    assert "TOPIC_AUTHORIZATION_FAILED" in done.stderr


def test_the_example_consumer_is_refused_a_wrong_password(secure_kafka) -> None:
    done = run_example(secure_kafka, "--group", "agency.ci3", password="not-the-password")
    assert done.returncode != 0
    assert "Authentication failed" in done.stderr, done.stderr
