"""Screening writes the agencies' stream: one public message per step that changed the order's
public state, keyed and named by its public id, with no correlation id or trace."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from services.screening import accounts
from shared import events
from shared.clock import utcnow
from shared.db import execute
from shared.messaging.store import outbox_headers
from shared.public_ids import public_id
from shared.vocabulary import DeadlineKind, DeadlineState, Role, RoutingMethod
from tests.support import submitted_event


@pytest.fixture
async def screening(harness):
    h = await harness("screening")
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=h.app), base_url="https://test")
    async with h.db.transaction() as session:
        await accounts.add_officer(
            session,
            email="betjent@politi.dk",
            name="Betjent",
            district_code="1461",
            role=Role.OFFICER,
            password="a long enough password",
            now=datetime.now(UTC),
        )
        token = await accounts.issue_token(session, "betjent@politi.dk", datetime.now(UTC))
    client.headers["Authorization"] = f"Bearer {token}"
    yield h, client
    await client.aclose()


def _routed(order: events.OrderSubmitted) -> events.OrderRouted:
    return events.OrderRouted(
        order_id=order.order_id,
        reference=order.reference,
        district_code="1461",
        district_name="Østjyllands Politi",
        method=RoutingMethod.MUNICIPALITY,
        routed_at=utcnow(),
    )


def _ids(order: events.OrderSubmitted) -> dict:
    return {"order_id": order.order_id, "reference": order.reference, "correlation_id": "c-1"}


async def _public(h) -> list[tuple[str, dict[str, str], events.PublicOrderEvent]]:
    """The public records screening staged: key, headers, message (oldest first)."""
    table = h.runtime.relay.store.outbox
    async with h.db.reading() as session:
        rows = (
            await execute(
                session,
                select(table.c.key, table.c.headers, table.c.payload)
                .where(table.c.topic == "public.orders.v1")
                .order_by(table.c.id),
            )
        ).all()
    return [
        (
            row.key,
            outbox_headers(row.headers),
            events.PublicOrderEvent.model_validate_json(row.payload),
        )
        for row in rows
    ]


async def _act(client, order, action: str, body: dict) -> None:
    response = await client.post(f"/api/v1/orders/{order.order_id}/{action}", json=body)
    assert response.status_code == 200, response.text


async def test_a_lifecycle_gives_one_public_message_per_public_change(screening) -> None:
    h, client = screening
    order = submitted_event()
    await h.deliver(order)
    await h.deliver(_routed(order))
    await _act(client, order, "questions", {"question": "Hvornår på dagen?"})
    await h.deliver(events.InfoProvided(**_ids(order), answer="Om morgenen", answered_at=utcnow()))
    await h.deliver(
        events.DeadlineAlert(
            **_ids(order),
            kind=DeadlineKind.DECISION,
            state=DeadlineState.WARNING,
            due_at=order.decision_due,
            raised_at=utcnow(),
        )
    )
    await _act(client, order, "decision", {"decision": "accepted", "reason_code": "accepted",
                                           "message": "Vi kommer"})  # fmt: skip
    planned = (utcnow() + timedelta(days=5)).isoformat()
    await _act(client, order, "schedule", {"planned_start": planned, "note": "Hold 3"})
    await _act(client, order, "schedule", {"planned_start": planned, "note": "Hold 4"})
    await _act(client, order, "complete", {"summary": "Kontrol udført", "vehicles_checked": 212,
                                           "violations": 9})  # fmt: skip
    await h.deliver(
        events.FeedbackReceived(
            **_ids(order), carried_out_seen=True, rating=5, comment="Tak", received_at=utcnow()
        )
    )

    published = await _public(h)
    assert [m.status for _, _, m in published] == [
        "received",
        "routed",
        "info_requested",
        "routed",
        "accepted",
        "scheduled",
        "completed",
    ]  # the warning, the re-scheduling and the feedback changed nothing public
    pid = str(public_id(order.order_id))
    for key, headers, message in published:
        assert key == pid == str(message.public_id)
        assert headers["ce_subject"] == pid
        assert headers["ce_type"] == "dk.politi.bestil.PublicOrderEvent.v1"
        assert headers["ce_source"] == "/bestil-en-betjent/screening"
        assert headers["ce_id"] == str(message.event_id)
        assert "correlation_id" not in headers and "traceparent" not in headers
    *_, scheduled, completed = [m for _, _, m in published]
    assert (scheduled.road, scheduled.location, scheduled.decision_deadline_met) == (
        None,
        None,
        True,
    )
    assert (completed.road, completed.vehicles_checked, completed.violations) == (
        "Skovvejen",
        212,
        9,
    )
    assert completed.execution_deadline_met is True
    assert order.reference not in json.dumps([h for _, h, _ in published])


async def test_redelivered_event_publishes_nothing_twice(screening) -> None:
    h, _ = screening
    order = submitted_event()
    for event in (order, _routed(order), order, _routed(order)):
        await h.deliver(event)
    assert [m.status for _, _, m in await _public(h)] == ["received", "routed"]


async def test_events_out_of_order_still_end_in_the_whole_public_state(screening) -> None:
    h, _ = screening
    order = submitted_event(now=utcnow() - timedelta(seconds=5))  # routed later, heard first
    await h.deliver(_routed(order))
    await h.deliver(order)
    first, second = [m for _, _, m in await _public(h)]
    assert (first.status, first.category, first.district_code) == ("routed", None, "1461")
    assert (second.status, second.category, second.district_code) == (
        "routed",
        "traffic_control",
        "1461",
    )
    assert second.occurred_at >= first.occurred_at  # the newest state is the latest message


async def test_a_breached_deadline_is_published_as_missed(screening) -> None:
    h, _ = screening
    order = submitted_event()
    await h.deliver(order)
    await h.deliver(
        events.DeadlineAlert(
            **_ids(order),
            kind=DeadlineKind.DECISION,
            state=DeadlineState.BREACHED,
            due_at=order.decision_due,
            raised_at=utcnow(),
        )
    )
    *_, last = [m for _, _, m in await _public(h)]
    assert (last.status, last.decision_deadline_met) == ("received", False)
