"""A service process freezes what start-up made, so full collections stop walking it.

In screening at 100 orders/s, each full collection of the unfrozen heap stopped the event
loop for 200–300 ms; frozen, the pipeline's p99 fell from ~390 to ~130 ms (docs/benchmarks.md).
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

import bestil.cli
from shared.heap import settle_heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process keeps collecting all it makes


def test_start_up_garbage_is_collected_and_the_survivors_frozen(unfrozen: None) -> None:
    kept, garbage = Node(), Node()
    gone = weakref.ref(garbage)
    del garbage
    settle_heap()
    assert gone() is None
    assert gc.get_freeze_count() > 0
    assert not any(o is kept for o in gc.get_objects())  # out of every generation's walk


def test_serve_settles_the_heap_after_building_the_app_and_before_running_it(
    unfrozen: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def app_for(name: str, settings: Any) -> str:
        seen["frozen_while_building"] = gc.get_freeze_count()
        return f"the {name} app"

    def run(app: str, **_options: Any) -> None:
        seen.update(app=app, frozen_when_run=gc.get_freeze_count())

    monkeypatch.setattr(bestil.cli, "app_for", app_for)
    monkeypatch.setattr("uvicorn.run", run)
    monkeypatch.setattr("shared.logs.configure_logging", lambda *args: None)
    bestil.cli.serve("routing")
    assert seen["frozen_while_building"] == 0
    assert seen["frozen_when_run"] > 0
    assert seen["app"] == "the routing app"
