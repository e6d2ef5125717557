"""The stall watch's judgement, on a consumer and a clock of the test's own (no broker)."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace
from typing import Any

from shared.messaging.watchdog import StallWatch
from shared.metrics import CONSUMER_RESTARTS


class Consumer:
    service = "watched"

    def __init__(self) -> None:
        self.busy_since: float | None = None
        self.coordinator: Any = SimpleNamespace(coordinator_id=1, _coordination_task=None)
        self.restarts = 0

    def client(self) -> Any:
        return SimpleNamespace(_coordinator=self.coordinator) if self.coordinator else None

    async def restart(self) -> None:
        self.restarts += 1


def watch(consumer: Consumer, now: list[float]) -> StallWatch:
    return StallWatch(consumer, 60, clock=lambda: now[0])


def test_a_consumer_with_its_coordinator_and_no_long_batch_is_well() -> None:
    consumer, now = Consumer(), [1000.0]
    consumer.busy_since = 990.0
    assert watch(consumer, now).stalled() is None


def test_one_batch_taking_longer_than_the_limit_is_a_stall() -> None:
    consumer, now = Consumer(), [1000.0]
    consumer.busy_since = 939.0
    assert watch(consumer, now).stalled() == "one batch has taken 61 s"


def test_a_lost_coordinator_is_a_stall_only_once_it_stays_lost() -> None:
    consumer, now = Consumer(), [1000.0]
    watched = watch(consumer, now)
    consumer.coordinator.coordinator_id = None
    assert watched.stalled() is None  # a broker restart takes seconds
    now[0] += 30
    assert watched.stalled() is None
    now[0] += 31
    assert watched.stalled() == "no group coordinator for 61 s"


def test_a_coordinator_found_again_starts_the_count_afresh() -> None:
    consumer, now = Consumer(), [1000.0]
    watched = watch(consumer, now)
    consumer.coordinator.coordinator_id = None
    watched.stalled()
    now[0] += 50
    consumer.coordinator.coordinator_id = 2
    assert watched.stalled() is None
    consumer.coordinator.coordinator_id = None
    now[0] += 50
    assert watched.stalled() is None


async def test_ended_group_coordination_is_a_stall_at_once() -> None:
    consumer, now = Consumer(), [1000.0]

    async def fails() -> None:
        raise AssertionError("Did we not perform bootstrap?")

    task = asyncio.create_task(fails())
    await asyncio.gather(task, return_exceptions=True)
    consumer.coordinator._coordination_task = task
    assert watch(consumer, now).stalled() == (
        "its group coordination ended (AssertionError: Did we not perform bootstrap?)"
    )


async def test_cancelled_group_coordination_says_so() -> None:
    consumer, now = Consumer(), [1000.0]
    task = asyncio.create_task(asyncio.sleep(60))
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    consumer.coordinator._coordination_task = task
    assert watch(consumer, now).stalled() == "its group coordination cancelled"


def test_a_consumer_not_started_or_in_memory_is_not_judged() -> None:
    consumer, now = Consumer(), [1000.0]
    consumer.coordinator = None
    assert watch(consumer, now).stalled() is None


async def test_a_stall_restarts_the_consumer_and_is_counted() -> None:
    consumer, now = Consumer(), [1000.0]
    watched = watch(consumer, now)
    restarts = CONSUMER_RESTARTS.labels("watched")
    before = restarts._value.get()
    assert await watched.check() is False
    consumer.busy_since = 900.0
    assert await watched.check() is True
    assert consumer.restarts == 1 and restarts._value.get() == before + 1


async def test_the_stall_is_logged_with_the_clients_group_state(caplog) -> None:  # type: ignore[no-untyped-def]
    consumer, now = Consumer(), [1000.0]
    consumer.coordinator.coordinator_id = None
    consumer.coordinator.generation = 3
    heartbeat = asyncio.create_task(asyncio.sleep(0))
    await heartbeat
    consumer.coordinator._heartbeat_task = heartbeat
    assignment = SimpleNamespace(tps={("orders.submitted.v1", 0), ("orders.submitted.v1", 1)})
    subscription = SimpleNamespace(
        subscription=SimpleNamespace(assignment=assignment), fetcher_idle_time=0
    )
    consumer.client = lambda: SimpleNamespace(  # type: ignore[method-assign]
        _coordinator=consumer.coordinator, _subscription=subscription
    )
    watched = watch(consumer, now)
    watched.stalled()
    now[0] += 61
    with caplog.at_level(logging.ERROR, logger="shared.messaging.watchdog"):
        assert await watched.check() is True
    assert caplog.messages == [
        "watched: the consumer stalled (no group coordinator for 61 s; coordinator node None, "
        "generation 3, 2 partitions assigned, coordination none, heartbeat ended, "
        "no records asked for in 0 s); starting a new one"
    ]
