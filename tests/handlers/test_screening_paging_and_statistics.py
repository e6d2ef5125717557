"""Screening at scale: the API's listing in pages (cursor, limit, updated_since), the monthly
summary the consumer and the officers' actions keep, and the queue's capped count."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import delete, insert
from sqlmodel import select

from bench.queue_page import generate
from services.screening import accounts, monthly, queries, statistics
from services.screening.models import MonthlyCount, Officer, QueuedOrder, QueueEntry
from services.screening.projection import entry_values
from shared import events
from shared.db import execute
from shared.vocabulary import Role, RoutingMethod
from tests.support import submitted_event


@pytest.fixture
async def screening(harness):
    h = await harness("screening")
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
            now=h.clock(),
        )
        token = await accounts.issue_token(session, email, h.clock())
    return {"Authorization": f"Bearer {token}"}


def _officer(district: str | None, role: Role = Role.OFFICER) -> Officer:
    return Officer(
        id=f"{role.value}-{district}",
        email="x@politi.dk",
        name="x",
        district_code=district,
        role=role.value,
        password_hash="x",
        created_at=datetime.now(UTC),
    )


async def _queued(h, district: str = "1461", now: datetime | None = None) -> events.OrderSubmitted:
    order = submitted_event(now=now or h.clock())
    await h.deliver(order)
    await h.deliver(
        events.OrderRouted(
            order_id=order.order_id,
            reference=order.reference,
            district_code=district,
            district_name="x",
            method=RoutingMethod.MUNICIPALITY,
            routed_at=now or h.clock(),
        )
    )
    return order


async def _walk(client, auth, limit: int, **params) -> tuple[list[dict], int]:
    """Every page of a listing: the orders in the order given, and how many pages."""
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/v1/orders", headers=auth, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += body["orders"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, pages


async def _decide(client, auth, order_id, reason: str = "accepted") -> None:
    response = await client.post(
        f"/api/v1/orders/{order_id}/decision",
        headers=auth,
        json={
            "decision": "accepted" if reason == "accepted" else "declined",
            "reason_code": reason,
            "message": "Svar",
        },
    )
    assert response.status_code == 200, response.text


# --- paging ------------------------------------------------------------------------------------


async def test_the_pages_walk_every_order_once_soonest_deadline_first(screening) -> None:
    h, client = screening
    orders = []
    for _ in range(5):
        orders.append(await _queued(h))
        h.clock.advance(timedelta(hours=1))
    orders.append(await _queued(h, now=orders[0].submitted_at))  # the same deadline as the first
    seen, pages = await _walk(client, await _token(h, "1461"), limit=2)
    expected = sorted(orders, key=lambda o: (o.decision_due, o.reference))
    assert [o["reference"] for o in seen] == [o.reference for o in expected]
    assert pages == 3


async def test_without_a_limit_a_page_holds_up_to_500_as_the_listing_always_did(screening) -> None:
    h, client = screening
    await _queued(h)
    body = (await client.get("/api/v1/orders", headers=await _token(h, "1461"))).json()
    assert len(body["orders"]) == 1 and body["next_cursor"] is None


async def test_polling_sees_every_change_once_and_misses_none(screening) -> None:
    h, client = screening
    since = h.clock() - timedelta(minutes=1)
    orders = [await _queued(h) for _ in range(6)]
    auth = await _token(h, "1461")
    first = (
        await client.get(
            "/api/v1/orders", headers=auth, params={"updated_since": since.isoformat(), "limit": 2}
        )
    ).json()
    seen_first = [o["order_id"] for o in first["orders"]]
    unseen = next(str(o.order_id) for o in orders if str(o.order_id) not in seen_first)
    h.clock.advance(timedelta(minutes=5))
    await _decide(client, auth, seen_first[0])  # an order already read changes
    await _decide(client, auth, unseen)  # and one not read yet
    rest, _ = await _walk(
        client, auth, limit=2, updated_since=since.isoformat(), cursor=first["next_cursor"]
    )
    listed = seen_first + [o["order_id"] for o in rest]
    assert set(listed) == {str(o.order_id) for o in orders}  # none missed
    assert listed.count(seen_first[0]) == 2  # read again, in its new state
    assert listed.count(unseen) == 1  # read once, in its new state
    assert len(listed) == len(orders) + 1
    assert [o["status"] for o in rest[-2:]] == ["accepted", "accepted"]
    later = (
        await client.get(
            "/api/v1/orders",
            headers=auth,
            params={"updated_since": h.clock().isoformat()},
        )
    ).json()
    assert {o["order_id"] for o in later["orders"]} == {seen_first[0], unseen}


@pytest.mark.parametrize(("limit", "code"), [(0, 422), (501, 422), (500, 200), (1, 200)])
async def test_a_page_holds_1_to_500_orders(screening, limit: int, code: int) -> None:
    h, client = screening
    auth = await _token(h, "1461")
    assert (await client.get(f"/api/v1/orders?limit={limit}", headers=auth)).status_code == code


async def test_updated_since_must_say_its_offset(screening) -> None:
    h, client = screening
    auth = await _token(h, "1461")
    naive = await client.get("/api/v1/orders?updated_since=2026-12-01T08:00:00", headers=auth)
    assert naive.status_code == 422


async def test_a_cursor_the_api_did_not_hand_out_is_a_clear_400(screening) -> None:
    h, client = screening
    auth = await _token(h, "1461")
    response = await client.get("/api/v1/orders?cursor=bm9wZQ", headers=auth)
    assert response.status_code == 400
    assert "the cursor is not one this API handed out" in response.text


async def test_a_cursor_of_the_deadline_listing_does_not_continue_a_poll(screening) -> None:
    h, client = screening
    await _queued(h)
    await _queued(h)
    auth = await _token(h, "1461")
    cursor = (await client.get("/api/v1/orders?limit=1", headers=auth)).json()["next_cursor"]
    response = await client.get(
        "/api/v1/orders",
        headers=auth,
        params={"cursor": cursor, "updated_since": "2026-01-01T00:00:00Z"},
    )
    assert response.status_code == 400 and "without updated_since" in response.text


async def test_the_pages_keep_to_the_callers_district(screening) -> None:
    h, client = screening
    mine = [await _queued(h, "1461") for _ in range(3)]
    theirs = [await _queued(h, "1470") for _ in range(2)]
    auth = await _token(h, "1461")
    seen, _ = await _walk(client, auth, limit=1)
    assert {o["order_id"] for o in seen} == {str(o.order_id) for o in mine}
    polled, _ = await _walk(client, auth, limit=1, updated_since="2000-01-01T00:00:00Z")
    assert {o["order_id"] for o in polled} == {str(o.order_id) for o in mine}
    everyone, _ = await _walk(client, await _token(h, None, Role.NATIONAL_ADMIN), limit=2)
    assert {o["order_id"] for o in everyone} == {str(o.order_id) for o in mine + theirs}


# --- the monthly summary -------------------------------------------------------------------------


async def _both(h, officer: Officer, **scope) -> tuple[dict, dict]:
    kept = await statistics.statistics(h.db, officer, **scope)
    counted = await statistics.grouped_statistics(h.db, officer, **scope)
    return kept.as_json(), counted.as_json()


async def test_the_consumer_and_the_officers_actions_keep_the_summary_equal_to_a_count(
    screening,
) -> None:
    h, client = screening
    orders = [await _queued(h, "1461") for _ in range(4)] + [await _queued(h, "1470")]
    auth = await _token(h, "1461")
    await _decide(client, auth, orders[0].order_id)
    await _decide(client, auth, orders[1].order_id, "no_capacity")
    h.clock.advance(timedelta(days=16))
    await _decide(client, auth, orders[2].order_id)  # late
    start = (h.clock() + timedelta(days=1)).isoformat()
    schedule = {"planned_start": start, "note": "Formiddag"}
    assert (
        await client.post(
            f"/api/v1/orders/{orders[2].order_id}/schedule", headers=auth, json=schedule
        )
    ).status_code == 200
    completed = await client.post(
        f"/api/v1/orders/{orders[2].order_id}/complete",
        headers=auth,
        json={"summary": "Kontrol udført", "vehicles_checked": 40, "violations": 3},
    )
    assert completed.status_code == 200, completed.text
    reroute = {"to_district": "1470", "reason": "Forkert kreds"}
    assert (
        await client.post(
            f"/api/v1/orders/{orders[3].order_id}/reroute", headers=auth, json=reroute
        )
    ).status_code == 200
    await h.deliver(orders[0])  # a redelivered event counts nothing twice
    admin = _officer(None, Role.NATIONAL_ADMIN)
    kept, counted = await _both(h, admin, now=h.clock())
    assert kept == counted
    assert kept["total"] == 5 and kept["by_district"] == {"1461": 4, "1470": 1}
    assert kept["by_status"] == {"accepted": 1, "declined": 1, "completed": 1, "routed": 2}
    assert kept["decisions"]["count"] == 3 and kept["decisions"]["within_deadline"] == 2
    assert kept["executions"] == {"count": 1, "within_deadline": 1, "share_within_deadline": 1.0}
    assert kept["open_decisions_overdue"] == 2
    for district in ("1461", "1470"):
        kept, counted = await _both(h, _officer(district), now=h.clock())
        assert kept == counted, district


async def test_an_order_at_23_30_utc_on_the_last_day_counts_in_the_next_danish_month(
    screening,
) -> None:
    h, client = screening
    h.clock.now = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)
    await _queued(h, now=datetime(2026, 1, 31, 23, 30, tzinfo=UTC))
    await _queued(h, now=datetime(2026, 1, 31, 22, 30, tzinfo=UTC))
    stats = (await client.get("/api/v1/stats", headers=await _token(h, "1461"))).json()
    assert stats["by_month"] == {"2026-01": 1, "2026-02": 1}
    counted = await statistics.grouped_statistics(h.db, _officer("1461"))
    assert counted.as_json()["by_month"] == {"2026-01": 1, "2026-02": 1}
    since_february = (
        await client.get(
            "/api/v1/stats?since=2026-02-01", headers=await _token(h, "1461", Role.COORDINATOR)
        )
    ).json()
    assert since_february["total"] == 1 and since_february["by_month"] == {"2026-02": 1}


async def _seed(h, count: int, now: datetime) -> None:
    rows = generate(count, now, seed=3)
    while chunk := list(itertools.islice(rows, 500)):
        async with h.db.transaction() as session:
            await execute(session, insert(QueuedOrder.__table__), chunk)
            await execute(
                session,
                insert(QueueEntry.__table__),
                [entry_values(QueuedOrder(**row)) for row in chunk],
            )


async def test_the_summary_built_at_start_up_equals_the_grouped_count(screening) -> None:
    h, _ = screening
    now = h.clock()
    await _seed(h, 1500, now)
    assert await monthly.build(h.db) == 1500
    assert await monthly.build(h.db) is None  # built once: a restart counts nothing again
    mid_month = now - timedelta(days=200)
    scopes = [
        {},
        {"now": now},
        {"since": mid_month, "now": now},
        {"since": monthly.month_start(monthly.month_of(mid_month))},
        {"district_code": "1470", "since": mid_month},
    ]
    admin = _officer(None, Role.NATIONAL_ADMIN)
    for scope in scopes:
        kept, counted = await _both(h, admin, **scope)
        assert kept == counted, scope
        assert kept["total"] > 0
    kept, counted = await _both(h, _officer("1470"), now=now)
    assert kept == counted and set(kept["by_district"]) == {"1470"}
    async with h.db.transaction() as session:  # emptied to be rebuilt: counted again
        await execute(session, delete(MonthlyCount))
    assert await monthly.build(h.db) == 1500
    kept, counted = await _both(h, admin, now=now)
    assert kept == counted


async def test_the_summary_is_a_few_rows_per_district_month_and_category(screening) -> None:
    h, _ = screening
    await _queued(h)
    await _queued(h)
    async with h.db.reading() as session:
        rows = (await session.exec(select(MonthlyCount))).all()
    month = monthly.month_of(h.clock())
    assert {(r.district_code, r.month, r.category, r.measure): r.value for r in rows} == {
        ("1461", month, "traffic_control", "orders"): 2,
        ("1461", month, "traffic_control", "status:routed"): 2,
        ("", month, "traffic_control", "status:received"): 0,  # before routing: moved on
        ("", month, "traffic_control", "orders"): 0,
    }


# --- the queue's capped count --------------------------------------------------------------------


async def test_the_queue_says_more_than_the_cap_instead_of_counting_the_archive(
    screening, monkeypatch
) -> None:
    h, _ = screening
    for _ in range(5):
        await _queued(h)
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    async with h.db.reading() as session:
        found = await queries.queue_page(
            session,
            _officer("1461"),
            queries.QueueFilter(status="all"),
            page=0,
            page_size=50,
        )
    assert found.more and found.total == 3 and len(found.rows) == 5
    async with h.db.reading() as session:
        deep = await queries.queue_page(
            session, _officer("1461"), queries.QueueFilter(status="all"), page=2, page_size=2
        )
    assert [r.reference for r in deep.rows] == [found.rows[4].reference]


async def test_the_queue_page_says_more_than_and_pages_by_next_links(
    screening, monkeypatch
) -> None:
    from tests.handlers.test_screening_web import officer_browser

    h, _ = screening
    for _ in range(5):
        await _queued(h)
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    browser = await officer_browser(h)
    page = (await browser.get("/?status=all")).text
    assert "Viser 1–5 af flere end 3 bestillinger" in page
    assert "Side 1 af" not in page
