"""A process killed mid-stream: a file email is never written twice, and over SMTP only the one
email the server had accepted when the process died goes out again."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import col, select, update

from services.notifications.domain import eml_filename
from services.notifications.emails.kinds import message_id_for
from services.notifications.models import OutgoingEmail
from services.notifications.service import Mailer
from services.notifications.settings import NotificationsSettings
from shared.clock import Clock
from shared.db import Database
from tests.e2e.conftest import Inbox
from tests.support import free_port, submitted_event


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, not even the mailer's error handling."""


class DiesAfterDelivering(Mailer):
    """A real mailer whose process dies right after its `fatal`-th delivery went through."""

    def __init__(
        self, db: Database, settings: NotificationsSettings, clock: Clock, *, fatal: int
    ) -> None:
        super().__init__(db, settings, clock)
        self.delivered, self.fatal = 0, fatal

    async def deliver(self, message: EmailMessage, filename: str) -> None:
        await super().deliver(message, filename)
        self.delivered += 1
        if self.delivered == self.fatal:
            raise Killed


async def _rows(h) -> list[OutgoingEmail]:
    async with h.db.reading() as session:
        query = select(OutgoingEmail).order_by(col(OutgoingEmail.id))
        return list((await session.exec(query)).all())


def _files(h, pattern: str = "*") -> list[Path]:
    directory = Path(h.app.state.mailer.settings.resolved_mail_dir())
    return sorted(directory.glob(pattern)) + sorted(directory.glob(f".{pattern}"))


def _half_written(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"To: half a mess")


def test_file_name_is_fixed_by_the_email_not_by_the_time_it_is_sent() -> None:
    created = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    citizen = message_id_for(submitted_event().event_id)
    name = eml_filename(created, "BEB-7K2M9QXA", "receipt", citizen)
    assert name == eml_filename(created, "BEB-7K2M9QXA", "receipt", citizen)
    assert name == f"20250304T050607-BEB-7K2M9QXA-receipt-{citizen[1:].split('@')[0]}.eml"
    district = eml_filename(created, "1461", "district_breach", "<a/b c.district_breach@x.dk>")
    assert district == "20250304T050607-1461-district_breach-a_b_c.district_breach.eml"


async def test_file_written_before_a_crash_is_not_written_again(harness) -> None:
    h = await harness("notifications")
    await h.deliver(submitted_event(now=h.clock()))
    dying = DiesAfterDelivering(h.db, h.app.state.mailer.settings, h.clock, fatal=1)
    with pytest.raises(Killed):
        await dying.send_due()
    [written] = _files(h)
    before = written.read_bytes()
    [row] = await _rows(h)
    assert (row.status, row.attempts) == ("pending", 0)  # the mark never committed

    h.clock.advance(timedelta(minutes=5))  # a later Date header, were it composed and written
    assert await Mailer(h.db, h.app.state.mailer.settings, h.clock).send_due() == 1
    assert _files(h) == [written] and written.read_bytes() == before
    [row] = await _rows(h)
    assert row.status == "sent"


async def test_email_put_back_to_pending_leaves_one_file_and_no_temporary_one(harness) -> None:
    h = await harness("notifications")
    await h.deliver(submitted_event(now=h.clock()))
    mailer = h.app.state.mailer
    assert await mailer.send_due() == 1
    async with h.db.transaction() as session:
        await session.exec(update(OutgoingEmail).values(status="pending", sent_at=None))
    h.clock.advance(timedelta(seconds=1))
    assert await mailer.send_due() == 1
    assert len(_files(h, "*.eml")) == 1
    assert _files(h, "*.tmp") == []


async def test_write_cut_short_by_a_crash_is_completed_by_the_retry(harness) -> None:
    h = await harness("notifications")
    order = submitted_event(now=h.clock())
    await h.deliver(order)
    [row] = await _rows(h)
    name = eml_filename(row.created_at, order.reference, row.kind, message_id_for(order.event_id))
    directory = Path(h.app.state.mailer.settings.resolved_mail_dir())
    _half_written(directory / f".{name}.tmp")
    assert await h.app.state.mailer.send_due() == 1
    [written] = _files(h)
    assert written.name == name
    mail = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert mail["Message-ID"] == message_id_for(order.event_id)


@pytest.fixture
def smtp(harness):
    """The notifications service with a real SMTP server (aiosmtpd) taking its mail."""
    servers: list[Controller] = []

    async def open_service():
        port = free_port()
        h = await harness("notifications", smtp_host="127.0.0.1", smtp_port=port)
        inbox = Inbox()
        server = Controller(inbox, hostname="127.0.0.1", port=port)
        server.start()
        servers.append(server)
        return h, inbox

    yield open_service
    for server in servers:
        server.stop()


async def test_crash_over_smtp_repeats_only_the_email_in_flight(smtp) -> None:
    h, inbox = await smtp()
    orders = [submitted_event(now=h.clock()) for _ in range(5)]
    for order in orders:
        await h.deliver(order)
    dying = DiesAfterDelivering(h.db, h.app.state.mailer.settings, h.clock, fatal=3)
    with pytest.raises(Killed):
        await dying.send_due()
    assert len(inbox.messages) == 3
    # the two the server accepted before were each committed as sent at once
    assert [(r.status, r.attempts) for r in await _rows(h)] == [("sent", 1)] * 2 + [
        ("pending", 0)
    ] * 3

    assert await Mailer(h.db, h.app.state.mailer.settings, h.clock).send_due() == 3
    assert {r.status for r in await _rows(h)} == {"sent"}
    counts = Counter(str(m["Message-ID"]) for m in inbox.messages)
    assert counts == {message_id_for(o.event_id): 2 if i == 2 else 1 for i, o in enumerate(orders)}


async def test_two_mailers_at_once_send_each_email_once(smtp) -> None:
    h, inbox = await smtp()
    for _ in range(6):
        await h.deliver(submitted_event(now=h.clock()))
    settings = h.app.state.mailer.settings
    handled = await asyncio.gather(
        Mailer(h.db, settings, h.clock).send_due(), Mailer(h.db, settings, h.clock).send_due()
    )
    assert sum(handled) == 6
    assert len(inbox.messages) == 6
    assert len({str(m["Message-ID"]) for m in inbox.messages}) == 6
