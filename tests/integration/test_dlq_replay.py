"""An operator lists what a service parked in its DLQ and, once the bug is fixed, replays it."""

from __future__ import annotations

import json

from bestil.dlq import _table, mark_applied, read_parked, replay
from services.routing import service as routing_service
from tests.conftest import bootstrap_of
from tests.integration.conftest import read_all
from tests.support import eventually, submitted_event


async def test_a_parked_event_is_listed_without_its_payload_and_applied_once_replayed(
    kafka, start_service, raw_producer, monkeypatch
) -> None:
    async def bug(*_args, **_kwargs) -> None:
        raise RuntimeError("a bug in this version")

    monkeypatch.setattr(routing_service, "route_order", bug)
    routing = await start_service("routing")
    order = submitted_event()
    await raw_producer.send_and_wait(
        "orders.submitted.v1", order.model_dump_json().encode(), key=str(order.order_id).encode()
    )
    await read_all(bootstrap_of(kafka), "dlq.routing", at_least=1)
    monkeypatch.undo()  # the fix is deployed

    parked = await mark_applied(
        "routing", await read_parked(bootstrap_of(kafka), "routing"), routing.db
    )
    (entry,) = parked
    assert (entry.event_id, entry.original_topic) == (str(order.event_id), "orders.submitted.v1")
    assert entry.error_type == "RuntimeError" and not entry.processed
    listing = _table(parked)
    assert str(order.event_id) in listing and "RuntimeError" in listing
    assert order.requester.name not in listing and order.requester.email not in listing

    assert await replay(bootstrap_of(kafka), "routing", parked) == 1
    routed = await read_all(bootstrap_of(kafka), "orders.routed.v1", at_least=1)
    assert [json.loads(r.value)["order_id"] for r in routed] == [str(order.order_id)]

    async def applied() -> bool:
        (again,) = await mark_applied(
            "routing", await read_parked(bootstrap_of(kafka), "routing"), routing.db
        )
        return again.processed

    await eventually(applied, what="the replayed event applied")
