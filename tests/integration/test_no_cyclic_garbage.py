"""A consumer's transaction leaves nothing for CPython's cyclic collector (shared/db.py).

The session's `info` pointed back at the session (its cached connection beside its
transaction), so every batch's session, and every ORM row it had loaded, could only be freed
by the cyclic collector: 54 (routing) to 71 (screening) objects per event, and full
collections of 20–50 ms in the middle of the pipeline's load. Refcounting frees it now.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.consumer_batch import Record, record, routed
from tests.support import submitted_event

SETTINGS = {"routing": "RoutingSettings", "screening": "ScreeningSettings"}


def batches(service: str, n: int) -> list[list[Record]]:
    orders = [submitted_event() for _ in range(n)]
    if service == "routing":
        return [[record(o)] for o in orders]
    return [[record(o)] for o in orders] + [[record(routed(o))] for o in orders]


@pytest.mark.parametrize("service", ["routing", "screening"])
async def test_a_consumers_batches_leave_no_cyclic_garbage(
    service: str, database_url: Callable[..., Any], tmp_path: Path
) -> None:
    module = importlib.import_module(f"services.{service}.settings")
    settings = getattr(module, SETTINGS[service])(
        database_url=await database_url(service), var_dir=tmp_path / "var"
    )
    app = importlib.import_module(f"services.{service}.main").create_app(settings)
    db, consumer = app.state.db, app.state.runtime.consumer
    await db.create_all()
    consumer.broker = None  # nothing here is dead-lettered
    try:
        for batch in batches(service, 5):  # caches, compiled statements, the pool's connection
            await consumer.process_batch(batch)
        work = batches(service, 30)
        gc.collect()
        gc.disable()
        try:
            for batch in work:
                await consumer.process_batch(batch)
            found = gc.collect()
        finally:
            gc.enable()
        # Before: 54 (routing) and 71 (screening) an event, i.e. thousands here.
        assert found < len(work), f"{found} objects of cyclic garbage for {len(work)} events"
    finally:
        await db.dispose()
