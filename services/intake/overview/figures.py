"""What one order adds to the overview's counters: pure, so the counters can be kept up to date
one event at a time (the old state's contribution out, the new one's in) instead of counting
a million orders on every page view."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from shared.counters import moved
from shared.events import PublicOrderEvent
from shared.vocabulary import Category, Decision, OrderStatus


@dataclass(frozen=True, order=True)
class Cell:
    """One row of the overview: a district, a month (YYYY-MM, Danish time), a category."""

    district_code: str
    month: str
    category: str


RECEIVED = "received"
DECIDED = "decided"
ACCEPTED = "accepted"
DECIDED_ON_TIME = "decided_on_time"
DECIDED_LATE = "decided_late"
CARRIED_OUT = "carried_out"
CARRIED_OUT_ON_TIME = "carried_out_on_time"
CARRIED_OUT_LATE = "carried_out_late"
CANCELLED = "cancelled"
VEHICLES_CHECKED = "vehicles_checked"
VIOLATIONS = "violations"
DECLINED_PREFIX = "declined:"

Contribution = Mapping[tuple[Cell, str], int]


def contribution(state: PublicOrderEvent | None) -> Contribution:
    """The counters one order's public state stands for; nothing until it has a district."""
    if state is None or state.district_code is None or state.received_on is None:
        return {}
    if state.category is None:
        return {}
    cell = Cell(state.district_code, state.received_on.strftime("%Y-%m"), state.category.value)
    measures: Counter[str] = Counter({RECEIVED: 1})
    if state.decision is not None:
        measures[DECIDED] += 1
        if state.decision is Decision.ACCEPTED:
            measures[ACCEPTED] += 1
        elif state.reason_code is not None:
            measures[DECLINED_PREFIX + state.reason_code.value] += 1
    if state.decision_deadline_met is not None:
        measures[DECIDED_ON_TIME if state.decision_deadline_met else DECIDED_LATE] += 1
    if state.status is OrderStatus.COMPLETED:
        measures[CARRIED_OUT] += 1
    if state.execution_deadline_met is not None:
        measures[CARRIED_OUT_ON_TIME if state.execution_deadline_met else CARRIED_OUT_LATE] += 1
    if state.status is OrderStatus.CANCELLED:
        measures[CANCELLED] += 1
    if state.category is Category.TRAFFIC_CONTROL:
        measures[VEHICLES_CHECKED] += state.vehicles_checked or 0
        measures[VIOLATIONS] += state.violations or 0
    return {(cell, name): n for name, n in measures.items() if n}


def changes(
    before: PublicOrderEvent | None, after: PublicOrderEvent
) -> dict[tuple[Cell, str], int]:
    """What to add to each counter when an order moves from `before` to `after`.

    A rerouted order leaves its old district's row and joins the new one's; a counter whose
    change is zero is left out.
    """
    return moved(contribution(before), contribution(after))
