"""Nothing is lost when the broker goes away: orders wait in intake's outbox and arrive exactly once.

The broker is cut off behind a proxy (see tests/proxy.py): to the services it is gone, every
connection reset, until it comes back with its log, as a production Kafka does.
"""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import System, officer
from tests.support import eventually, traffic_order

pytestmark = pytest.mark.e2e


async def test_orders_taken_while_the_broker_is_down_reach_screening_exactly_once(
    system: System,
) -> None:
    auth = officer(system, "1461")
    assert system.proxy is not None
    system.proxy.cut()
    async with httpx.AsyncClient(timeout=10) as http:
        references = []
        for i in range(5):
            response = await http.post(
                f"{system.url('intake')}/api/v1/orders",
                json=traffic_order(description=f"Ordre nummer {i}"),
            )
            assert response.status_code == 201, response.text
            references.append(response.json()["reference"])
        metrics = (await http.get(f"{system.url('intake')}/metrics")).text
        assert 'bestil_outbox_pending{service="intake"} 5.0' in metrics
        system.proxy.restore()

        async def all_queued() -> list[dict] | None:
            orders = (
                await http.get(f"{system.url('screening')}/api/v1/orders", headers=auth)
            ).json()["orders"]
            mine = [o for o in orders if o["reference"] in references]
            return mine if len(mine) == len(references) else None

        queued = await eventually(all_queued, within=90, what="all five orders in the queue")
        assert sorted(o["reference"] for o in queued) == sorted(references)
        for order in queued:
            detail = (
                await http.get(
                    f"{system.url('screening')}/api/v1/orders/{order['order_id']}", headers=auth
                )
            ).json()
            kinds = [h["kind"] for h in detail["history"]]
            assert kinds.count("OrderSubmitted") == 1 and kinds.count("OrderRouted") == 1, kinds
