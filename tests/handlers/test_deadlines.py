"""The 14- and 30-day promise, kept by moving a clock instead of waiting: each alert once."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

from shared import events
from shared.clock import utcnow
from shared.vocabulary import Decision, ReasonCode, RoutingMethod
from tests.support import event_order, submitted_event


def _routed(order: events.OrderSubmitted) -> events.OrderRouted:
    return events.OrderRouted(
        order_id=order.order_id,
        reference=order.reference,
        district_code="1461",
        district_name="Østjyllands Politi",
        method=RoutingMethod.MUNICIPALITY,
        routed_at=utcnow(),
    )


def _decided(
    order: events.OrderSubmitted, decision: Decision = Decision.ACCEPTED
) -> events.OrderScreened:
    code = ReasonCode.ACCEPTED if decision == Decision.ACCEPTED else ReasonCode.NO_CAPACITY
    return events.OrderScreened(
        order_id=order.order_id,
        reference=order.reference,
        district_code="1461",
        decision=decision,
        reason_code=code,
        message="Besked",
        decided_at=utcnow(),
        decided_by="o-1",
    )


async def _alerts(h) -> list[tuple[str, str]]:
    return [(a.kind.value, a.state.value) for a in await h.staged(events.DeadlineAlert)]


def _mails(h) -> list:
    directory = Path(h.app.state.mailer.settings.resolved_mail_dir())
    files = sorted(directory.glob("*.eml")) if directory.exists() else []
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]


async def _at(h, moment) -> int:
    h.clock.now = moment
    return await h.app.state.deadlines.check()


async def test_undecided_order_gets_one_warning_then_one_breach_with_emails(harness) -> None:
    h = await harness("notifications")
    order = submitted_event(now=h.clock())
    await h.deliver(order)
    await h.deliver(_routed(order))
    assert await _at(h, order.decision_due - timedelta(days=3, minutes=1)) == 0
    assert await _at(h, order.decision_due - timedelta(days=3) + timedelta(minutes=1)) == 1
    assert await _at(h, order.decision_due - timedelta(hours=1)) == 0
    assert await _at(h, order.decision_due + timedelta(minutes=1)) == 1
    assert await _at(h, order.decision_due + timedelta(days=1)) == 0
    assert await _alerts(h) == [("decision", "warning"), ("decision", "breached")]
    [_warning, breach] = await h.staged(events.DeadlineAlert)
    assert breach.due_at == order.decision_due and breach.district_code == "1461"
    await h.app.state.mailer.send_due()
    mails = _mails(h)
    citizen = [m for m in mails if m["To"] == "mette.hansen@example.dk"]
    district = [m for m in mails if m["To"] == "bestil.oestjyllands-politi@politi.dk"]
    assert len(citizen) == 2  # the receipt and "it takes longer than promised"
    assert len(district) == 1 and order.reference in district[0]["Subject"]
    assert "mette" not in district[0].get_body(("plain",)).get_content().lower()  # no personal data


async def test_order_decided_in_time_raises_no_decision_alert(harness) -> None:
    h = await harness("notifications")
    order = submitted_event(now=h.clock())
    await h.deliver(order)
    await h.deliver(_decided(order))
    await _at(h, order.decision_due + timedelta(days=1))
    assert ("decision", "warning") not in await _alerts(h)
    assert ("decision", "breached") not in await _alerts(h)


async def test_accepted_order_still_owes_its_execution(harness) -> None:
    h = await harness("notifications")
    order = submitted_event(now=h.clock())
    await h.deliver(order)
    await h.deliver(_decided(order))
    await _at(h, order.execution_due - timedelta(days=2))
    await _at(h, order.execution_due + timedelta(seconds=1))
    assert await _alerts(h) == [("execution", "warning"), ("execution", "breached")]


async def test_declined_completed_or_withdrawn_orders_owe_nothing(harness) -> None:
    h = await harness("notifications")
    declined, completed, cancelled = (submitted_event(now=h.clock()) for _ in range(3))
    for order in (declined, completed, cancelled):
        await h.deliver(order)
    await h.deliver(_decided(declined, Decision.DECLINED))
    await h.deliver(_decided(completed))
    await h.deliver(
        events.OrderCompleted(
            order_id=completed.order_id,
            reference=completed.reference,
            district_code="1461",
            completed_at=utcnow(),
            summary="Udført",
        )
    )
    await h.deliver(
        events.OrderCancelled(
            order_id=cancelled.order_id, reference=cancelled.reference, cancelled_at=utcnow()
        )
    )
    await _at(h, declined.execution_due + timedelta(days=1))
    assert await _alerts(h) == []


async def test_urgent_event_is_warned_and_breached_on_its_earlier_deadline(harness) -> None:
    h = await harness("notifications")
    order = submitted_event(event_order(h.clock(), starts_in=timedelta(days=6)), now=h.clock())
    assert order.urgent and order.decision_due == order.details.event_start - timedelta(days=2)
    await h.deliver(order)
    assert await _at(h, order.decision_due - timedelta(days=3) + timedelta(minutes=1)) == 1
    await _at(h, order.decision_due + timedelta(minutes=1))
    assert await _alerts(h) == [
        ("decision", "warning"),
        ("decision", "breached"),
        ("execution", "warning"),  # the event itself starts three days after that
    ]
    breach = (await h.staged(events.DeadlineAlert))[1]
    assert breach.due_at == order.details.event_start - timedelta(days=2)


async def test_decision_arriving_before_the_order_still_closes_its_deadline(harness) -> None:
    h = await harness("notifications")
    order = submitted_event(now=h.clock())
    await h.deliver(_decided(order, Decision.DECLINED))
    await h.deliver(order)
    await _at(h, order.execution_due + timedelta(days=1))
    assert await _alerts(h) == []


async def test_each_district_gets_one_digest_a_day(harness) -> None:
    h = await harness("notifications")
    order = submitted_event(now=h.clock())
    await h.deliver(order)
    await h.deliver(_routed(order))
    watch = h.app.state.deadlines
    morning = order.submitted_at.replace(hour=7, minute=30) + timedelta(days=1)  # 08:30 in Denmark
    h.clock.now = morning
    assert await watch.send_digests() == 1
    assert await watch.send_digests() == 0
    h.clock.now = morning + timedelta(days=1)
    assert await watch.send_digests() == 1
    await h.app.state.mailer.send_due()
    digests = [m for m in _mails(h) if str(m["Subject"]).startswith("Dagsoversigt")]
    assert len(digests) == 2
    assert order.reference in digests[0].get_body(("plain",)).get_content()
