"""Emails over a real SMTP server (aiosmtpd): a server that is away delays mail, never loses or
doubles it; one that keeps refusing is reported after bounded tries."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from services.notifications.models import OutgoingEmail
from services.notifications.service import Mailer
from shared.metrics import EMAILS_FAILED
from tests.e2e.conftest import Inbox
from tests.support import free_port, submitted_event


class Refusing(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, options):
        return "550 mailbox unavailable"


@pytest.fixture
def smtp_port() -> int:
    return free_port()


async def _rows(h) -> list[OutgoingEmail]:
    from sqlmodel import select

    async with h.db.reading() as session:
        return list((await session.exec(select(OutgoingEmail))).all())


async def test_emails_wait_while_smtp_is_down_and_arrive_once_when_it_returns(
    harness, smtp_port
) -> None:
    h = await harness("notifications", smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_timeout_s=2)
    orders = [submitted_event(now=h.clock()) for _ in range(3)]
    for order in orders:
        await h.deliver(order)
    failed_before = EMAILS_FAILED.labels("receipt")._value.get()
    assert await h.app.state.mailer.send_due() == 3
    assert EMAILS_FAILED.labels("receipt")._value.get() - failed_before == 3
    assert {(r.status, r.attempts) for r in await _rows(h)} == {("pending", 1)}

    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    server.start()
    try:
        # a restarted process picks the waiting emails up from the database
        mailer = Mailer(h.db, h.app.state.mailer.settings, h.clock)
        assert await mailer.send_due() == 0  # not before the back-off has passed
        h.clock.advance(timedelta(seconds=31))
        assert await mailer.send_due() == 3
        h.clock.advance(timedelta(hours=2))
        assert await mailer.send_due() == 0
    finally:
        server.stop()
    assert len(inbox.messages) == 3
    assert max(Counter(str(m["Message-ID"]) for m in inbox.messages).values()) == 1
    assert {r.status for r in await _rows(h)} == {"sent"}


async def test_refused_email_is_reported_after_bounded_tries_without_personal_data(
    harness, smtp_port, caplog
) -> None:
    h = await harness(
        "notifications", smtp_host="127.0.0.1", smtp_port=smtp_port, max_send_attempts=3
    )
    await h.deliver(submitted_event(now=h.clock()))
    server = Controller(Refusing(), hostname="127.0.0.1", port=smtp_port)
    server.start()
    caplog.set_level(logging.INFO)
    try:
        for _ in range(5):
            await h.app.state.mailer.send_due()
            h.clock.advance(timedelta(hours=1))
    finally:
        server.stop()
    [row] = await _rows(h)
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "SMTPRecipientsRefused")
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "failed 3 times" in ours
    assert "mette" not in ours.lower() and "example.dk" not in ours
