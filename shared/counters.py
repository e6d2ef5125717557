"""Counters kept one change at a time: when an item moves from one state to another, its old
state's contribution leaves the counters and its new one's joins them.

Pure; each service says what one item contributes (intake's public overview, screening's
monthly statistics) and stores the difference with `shared.db.stage_increments`, in the
transaction of the change itself, so the counters never need a count over every item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def moved(before: Mapping[K, int], after: Mapping[K, int]) -> dict[K, int]:
    """What to add to each counter when an item's contribution goes from `before` to `after`;
    a counter whose change is zero is left out."""
    delta: Counter[K] = Counter(after)
    delta.subtract(before)
    return {key: n for key, n in delta.items() if n}
