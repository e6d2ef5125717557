"""The consumer validates each record once, with its event's model: FastStream does not parse
the batch's JSON first for a body nobody reads (shared/messaging/consumer.py)."""

from __future__ import annotations

from typing import Any

import pytest
from faststream.kafka.parser import AioKafkaBatchParser

from shared import events
from tests.support import submitted_event


async def test_a_batch_reaches_the_handlers_without_faststreams_own_decoding(
    harness: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def decode_batch(*_args: Any) -> Any:
        raise AssertionError("FastStream decoded a batch the consumer decodes itself")

    monkeypatch.setattr(AioKafkaBatchParser, "decode_batch", decode_batch)
    routing = await harness("routing")
    order = submitted_event()
    await routing.deliver(order)
    [routed] = await routing.staged(events.OrderRouted)
    assert routed.order_id == order.order_id
    assert routing.dead_letters == []
