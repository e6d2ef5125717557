"""The sender use case against a fake delivery: each due email goes out once and is marked sent;
one that cannot be delivered stays due, with a back-off, under the same name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import col, select

from services.notifications import service
from services.notifications.delivery import FileDelivery, SmtpDelivery, delivery_for
from services.notifications.emails.kinds import message_id_for
from services.notifications.handlers import subscribers
from services.notifications.models import NotificationsBase, OutgoingEmail
from services.notifications.service import Mailer
from services.notifications.settings import NotificationsSettings
from shared import events
from shared.clock import FrozenClock
from shared.db import Database
from shared.vocabulary import Decision, ReasonCode
from tests.support import submitted_event


class FakeDelivery:
    """Keeps what it is given; fails with `failing` while that is set."""

    def __init__(self) -> None:
        self.delivered: list[tuple[EmailMessage, str]] = []
        self.attempted: list[str] = []
        self.failing: Exception | None = None

    async def deliver(self, message: EmailMessage, name: str) -> None:
        self.attempted.append(name)
        if self.failing is not None:
            raise self.failing
        self.delivered.append((message, name))

    @property
    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message, _ in self.delivered]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'n.db'}", NotificationsBase.metadata)
    await database.create_all()
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def delivery() -> FakeDelivery:
    return FakeDelivery()


@pytest.fixture
def mailer(db: Database, tmp_path: Path, clock: FrozenClock, delivery: FakeDelivery) -> Mailer:
    return Mailer(db, NotificationsSettings(var_dir=tmp_path), clock, delivery)


async def _submit(db: Database, clock: FrozenClock) -> events.OrderSubmitted:
    order = submitted_event(now=clock())
    async with db.transaction() as session:
        await service.record_submission(session, order, clock())
    return order


async def _rows(db: Database) -> list[OutgoingEmail]:
    async with db.reading() as session:
        query = select(OutgoingEmail).order_by(col(OutgoingEmail.id))
        return list((await session.exec(query)).all())


async def test_each_due_email_is_delivered_once_and_marked_sent(
    db: Database, clock: FrozenClock, mailer: Mailer, delivery: FakeDelivery
) -> None:
    orders = [await _submit(db, clock) for _ in range(2)]
    assert await mailer.send_due() == 2
    assert await mailer.send_due() == 0
    assert delivery.message_ids == [message_id_for(o.event_id) for o in orders]
    assert [(r.status, r.attempts, r.sent_at) for r in await _rows(db)] == [
        ("sent", 1, clock())
    ] * 2


async def test_a_failing_delivery_leaves_the_email_due_under_the_same_name(
    db: Database, clock: FrozenClock, mailer: Mailer, delivery: FakeDelivery
) -> None:
    order = await _submit(db, clock)
    delivery.failing = ConnectionRefusedError("smtp away")
    assert await mailer.send_due() == 1
    [row] = await _rows(db)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "ConnectionRefusedError")

    delivery.failing = None
    assert await mailer.send_due() == 0  # not before the back-off has passed
    clock.advance(timedelta(seconds=31))
    assert await mailer.send_due() == 1
    assert delivery.message_ids == [message_id_for(order.event_id)]
    assert len(set(delivery.attempted)) == 1  # the name is the row's, not the moment's
    [row] = await _rows(db)
    assert (row.status, row.attempts) == ("sent", 2)


async def test_an_email_owed_before_its_citizen_is_known_waits_for_them(
    db: Database, clock: FrozenClock, mailer: Mailer, delivery: FakeDelivery
) -> None:
    order = submitted_event(now=clock())
    declined = events.OrderScreened(
        order_id=order.order_id,
        reference=order.reference,
        district_code="1461",
        decision=Decision.DECLINED,
        reason_code=ReasonCode.NO_CAPACITY,
        message="Ikke i denne uge.",
        decided_at=clock(),
        decided_by="o-1",
    )
    async with db.transaction() as session:
        await service.record_decision(session, declined, clock())
    assert await mailer.send_due() == 0
    assert delivery.attempted == []
    async with db.transaction() as session:
        await service.record_submission(session, order, clock())
    assert await mailer.send_due() == 2
    assert set(delivery.message_ids) == {
        message_id_for(order.event_id),
        message_id_for(declined.event_id),
    }


def test_delivery_is_smtp_when_a_host_is_set_else_files_in_the_mail_dir(tmp_path: Path) -> None:
    assert isinstance(delivery_for(NotificationsSettings(smtp_host="mail.local")), SmtpDelivery)
    files = delivery_for(NotificationsSettings(var_dir=tmp_path))
    assert isinstance(files, FileDelivery) and files.directory == tmp_path / "mail"


def test_every_fact_notifications_reads_has_its_own_subscriber(clock: FrozenClock) -> None:
    names = {model.__name__: handler.__name__ for model, handler in subscribers(clock).items()}
    assert names == {
        "OrderSubmitted": "on_order_submitted",
        "OrderRouted": "on_order_routed",
        "OrderScreened": "on_order_screened",
        "OrderScheduled": "on_order_scheduled",
        "OrderCompleted": "on_order_completed",
        "InfoRequested": "on_info_requested",
        "OrderCancelled": "on_order_cancelled",
        "ErasureRequested": "on_erasure_requested",
    }
