"""An order's whole life across four processes: HTTP in, Kafka between, email out."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.e2e.conftest import System, officer
from tests.support import event_order, eventually, talk_order, traffic_order

pytestmark = pytest.mark.e2e


async def test_orders_travel_from_citizen_to_officer_and_back_by_email(system: System) -> None:
    national = officer(system, None, "national_admin")
    aarhus, fyn, bornholm = (
        officer(system, "1461"),
        officer(system, "1465"),
        officer(system, "1471"),
    )
    async with httpx.AsyncClient(timeout=10) as http:
        intake, screening = system.url("intake"), system.url("screening")
        placed = {}
        orders = {
            "traffic": traffic_order(),
            "talk": talk_order(),
            "event": event_order(datetime.now(UTC), starts_in=timedelta(days=10)),
            "unroutable": traffic_order(location={"postal_code": "4000"}),
        }
        for name, order in orders.items():
            response = await http.post(f"{intake}/api/v1/orders", json=order)
            assert response.status_code == 201, response.text
            placed[name] = response.json()
        assert placed["event"]["urgent"] is True

        async def status(name: str) -> dict:
            body = placed[name]
            response = await http.get(
                f"{intake}/api/v1/orders/{body['reference']}",
                params={"token": body["status_token"]},
            )
            return response.json()

        async def queued(auth: dict[str, str], name: str) -> dict | None:
            response = await http.get(f"{screening}/api/v1/orders", headers=auth)
            return next(
                (
                    o
                    for o in response.json()["orders"]
                    if o["reference"] == placed[name]["reference"]
                ),
                None,
            )

        # routing: each order reaches its district's queue, and the citizen sees where it went
        for name, auth, district in (
            ("traffic", aarhus, "1461"),
            ("talk", fyn, "1465"),
            ("event", bornholm, "1471"),
        ):
            found = await eventually(
                lambda a=auth, n=name: queued(a, n), what=f"{name} in {district}'s queue"
            )
            assert found["district_code"] == district and found["routing_method"] == "municipality"
            await eventually(lambda n=name: _has_status(status(n), "routed"), what=f"{name} routed")
        assert await queued(aarhus, "talk") is None  # another district's order is not shown

        # an order no rule can route waits for a national admin, who routes it by hand
        async def needs_routing() -> dict | None:
            found = await queued(national, "unroutable")
            return found if found and found["status"] == "needs_routing" else None

        # its submission and routing's verdict come on two topics: wait for the verdict
        stuck = await eventually(needs_routing, what="unroutable order waiting for routing")
        assert stuck["district_code"] is None
        reroute = await http.post(
            f"{screening}/api/v1/orders/{stuck['order_id']}/reroute",
            headers=national,
            json={"to_district": "1467", "reason": "Roskilde by"},
        )
        assert reroute.status_code == 200
        await eventually(lambda: _has_status(status("unroutable"), "routed"), what="manual routing")
        assert (await status("unroutable"))["district"]["code"] == "1467"

        # officers decide
        traffic, talk, event = (
            await queued(aarhus, "traffic"),
            await queued(fyn, "talk"),
            await queued(bornholm, "event"),
        )
        ok = await http.post(
            f"{screening}/api/v1/orders/{traffic['order_id']}/decision",
            headers=aarhus,
            json={
                "decision": "accepted",
                "reason_code": "accepted",
                "message": "Vi sætter en hastighedskontrol op.",
            },
        )
        no = await http.post(
            f"{screening}/api/v1/orders/{talk['order_id']}/decision",
            headers=fyn,
            json={
                "decision": "declined",
                "reason_code": "no_capacity",
                "message": "We have no speaker free this month.",
            },
        )
        yes = await http.post(
            f"{screening}/api/v1/orders/{event['order_id']}/decision",
            headers=bornholm,
            json={"decision": "accepted", "reason_code": "accepted", "message": "Vi kommer."},
        )
        start = datetime.now(UTC) + timedelta(days=9)
        scheduled = await http.post(
            f"{screening}/api/v1/orders/{event['order_id']}/schedule",
            headers=bornholm,
            json={
                "planned_start": start.isoformat(),
                "planned_end": (start + timedelta(hours=4)).isoformat(),
                "note": "To betjente",
            },
        )
        assert [r.status_code for r in (ok, no, yes, scheduled)] == [200, 200, 200, 200]

        await eventually(
            lambda: _has_status(status("traffic"), "accepted"), what="traffic accepted"
        )
        await eventually(lambda: _has_status(status("talk"), "declined"), what="talk declined")
        await eventually(lambda: _has_status(status("event"), "scheduled"), what="event scheduled")
        declined = await status("talk")
        assert declined["history"][-1]["message"] == "We have no speaker free this month."

    # the citizens' emails, on a real SMTP server
    async def mails_arrived() -> bool:
        return len(system.inbox.messages) >= 8

    await eventually(mails_arrived, what="eight emails")
    await asyncio.sleep(1)  # a duplicate, if any were sent, would arrive right behind
    subjects = {
        name: sorted(str(m["Subject"]) for m in system.inbox.about(placed[name]["reference"]))
        for name in placed
    }
    assert len(subjects["traffic"]) == 2 and any("imødekommet" in s for s in subjects["traffic"])
    assert len(subjects["talk"]) == 2 and any("declined" in s for s in subjects["talk"])
    assert len(subjects["event"]) == 3
    assert len(subjects["unroutable"]) == 1
    counts = Counter(str(m["Message-ID"]) for m in system.inbox.messages)
    assert max(counts.values()) == 1, "an email was sent twice"
    [calendar_mail] = [
        m
        for m in system.inbox.about(placed["event"]["reference"])
        if m.get_content_type() == "multipart/mixed"
    ]
    ics = next(
        p for p in calendar_mail.iter_attachments() if p.get_content_type() == "text/calendar"
    )
    assert f"DTSTART:{start.strftime('%Y%m%dT%H%M%SZ')}" in ics.get_content()
    receipt = next(
        m
        for m in system.inbox.about(placed["traffic"]["reference"])
        if "modtaget" in str(m["Subject"]).lower()
    )
    assert placed["traffic"]["status_url"] in receipt.get_body(("plain",)).get_content()


async def _has_status(pending, wanted: str) -> bool:
    return (await pending)["status"] == wanted
