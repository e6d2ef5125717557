"""An officer's morning in real headless Chromium, with every service running as a process.

Citizens order through intake's API; the officer signs in, finds the most urgent order first,
decides three neighbours' orders about one road together, schedules and completes one of them,
and the citizen's status page (intake) then shows it carried out. A phone order registered in
the workspace enters through intake and comes back to the queue over Kafka.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.danish_time import COPENHAGEN
from tests.browser.workspace.conftest import (
    PASSWORD,
    assert_accessible,
    screenshot,
    sign_in,
    unique_email,
)
from tests.e2e.conftest import System
from tests.support import event_order, requester, traffic_order

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

ROAD = {"road": "Skovvejen", "problem": "speeding", "speed_limit_kmh": 40}


def neighbour(name: str, email: str, address: str, road: str, **extra: Any) -> dict[str, Any]:
    return traffic_order(
        requester=requester(name=name, email=email),
        location={
            "address": address,
            "postal_code": "8240",
            "city": "Risskov",
            "municipality_code": "751",
        },
        details={**ROAD, "road": road},
        **extra,
    )


def festival(order: dict[str, Any]) -> dict[str, Any]:
    """An event in Aarhus that starts in ten days: urgent, decided two days before it starts."""
    return {
        **order,
        "location": {"postal_code": "8000", "city": "Aarhus C", "municipality_code": "751"},
        "details": {**order["details"], "event_name": "Aarhus Festuge", "venue": "Rådhuspladsen"},
    }


async def until(probe, what: str, within: float = 60.0) -> Any:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = await probe()
        if found:
            return found
        await asyncio.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


async def test_an_officers_morning_from_queue_to_the_citizens_status_page(
    workspace_system: System, officer_context
) -> None:
    system = workspace_system
    email = unique_email("officer")
    system.bestil(
        "officer", "add", "--email", email, "--name", "Peter Sørensen",
        "--district", "1461", "--role", "officer", stdin=PASSWORD + "\n",
    )  # fmt: skip
    token = system.bestil("officer", "token", "--email", email)
    api = {"Authorization": f"Bearer {token}"}
    intake, screening = system.url("intake"), system.url("screening")

    async with httpx.AsyncClient(timeout=15) as http:
        orders = {
            "first": neighbour("Mette Hansen", "mette@example.dk", "Skovvejen 12",
                               "Skovvejen mellem nr. 2 og 40"),
            "second": neighbour("Jens Jensen", "jens@example.dk", "Skovvejen 31",
                                "skovvejen ved nr. 31"),
            "third": neighbour("Anna Berg", "anna@example.dk", "Skovvejen 7", "Skovvejen",
                               language="en"),
            "event": festival(event_order(datetime.now(UTC), starts_in=timedelta(days=10))),
        }  # fmt: skip
        placed = {}
        for name, body in orders.items():
            response = await http.post(f"{intake}/api/v1/orders", json=body)
            assert response.status_code == 201, response.text
            placed[name] = response.json()
        assert placed["event"]["urgent"] is True

        async def all_queued() -> bool:
            listed = (await http.get(f"{screening}/api/v1/orders", headers=api)).json()["orders"]
            return {o["reference"] for o in listed} >= {p["reference"] for p in placed.values()}

        await until(all_queued, "the four orders in Østjylland's queue")

        page = await (await officer_context(screening)).new_page()
        await sign_in(page, email)
        # the most urgent order first: the event, whose decision is due before its start
        first_row = page.locator("tbody tr").first
        assert await first_row.get_attribute("data-reference") == placed["event"]["reference"]
        assert "Haster" in await first_row.inner_text()
        await assert_accessible(page, "flow-queue")
        await screenshot(page, "20-flow-queue")

        # find the first neighbour by reference, and take the other two along
        await page.get_by_label("Søg på reference").fill(placed["first"]["reference"])
        await page.get_by_role("button", name="Vis").click()
        await page.get_by_role("link", name=placed["first"]["reference"]).click()
        await page.locator("#nearby-form").wait_for()
        for name in ("second", "third"):
            ref = placed[name]["reference"]
            await page.get_by_label(f"Behandl {ref} sammen med denne").check()
        await page.get_by_role("button", name="Behandl valgte sammen med denne").click()
        await page.locator("#group-banner").wait_for()
        await assert_accessible(page, "flow-group")
        await page.get_by_label("Afgørelse og begrundelse").select_option("accepted")
        await page.get_by_role("button", name="Send afgørelse til 3 borgere").click()
        await page.locator("#done-message").wait_for()
        assert "3 bestillinger" in await page.locator("#done-message").inner_text()
        await screenshot(page, "21-flow-decided")

        # schedule the first one, three days from now at nine
        start = (datetime.now(COPENHAGEN) + timedelta(days=3)).replace(hour=9, minute=0)
        await page.get_by_label("Start", exact=True).fill(start.strftime("%Y-%m-%dT%H:%M"))
        await page.get_by_label(re.compile("^Bemærkning til borgeren")).fill("Vi står ved skolen.")
        await page.get_by_role("button", name="Planlæg", exact=True).click()
        await page.locator("#done-message").wait_for()
        assert "Planlægningen er sendt" in await page.locator("#done-message").inner_text()

        # and complete it
        await page.get_by_label(re.compile("^Offentlig opsummering")).fill(
            "Hastighedskontrol på Skovvejen kl. 7-9. 4 ud af 120 bilister kørte for stærkt."
        )
        await page.get_by_label(re.compile("^Kontrollerede køretøjer")).fill("120")
        await page.get_by_label(re.compile("^Overtrædelser")).fill("4")
        await page.get_by_role("button", name="Registrér som udført").click()
        await page.locator("#done-message").wait_for()
        assert "Udført" in await page.locator(".order-badges").inner_text()
        await assert_accessible(page, "flow-completed")
        await screenshot(page, "22-flow-completed")

        # the citizen's status page on intake shows it carried out
        citizen = await page.context.new_page()
        status_url = placed["first"]["status_url"]

        async def shows_completed() -> bool:
            await citizen.goto(status_url)
            return (await citizen.locator("#order-status").inner_text()).strip() == "Udført"

        await until(shows_completed, "the citizen's status page to show the completion")
        assert "4 ud af 120 bilister" in await citizen.content()
        await screenshot(citizen, "23-flow-citizen-status")

        async def status_of(name: str) -> str:
            body = placed[name]
            response = await http.get(
                f"{intake}/api/v1/orders/{body['reference']}",
                params={"token": body["status_token"]},
            )
            return response.json()["status"]

        for name in ("second", "third"):
            await until(
                lambda n=name: _is(status_of(n), "accepted"), f"{name} accepted for its citizen"
            )

        # an order taken by phone enters through intake and comes back to the queue
        await page.goto("/phone")
        await page.get_by_label("Tilstedeværelse ved arrangement").check()
        await page.get_by_label("Navn", exact=True).fill("Lise Lund")
        await page.get_by_label("E-mail", exact=True).fill("lise@example.dk")
        await page.get_by_label("Postnummer").fill("8000")
        await page.get_by_label("Kommune").select_option("751")
        await page.get_by_label("Borgerens beskrivelse").fill("Gadefest med 300 gæster.")
        await page.get_by_label("Arrangementets navn").fill("Gadefest i Vestergade")
        await page.get_by_label("Sted", exact=True).fill("Vestergade")
        day = (datetime.now(COPENHAGEN) + timedelta(days=20)).strftime("%Y-%m-%d")
        await page.get_by_label("Starter").fill(f"{day}T16:00")
        await page.get_by_label("Slutter").fill(f"{day}T23:00")
        await page.get_by_label("Forventet antal deltagere").fill("300")
        await page.get_by_label(re.compile("^Borgeren har givet samtykke")).check()
        await page.get_by_role("button", name="Send bestillingen").click()
        await page.locator("#phone-reference").wait_for()
        phoned = await page.locator("#phone-reference").inner_text()

        async def phoned_in_queue() -> dict[str, Any] | None:
            listed = (await http.get(f"{screening}/api/v1/orders", headers=api)).json()["orders"]
            return next((o for o in listed if o["reference"] == phoned), None)

        arrived = await until(phoned_in_queue, "the phone order in the queue")
        assert arrived["order"]["channel"] == "phone"


async def _is(pending, wanted: str) -> bool:
    return (await pending) == wanted
