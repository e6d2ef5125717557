"""`bestil demo seed` against the running system: every stage, district and category, in
screening's queue and on the citizens' status pages alike."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import httpx
import pytest

from bestil.demo.plan import FINAL_STATUS
from shared import districts
from shared.references import status_token
from tests.e2e.conftest import running_system
from tests.support import eventually

pytestmark = pytest.mark.e2e


async def test_seed_fills_every_stage_district_and_category_and_a_rerun_adds_more(
    tmp_path: Path,
) -> None:
    # The deadline watch looks every second, so the passed decision deadline is seen quickly.
    with running_system(tmp_path, env={"BESTIL_NOTIFICATIONS_DEADLINE_CHECK_S": "1"}) as system:
        out = system.bestil("demo", "seed", "--orders", "14", "--past-deadline-after", "15")
        assert "made 14 demo orders" in out, out
        token = re.search(r"Bearer ([^']+)'", out)
        assert token, out
        officer = {"Authorization": f"Bearer {token.group(1)}"}
        async with httpx.AsyncClient(timeout=10) as http:
            listed = await http.get(f"{system.url('screening')}/api/v1/orders", headers=officer)
            orders = listed.json()["orders"]
            assert len(orders) == 14

            assert {o["district_code"] for o in orders} == set(districts.DISTRICTS)
            assert {o["category"] for o in orders} == {"traffic_control", "talk", "event_presence"}
            statuses = Counter(o["status"] for o in orders)
            assert set(statuses) == set(FINAL_STATUS.values())
            assert statuses["routed"] >= 4  # new, answered, near and past deadline

            completed = [o for o in orders if o["status"] == "completed"]
            traffic_done = [o for o in completed if o["category"] == "traffic_control"]
            assert traffic_done
            full = await http.get(
                f"{system.url('screening')}/api/v1/orders/{traffic_done[0]['order_id']}",
                headers=officer,
            )
            done = next(h for h in full.json()["history"] if h["kind"] == "OrderCompleted")
            assert done["vehicles_checked"] > 0 and done["violations"] is not None

            declined = [o for o in orders if o["status"] == "declined"]
            assert all(o["reason_code"] not in (None, "accepted") for o in declined)

            # the citizens' side: a withdrawal and an answered question on the status API
            secret = system.env["BESTIL_STATUS_LINK_SECRET"]

            async def citizen(order: dict) -> dict:
                response = await http.get(
                    f"{system.url('intake')}/api/v1/orders/{order['reference']}",
                    params={"token": status_token(order["reference"], secret)},
                )
                assert response.status_code == 200, response.text
                return response.json()

            seen = {o["reference"]: await citizen(o) for o in orders}
            assert {s["status"] for s in seen.values()} == set(FINAL_STATUS.values())
            withdrawn = [s for s in seen.values() if s["status"] == "cancelled"]
            assert withdrawn and all(not s["can_cancel"] for s in withdrawn)
            answered = [
                s for s in seen.values() if any(h["kind"] == "InfoProvided" for h in s["history"])
            ]
            assert answered and all(s["status"] == "routed" for s in answered)
            asked = [s for s in seen.values() if s["status"] == "info_requested"]
            assert asked and all(s["open_question"] for s in asked)

            # deadlines: an urgent event is warned about, the short-notice one's has passed
            async def alerts() -> Counter[str] | None:
                response = await http.get(
                    f"{system.url('screening')}/api/v1/orders", headers=officer
                )
                found = Counter(
                    o["deadline_alerts"]["decision"]
                    for o in response.json()["orders"]
                    if o["deadline_alerts"]["decision"]
                )
                return found if found["warning"] and found["breached"] else None

            await eventually(alerts, within=60, interval=1, what="a warning and a breach")

        # a second run adds its orders and reuses the demo officer's account
        again = system.bestil("demo", "seed", "--orders", "1")
        assert "password demo-" in out and "the password it was given" in again
        async with httpx.AsyncClient(timeout=10) as http:
            listed = await http.get(f"{system.url('screening')}/api/v1/orders", headers=officer)
        assert len(listed.json()["orders"]) == 15
        assert system.bestil("officer", "list").count("demo.admin@example.dk") == 1
