"""The messaging runtime's one back-off: doubling waits, and starting a client until it is up."""

from __future__ import annotations

import asyncio
import logging

import pytest

from shared.messaging.backoff import Backoff, start_until_up


async def test_waits_double_up_to_the_longest_and_reset_after_a_success() -> None:
    backoff = Backoff(first=0.001, longest=0.004)
    seen = []
    for _ in range(4):
        seen.append(backoff.seconds)
        await backoff.wait()
    assert seen == [0.001, 0.002, 0.004, 0.004]
    backoff.reset()
    assert backoff.seconds == 0.001


async def test_start_is_tried_until_it_works_and_each_failure_undone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[str] = []

    async def start() -> None:
        calls.append("start")
        if calls.count("start") < 3:
            raise ConnectionRefusedError("secret details of the broker")

    async def undo() -> None:
        calls.append("undo")
        raise RuntimeError("undo may fail too")

    with caplog.at_level(logging.WARNING):
        await start_until_up(start, undo, "routing: broker not reachable", Backoff(first=0.001))
    assert calls == ["start", "undo", "start", "undo", "start"]
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 2
    assert warnings[0].startswith("routing: broker not reachable (ConnectionRefusedError)")
    assert "secret" not in " ".join(warnings)


async def test_cancelling_stops_the_tries() -> None:
    async def start() -> None:
        raise OSError

    async def undo() -> None:
        return None

    task = asyncio.create_task(start_until_up(start, undo, "x", Backoff(first=0.01)))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
