"""The audit trail names the orders a listing returned, and files a phone order under the
district the order was routed to."""

from __future__ import annotations

from datetime import timedelta

from services.screening import accounts, phone
from services.screening.models import Officer
from shared import events
from shared.vocabulary import Channel, Role, RoutingMethod
from tests.handlers.test_screening_web import (
    add_officer,
    audit_rows,
    new_client,
    officer_browser,
    queued,
)
from tests.support import submitted_event


async def _api_token(h, role: Role, district: str | None) -> dict[str, str]:
    email = await add_officer(h, role, district)
    async with h.db.transaction() as session:
        token = await accounts.issue_token(session, email, h.clock())
    return {"Authorization": f"Bearer {token}"}


async def test_an_api_listing_records_which_orders_it_returned_per_district(harness) -> None:
    h = await harness("screening")
    aarhus = [await queued(h, "1461"), await queued(h, "1461")]
    odense = await queued(h, "1465")
    admin = await _api_token(h, Role.NATIONAL_ADMIN, None)
    listed = (await new_client(h).get("/api/v1/orders", headers=admin)).json()["orders"]
    assert len(listed) == 3
    rows = {r.district_code: r for r in await audit_rows(h) if r.action == "listed"}
    assert sorted(rows["1461"].facts["order_ids"]) == sorted(str(o.order_id) for o in aarhus)
    assert rows["1465"].facts["order_ids"] == [str(odense.order_id)]
    assert rows["1461"].facts["count"] == 2
    # the district's coordinator finds the listing when looking for one of its orders
    coordinator = await officer_browser(h, Role.COORDINATOR, "1461")
    found = (await coordinator.get(f"/audit?reference={aarhus[0].reference}")).text
    assert "Hentede ordreliste" in _rows(found) and "2 bestillinger" in _rows(found)
    elsewhere = (await coordinator.get(f"/audit?reference={odense.reference}")).text
    assert "Hentede ordreliste" not in _rows(elsewhere)


def _rows(page: str) -> str:
    """The audit table's body (the filter above it names every action)."""
    return page.split("<tbody>")[1] if "<tbody>" in page else ""


async def _officer(h, district: str) -> Officer:
    email = await add_officer(h, Role.OFFICER, district)
    async with h.db.reading() as session:
        officer = await accounts.officer_by_email(session, email)
    assert officer is not None
    return officer


def _routed(order: events.OrderSubmitted, district: str) -> events.OrderRouted:
    return events.OrderRouted(
        order_id=order.order_id,
        reference=order.reference,
        district_code=district,
        district_name="x",
        method=RoutingMethod.MUNICIPALITY,
        routed_at=order.occurred_at + timedelta(seconds=1),
    )


async def test_a_phone_order_is_audited_under_the_district_it_is_routed_to(harness) -> None:
    h = await harness("screening")
    desk = await _officer(h, "1461")  # Østjylland takes a call about Fyn
    order = submitted_event(channel=Channel.PHONE)
    await h.deliver(order)
    await phone.record_registered(
        h.db, desk, now=h.clock(), order_id=str(order.order_id), reference=order.reference
    )
    [entry] = [r for r in await audit_rows(h) if r.action == "phone_order"]
    assert (entry.officer_id, entry.district_code) == (desk.id, None)  # not routed yet
    await h.deliver(_routed(order, "1465"))
    await h.deliver(_routed(order, "1461"))  # a later re-routing does not move the entry
    [entry] = [r for r in await audit_rows(h) if r.action == "phone_order"]
    assert entry.district_code == "1465"
    fyn = await officer_browser(h, Role.COORDINATOR, "1465")
    assert order.reference in (await fyn.get("/audit?action=phone_order")).text
    ostjylland = await officer_browser(h, Role.COORDINATOR, "1461")
    assert order.reference not in (await ostjylland.get("/audit?action=phone_order")).text


async def test_a_phone_order_routed_before_it_is_audited_gets_its_district_at_once(
    harness,
) -> None:
    h = await harness("screening")
    desk = await _officer(h, "1461")
    order = await queued(h, "1465")
    await phone.record_registered(
        h.db, desk, now=h.clock(), order_id=str(order.order_id), reference=order.reference
    )
    [entry] = [r for r in await audit_rows(h) if r.action == "phone_order"]
    assert entry.district_code == "1465"
