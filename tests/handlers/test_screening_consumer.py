"""Screening's consumer: builds each district's queue from events arriving in any order."""

from __future__ import annotations

from datetime import UTC, datetime

from services.screening import accounts, queries
from services.screening.models import QueuedOrder
from shared import events
from shared.clock import utcnow
from shared.vocabulary import Role, RoutingMethod
from tests.support import submitted_event


def _routed(order: events.OrderSubmitted, district: str = "1461") -> events.OrderRouted:
    return events.OrderRouted(
        order_id=order.order_id,
        reference=order.reference,
        district_code=district,
        district_name="Østjyllands Politi",
        method=RoutingMethod.MUNICIPALITY,
        routed_at=utcnow(),
    )


async def _officer(screening, district: str | None = "1461", role: Role = Role.OFFICER):
    async with screening.db.transaction() as session:
        return await accounts.add_officer(
            session,
            email=f"{role.value}.{district}@politi.dk",
            name="Betjent",
            district_code=district,
            role=role,
            password="a long enough password",
            now=datetime.now(UTC),
        )


async def _queue(screening, officer) -> list[QueuedOrder]:
    async with screening.db.reading() as session:
        return (await queries.list_orders(session, officer)).orders


async def test_routed_order_appears_in_its_districts_queue_only(harness) -> None:
    screening = await harness("screening")
    order = submitted_event()
    await screening.deliver(order)
    await screening.deliver(_routed(order))
    mine, other = await _officer(screening, "1461"), await _officer(screening, "1470")
    [queued] = await _queue(screening, mine)
    assert (queued.reference, queued.status, queued.category) == (
        order.reference,
        "routed",
        "traffic_control",
    )
    assert await _queue(screening, other) == []


async def test_bad_payload_is_dead_lettered(harness) -> None:
    screening = await harness("screening")
    await screening.deliver(b"\xff\xfe", "orders.routed.v1")
    [(body, headers)] = screening.dead_letters
    assert body == b"\xff\xfe"
    assert headers["x-error-type"] == "ValidationError"


async def test_redelivered_events_change_nothing_twice(harness) -> None:
    screening = await harness("screening")
    order = submitted_event()
    for event in (order, _routed(order), order, _routed(order).model_copy()):
        await screening.deliver(event)
    async with screening.db.reading() as session:
        history = await queries.activity(session, str(order.order_id))
    assert [a.kind for a in history].count("OrderSubmitted") == 1


async def test_routing_that_arrives_before_the_order_still_fills_the_queue(harness) -> None:
    screening = await harness("screening")
    order = submitted_event()
    await screening.deliver(_routed(order))
    officer = await _officer(screening)
    assert await _queue(screening, officer) == []  # nothing to screen before the content is known
    await screening.deliver(order)
    [queued] = await _queue(screening, officer)
    assert (queued.status, queued.district_code, queued.decision_due is not None) == (
        "routed",
        "1461",
        True,
    )


async def test_cancelled_order_is_marked_cancelled_in_the_queue(harness) -> None:
    screening = await harness("screening")
    order = submitted_event()
    await screening.deliver(order)
    await screening.deliver(_routed(order))
    await screening.deliver(
        events.OrderCancelled(
            order_id=order.order_id, reference=order.reference, cancelled_at=utcnow()
        )
    )
    [queued] = await _queue(screening, await _officer(screening))
    assert queued.status == "cancelled"


async def test_unroutable_order_waits_in_the_national_queue(harness) -> None:
    screening = await harness("screening")
    order = submitted_event()
    await screening.deliver(order)
    await screening.deliver(
        events.OrderUnroutable(order_id=order.order_id, reference=order.reference, reason="x")
    )
    admin = await _officer(screening, None, Role.NATIONAL_ADMIN)
    [queued] = await _queue(screening, admin)
    assert (queued.status, queued.district_code) == ("needs_routing", None)
    assert await _queue(screening, await _officer(screening, "1461")) == []


async def test_deadline_alerts_mark_the_order_and_a_late_warning_does_not_soften_a_breach(
    harness,
) -> None:
    screening = await harness("screening")
    order = submitted_event()
    await screening.deliver(order)
    await screening.deliver(_routed(order))

    def alert(state: str) -> events.DeadlineAlert:
        return events.DeadlineAlert(
            order_id=order.order_id,
            reference=order.reference,
            district_code="1461",
            kind="decision",
            state=state,
            due_at=order.decision_due,
            raised_at=utcnow(),
        )

    await screening.deliver(alert("breached"))
    await screening.deliver(alert("warning"))
    [queued] = await _queue(screening, await _officer(screening))
    assert (queued.decision_alert, queued.execution_alert) == ("breached", None)
