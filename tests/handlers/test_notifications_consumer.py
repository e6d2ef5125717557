"""Notifications' consumer and mailer: one email per event, even when events come twice or early."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from shared import events
from shared.clock import utcnow
from shared.vocabulary import Decision, ReasonCode
from tests.support import submitted_event


def _declined(order: events.OrderSubmitted) -> events.OrderScreened:
    return events.OrderScreened(
        order_id=order.order_id,
        reference=order.reference,
        district_code="1461",
        decision=Decision.DECLINED,
        reason_code=ReasonCode.ALREADY_PLANNED,
        message="Der er allerede planlagt en kontrol på vejen.",
        decided_at=utcnow(),
        decided_by="o-1",
    )


def _mails(h) -> list:
    directory = Path(h.app.state.mailer.settings.resolved_mail_dir())
    if not directory.exists():
        return []
    return [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(directory.glob("*.eml"))
    ]


async def test_submitted_order_sends_the_citizen_a_receipt(harness) -> None:
    notifications = await harness("notifications")
    order = submitted_event()
    await notifications.deliver(order)
    assert await notifications.app.state.mailer.send_due() == 1
    [mail] = _mails(notifications)
    assert mail["To"] == "mette.hansen@example.dk"
    assert order.reference in mail["Subject"]
    assert mail["Message-ID"] == f"<{order.event_id}@bestil.politi.dk>"


async def test_bad_payload_is_dead_lettered_and_sends_nothing(harness) -> None:
    notifications = await harness("notifications")
    await notifications.deliver(b'{"event_id": 1}', "orders.submitted.v1")
    assert len(notifications.dead_letters) == 1
    assert await notifications.app.state.mailer.send_due() == 0
    assert _mails(notifications) == []


async def test_redelivered_event_sends_no_second_email(harness) -> None:
    notifications = await harness("notifications")
    order = submitted_event()
    await notifications.deliver(order)
    await notifications.app.state.mailer.send_due()
    await notifications.deliver(order)
    await notifications.app.state.mailer.send_due()
    assert len(_mails(notifications)) == 1


async def test_decision_arriving_before_the_order_waits_for_the_address(harness) -> None:
    notifications = await harness("notifications")
    order = submitted_event()
    await notifications.deliver(_declined(order))
    assert await notifications.app.state.mailer.send_due() == 0  # no address known yet
    await notifications.deliver(order)
    assert await notifications.app.state.mailer.send_due() == 2
    subjects = sorted(m["Subject"] for m in _mails(notifications))
    assert any("afvist" in s for s in subjects), subjects


async def test_routing_alone_sends_nothing(harness) -> None:
    notifications = await harness("notifications")
    order = submitted_event()
    await notifications.deliver(order)
    await notifications.deliver(
        events.OrderRouted(
            order_id=order.order_id,
            reference=order.reference,
            district_code="1461",
            district_name="Østjyllands Politi",
            method="municipality",
            routed_at=utcnow(),
        )
    )
    assert await notifications.app.state.mailer.send_due() == 1
