"""Screening's JSON API: bearer tokens, district isolation, and actions that publish their events."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.screening import accounts
from shared import events
from shared.clock import utcnow
from shared.vocabulary import Role, RoutingMethod
from tests.support import submitted_event


@pytest.fixture
async def screening(harness):
    h = await harness("screening")
    # https: outside dev the session cookie is Secure, and a client sends it over TLS only.
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=h.app), base_url="https://test")
    yield h, client
    await client.aclose()


async def _token(h, district: str | None, role: Role = Role.OFFICER) -> dict[str, str]:
    email = f"{role.value}-{district}@politi.dk"
    async with h.db.transaction() as session:
        await accounts.add_officer(
            session,
            email=email,
            name="Betjent",
            district_code=district,
            role=role,
            password="a long enough password",
            now=datetime.now(UTC),
        )
        token = await accounts.issue_token(session, email, datetime.now(UTC))
    return {"Authorization": f"Bearer {token}"}


async def _queued(h, district: str = "1461") -> events.OrderSubmitted:
    order = submitted_event()
    await h.deliver(order)
    await h.deliver(
        events.OrderRouted(
            order_id=order.order_id,
            reference=order.reference,
            district_code=district,
            district_name="x",
            method=RoutingMethod.MUNICIPALITY,
            routed_at=utcnow(),
        )
    )
    return order


async def test_without_a_valid_token_nothing_is_shown(screening) -> None:
    _, client = screening
    assert (await client.get("/api/v1/orders")).status_code == 401
    assert (
        await client.get("/api/v1/orders", headers={"Authorization": "Bearer nope"})
    ).status_code == 401


async def test_officer_sees_own_district_and_gets_404_for_another(screening) -> None:
    h, client = screening
    mine, theirs = await _queued(h, "1461"), await _queued(h, "1470")
    auth = await _token(h, "1461")
    listed = (await client.get("/api/v1/orders", headers=auth)).json()["orders"]
    assert [o["reference"] for o in listed] == [mine.reference]
    assert listed[0]["order"]["requester"]["email"] == "mette.hansen@example.dk"
    assert (await client.get(f"/api/v1/orders/{theirs.order_id}", headers=auth)).status_code == 404
    decide = await client.post(
        f"/api/v1/orders/{theirs.order_id}/decision",
        headers=auth,
        json={"decision": "accepted", "reason_code": "accepted", "message": "Ja"},
    )
    assert decide.status_code == 404
    assert await h.staged() == []


async def test_national_admin_sees_every_district(screening) -> None:
    h, client = screening
    await _queued(h, "1461")
    await _queued(h, "1470")
    auth = await _token(h, None, Role.NATIONAL_ADMIN)
    assert len((await client.get("/api/v1/orders", headers=auth)).json()["orders"]) == 2


async def test_accept_schedule_complete_publish_their_events_in_order(screening) -> None:
    h, client = screening
    order = await _queued(h)
    auth = await _token(h, "1461")
    base = f"/api/v1/orders/{order.order_id}"
    start = datetime.now(UTC) + timedelta(days=5)
    steps = [
        (
            "decision",
            {"decision": "accepted", "reason_code": "accepted", "message": "Vi laver en kontrol."},
        ),
        (
            "schedule",
            {
                "planned_start": start.isoformat(),
                "planned_end": (start + timedelta(hours=2)).isoformat(),
                "note": "Morgen",
            },
        ),
        (
            "complete",
            {"summary": "Hastighedskontrol gennemført.", "vehicles_checked": 212, "violations": 9},
        ),
    ]
    for path, body in steps:
        response = await client.post(f"{base}/{path}", headers=auth, json=body)
        assert response.status_code == 200, response.text
    assert (await client.get(base, headers=auth)).json()["status"] == "completed"
    staged = await h.staged()
    assert [type(e).__name__ for e in staged] == [
        "OrderScreened",
        "OrderScheduled",
        "OrderCompleted",
    ]
    assert staged[2].vehicles_checked == 212 and staged[0].decided_by != "Betjent"


async def test_deciding_twice_is_refused(screening) -> None:
    h, client = screening
    order = await _queued(h)
    auth = await _token(h, "1461")
    body = {
        "decision": "declined",
        "reason_code": "no_capacity",
        "message": "Vi har ikke kapacitet.",
    }
    assert (
        await client.post(f"/api/v1/orders/{order.order_id}/decision", headers=auth, json=body)
    ).status_code == 200
    again = await client.post(f"/api/v1/orders/{order.order_id}/decision", headers=auth, json=body)
    assert again.status_code == 409
    assert len(await h.staged(events.OrderScreened)) == 1


async def test_decline_needs_a_reason_other_than_accepted(screening) -> None:
    h, client = screening
    order = await _queued(h)
    auth = await _token(h, "1461")
    response = await client.post(
        f"/api/v1/orders/{order.order_id}/decision",
        headers=auth,
        json={"decision": "declined", "reason_code": "accepted", "message": "Nej"},
    )
    assert response.status_code == 422


async def test_scheduling_after_the_execution_deadline_warns(screening) -> None:
    h, client = screening
    order = await _queued(h)
    auth = await _token(h, "1461")
    await client.post(
        f"/api/v1/orders/{order.order_id}/decision",
        headers=auth,
        json={"decision": "accepted", "reason_code": "accepted", "message": "Ja"},
    )
    late = order.execution_due + timedelta(days=3)
    response = await client.post(
        f"/api/v1/orders/{order.order_id}/schedule",
        headers=auth,
        json={"planned_start": late.isoformat()},
    )
    assert response.status_code == 200
    assert response.json()["warning"] == "planned after the execution deadline"


async def test_reroute_requests_another_district(screening) -> None:
    h, client = screening
    order = await _queued(h)
    auth = await _token(h, "1461")
    response = await client.post(
        f"/api/v1/orders/{order.order_id}/reroute",
        headers=auth,
        json={"to_district": "1470", "reason": "Vejen ligger i København"},
    )
    assert response.status_code == 200
    [reroute] = await h.staged(events.RerouteRequested)
    assert (reroute.from_district, reroute.to_district) == ("1461", "1470")
    unknown = await client.post(
        f"/api/v1/orders/{order.order_id}/reroute",
        headers=auth,
        json={"to_district": "9999", "reason": "x"},
    )
    assert unknown.status_code == 422


async def test_stats_count_the_callers_district(screening) -> None:
    h, client = screening
    await _queued(h, "1461")
    await _queued(h, "1470")
    stats = (await client.get("/api/v1/stats", headers=await _token(h, "1461"))).json()
    assert stats["total"] == 1 and stats["by_category"] == {"traffic_control": 1}


async def test_queue_page_needs_sign_in_and_shows_the_district(screening) -> None:
    h, client = screening
    order = await _queued(h)
    await _token(h, "1461")
    assert (await client.get("/")).status_code == 302
    # The sign-in form carries a CSRF token (double-submitted with a cookie): fetch it first.
    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    login = await client.post(
        "/login",
        data={
            "email": "officer-1461@politi.dk",
            "password": "a long enough password",
            "csrf_token": token,
        },
    )
    assert login.status_code == 303
    page = await client.get("/")
    assert (
        page.status_code == 200
        and order.reference in page.text
        and "Østjyllands Politi" in page.text
    )
    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    bad = await client.post(
        "/login",
        data={"email": "officer-1461@politi.dk", "password": "wrong", "csrf_token": token},
    )
    assert bad.status_code == 401
