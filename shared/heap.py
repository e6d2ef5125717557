"""The service process's garbage collector, tuned for a long-running consumer.

CPython's full (generation 2) collection walks every tracked object. A built service holds
~140,000 (routing) to ~180,000 (screening) of them before it has done anything: modules,
SQLAlchemy's mappers, pydantic's schemas, the districts' boundaries. Measured in screening at
100 orders/s, each full collection stopped the event loop for 200–300 ms, a few times a
minute: that was the pipeline's p99 (bench/pipeline.py, docs/benchmarks.md). Frozen after
start-up, those objects are never walked again; a full collection walks only what the service
made since.
"""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Collect what start-up left behind, then keep the survivors out of every later walk."""
    gc.collect()
    gc.freeze()
