"""The agencies' stream (`public.orders.v1`): a fact at each step of an order, no personal data.

Screening is its one writer. Every change to an order passes through `projection.fold`
(consumed events) or `action_steps._act` (officers' actions); both call `stage`, which puts a
`PublicOrderEvent` in screening's outbox, in the step's own transaction, when the order's
public state changed. `public_state` decides what may be told: codes, counts and days; never
a name, contact, organisation, house number or free text, and never a planned date. The road
and a coarse location only once the visit happened or the order closed without one: a stream
that told where the police will control speed would defeat the control.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening.models import OrderActivity, QueuedOrder, messages
from services.screening.nearby import STOP_WORDS
from shared import districts, events
from shared.clock import as_utc
from shared.danish_time import local
from shared.public_ids import public_id as public_id_of
from shared.vocabulary import Category, DeadlineState, OrderStatus

Snapshot = dict[str, Any]
"""The fields of a `PublicOrderEvent` but its envelope (event_id, occurred_at)."""

PLACE_SHOWN = frozenset({OrderStatus.COMPLETED, OrderStatus.DECLINED, OrderStatus.CANCELLED})
"""The statuses whose road and location may be told: no visit is still to come."""

# Words that end a road's name and start a description of where on it ("Skolevej hvor …").
_STOPS = STOP_WORDS | {"hvor", "hos", "lige", "foran", "bag", "bagved", "langs", "where"}
# A word of a road's name: letters, with the dots, hyphens and apostrophes of "H.C.", "Sankt
# Hans'", "Nørre-Allé"; anything with a digit, "@" or other sign is not part of the name.
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_.'’-]*(?:[.'’-][^\W\d_]*)*\.?")
_MAX_WORDS = 5  # "Kong Christian den Niendes Vej": no real road name is longer


def road_name(text: str | None) -> str | None:
    """A road's name as written, without house numbers or a description of the stretch.

    "Skolevej mellem nr. 2 og 40" and "Skolevej 14, 2. tv." give "Skolevej"; "Gl. Kongevej
    ud for nr. 7" gives "Gl. Kongevej". Words are kept from the first one that belongs to a
    name up to the first that does not (a number, a word such as "mellem", "ved", "hvor").
    """
    if not text:
        return None
    words: list[str] = []
    for word in re.split(r"[\s,;:/()]+", text.strip()):
        key = word.casefold().replace(".", "")
        if not word or key in _STOPS or not _NAME_WORD.fullmatch(word):
            if words:
                break
            continue  # a description before the name ("ved skolen på …"): keep looking
        words.append(word)
        if len(words) == _MAX_WORDS:
            break
    return " ".join(words) or None


def _day(moment: datetime | None) -> date | None:
    return local(moment).date() if moment is not None else None


def _met(done_at: datetime | None, due: datetime | None, alert: str | None) -> bool | None:
    """Done by the deadline; False once it was reported passed while not done; else unknown."""
    if done_at is not None:
        return None if due is None else as_utc(done_at) <= as_utc(due)
    return False if alert == DeadlineState.BREACHED.value else None


def _coarse(location: dict[str, Any]) -> dict[str, float] | None:
    lat, lon = location.get("lat"), location.get("lon")
    if lat is None or lon is None:
        return None
    return {"lat": round(float(lat), 2), "lon": round(float(lon), 2)}


def public_state(
    order: QueuedOrder, public_id: uuid.UUID, completion: dict[str, Any] | None = None
) -> Snapshot:
    """The order's whole public state now: what a `PublicOrderEvent` after this step says.

    `completion` holds the officer's counts (`vehicles_checked`, `violations`) once the order
    was carried out; they live in the order's history, not in its row.
    """
    content = order.content or {}
    details = content.get("details") or {}
    status = OrderStatus(order.status)
    category = Category(order.category) if order.category else None
    district = districts.district(order.district_code) if order.district_code else None
    traffic = category == Category.TRAFFIC_CONTROL
    place_shown = status in PLACE_SHOWN
    declined = order.decision == "declined"
    completion = completion or {}
    return {
        "public_id": public_id,
        "status": status.value,
        "category": category.value if category else None,
        "received_on": _day(order.submitted_at),
        "district_code": order.district_code,
        "district_name": district.name if district else None,
        "municipality_code": order.municipality_code,
        "road": road_name(details.get("road")) if traffic and place_shown else None,
        "location": _coarse(content.get("location") or {}) if place_shown else None,
        "problem": details.get("problem") if traffic else None,
        "speed_limit_kmh": details.get("speed_limit_kmh") if traffic else None,
        "talk_topic": details.get("topic") if category == Category.TALK else None,
        "decision": order.decision,
        "reason_code": order.reason_code,
        "decided_on": _day(order.decided_at),
        "decision_deadline_met": _met(order.decided_at, order.decision_due, order.decision_alert),
        "completed_on": _day(order.completed_at),
        "execution_deadline_met": None
        if declined
        else _met(order.completed_at, order.execution_due, order.execution_alert),
        "vehicles_checked": completion.get("vehicles_checked") if traffic else None,
        "violations": completion.get("violations") if traffic else None,
    }


def snapshot(order: QueuedOrder) -> Snapshot:
    """The public state before a step, to compare the state after it with."""
    return public_state(order, public_id_of(order.order_id))


def as_loaded(order: QueuedOrder) -> QueuedOrder:
    """A detached copy of the order as it was loaded in this transaction (before its unflushed
    changes): an officer's action changes the row before `_act` sees it."""
    values: dict[str, Any] = {}
    for attribute in inspect(order).attrs:
        history = attribute.history
        if history.deleted:
            values[attribute.key] = history.deleted[0]
        elif history.unchanged:
            values[attribute.key] = history.unchanged[0]
        elif history.added:
            values[attribute.key] = history.added[0]
    return QueuedOrder(**values)


async def _completion(session: AsyncSession, order_id: str) -> dict[str, Any]:
    """The counts of the order's latest completion, from its history."""
    query = (
        select(OrderActivity)
        .where(OrderActivity.order_id == order_id, OrderActivity.kind == "OrderCompleted")
        .order_by(col(OrderActivity.id).desc())
        .limit(1)
    )
    found = (await session.exec(query)).first()
    return dict(found.facts) if found else {}


async def stage(
    session: AsyncSession, before: Snapshot, order: QueuedOrder, cause: events.Event
) -> events.PublicOrderEvent | None:
    """Stage the order's public state in the outbox if `cause` changed it (a deadline warning,
    a question's wording or the citizen's feedback change nothing public, so say nothing).

    The message's id is derived from the cause's: a step replayed in a retried transaction
    stages the same message, never a second one with another id. The id cannot be turned
    back into the cause's without knowing it (internal ids travel only on internal topics).
    """
    public_id = public_id_of(order.order_id)
    after = public_state(order, public_id)
    if after == before:
        return None
    if OrderStatus(order.status) == OrderStatus.COMPLETED:
        completion = (
            cause.model_dump(include={"vehicles_checked", "violations"})
            if isinstance(cause, events.OrderCompleted)
            else await _completion(session, order.order_id)
        )
        after = public_state(order, public_id, completion)
    event = events.PublicOrderEvent(
        event_id=uuid.uuid5(public_id, str(cause.event_id)),
        # The row's time, not the cause's: it never goes back, so the latest message of an
        # order is also its newest even when its events arrived out of order.
        occurred_at=as_utc(order.updated_at),
        **after,
    )
    await messages.enqueue(session, event)
    return event
