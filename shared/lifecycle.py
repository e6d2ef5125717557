"""How an order's citizen-visible status follows from its events, whatever order they arrive in.

Events on different topics are not ordered with each other, so a status never goes back:
each event names the status it implies and the furthest one wins, except that a question
from the officer and its answer move between "routed" and "info_requested".
"""

from __future__ import annotations

from shared import events
from shared.vocabulary import Decision, OrderStatus

_RANK = {
    OrderStatus.RECEIVED: 0,
    OrderStatus.NEEDS_ROUTING: 1,
    OrderStatus.ROUTED: 1,
    OrderStatus.INFO_REQUESTED: 2,
    OrderStatus.ACCEPTED: 3,
    OrderStatus.DECLINED: 4,
    OrderStatus.SCHEDULED: 4,
    OrderStatus.COMPLETED: 5,
    OrderStatus.CANCELLED: 6,
}

OPEN_FOR_CANCELLING = frozenset(
    {
        OrderStatus.RECEIVED,
        OrderStatus.ROUTED,
        OrderStatus.NEEDS_ROUTING,
        OrderStatus.INFO_REQUESTED,
        OrderStatus.ACCEPTED,
        OrderStatus.SCHEDULED,
    }
)


def implied_status(event: events.Event) -> OrderStatus | None:
    """The status an event stands for, if it stands for one."""
    match event:
        case events.OrderSubmitted():
            return OrderStatus.RECEIVED
        case events.OrderRouted():
            return OrderStatus.ROUTED
        case events.OrderUnroutable():
            return OrderStatus.NEEDS_ROUTING
        case events.InfoRequested():
            return OrderStatus.INFO_REQUESTED
        case events.InfoProvided():
            return OrderStatus.ROUTED
        case events.OrderScreened(decision=Decision.ACCEPTED):
            return OrderStatus.ACCEPTED
        case events.OrderScreened():
            return OrderStatus.DECLINED
        case events.OrderScheduled():
            return OrderStatus.SCHEDULED
        case events.OrderCompleted():
            return OrderStatus.COMPLETED
        case events.OrderCancelled():
            return OrderStatus.CANCELLED
    return None


def status_after(current: OrderStatus, event: events.Event) -> OrderStatus:
    """The status once `event` is applied to an order now in `current`.

    Completion wins over withdrawal whichever arrives first: the work was done, and intake
    (which applies its own withdrawal first) and screening (its own completion) must agree.
    """
    new = implied_status(event)
    if new is None or current == OrderStatus.COMPLETED:
        return current
    if current == OrderStatus.CANCELLED:
        return OrderStatus.COMPLETED if new == OrderStatus.COMPLETED else current
    if new == OrderStatus.CANCELLED:
        return new
    if current == OrderStatus.DECLINED:
        return current
    if isinstance(event, events.InfoProvided):
        return OrderStatus.ROUTED if current == OrderStatus.INFO_REQUESTED else current
    if isinstance(event, events.OrderUnroutable):
        return new if current == OrderStatus.RECEIVED else current
    if isinstance(event, events.OrderRouted) and _RANK[current] <= 1:
        return new  # a manual routing replaces "needs routing"; a re-route stays "routed"
    return new if _RANK[new] > _RANK[current] else current


def can_cancel(status: OrderStatus) -> bool:
    return status in OPEN_FOR_CANCELLING
