"""Officers' actions on orders: one use case per action, behind the JSON API and the forms alike.

Each use case opens its own transaction, so the orders' rows, their events in the outbox and
the audit lines commit together. It acts on a group of orders (the API's is a group of one):
each order gets its own event, and the first refusal undoes the whole group.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening import action_steps as steps
from services.screening.domain import (
    CompleteRequest,
    DecisionRequest,
    QuestionRequest,
    RerouteRequest,
    ScheduleRequest,
)
from services.screening.models import Officer
from services.screening.queries import visible_order
from services.screening.views import order_view
from shared import events
from shared.db import Database
from shared.merge_fields import fill
from shared.vocabulary import Language


@dataclass(frozen=True)
class ActionDone:
    """What an action did to one order: the event sent, the order as it is now, any warning."""

    event: events.Event
    order: dict[str, Any]
    warning: str | None = None


Step = Callable[[AsyncSession, str], Awaitable[tuple[events.Event, str | None]]]


async def _on_each(
    db: Database, officer: Officer, order_ids: list[str], step: Step
) -> list[ActionDone]:
    async with db.transaction() as session:

        async def one(order_id: str) -> ActionDone:
            event, warning = await step(session, order_id)
            order = await visible_order(session, officer, order_id)
            return ActionDone(event, order_view(order), warning)

        return await steps.each(session, order_ids, one)


async def record_decision(
    db: Database,
    officer: Officer,
    order_ids: list[str],
    request: DecisionRequest,
    *,
    now: datetime,
    via: str = "api",
    texts: dict[Language, str] | None = None,
) -> list[ActionDone]:
    """Accept or decline orders.

    With `texts` (the workspace's per-language templates) each citizen gets the text in their
    language, merged with their own reference, subject and district; otherwise
    `request.message` as it is. `{navn}` stays a placeholder either way: notifications fills it
    in when it writes the email, so the event carries no name.
    """

    async def step(session: AsyncSession, order_id: str) -> tuple[events.Event, str | None]:
        wanted = request
        if texts:
            order = await visible_order(session, officer, order_id)
            language, values = steps.merge_values_for(order)
            message = fill(texts.get(language) or next(iter(texts.values())), values)
            wanted = DecisionRequest(
                decision=request.decision, reason_code=request.reason_code, message=message
            )
        return await steps.decide(session, officer, order_id, wanted, now, via=via), None

    return await _on_each(db, officer, order_ids, step)


async def schedule_order(
    db: Database,
    officer: Officer,
    order_ids: list[str],
    request: ScheduleRequest,
    *,
    now: datetime,
    via: str = "api",
) -> list[ActionDone]:
    """Plan a visit; an order planned after its execution deadline carries a warning."""

    async def step(session: AsyncSession, order_id: str) -> tuple[events.Event, str | None]:
        return await steps.schedule(session, officer, order_id, request, now, via=via)

    return await _on_each(db, officer, order_ids, step)


async def complete_order(
    db: Database,
    officer: Officer,
    order_ids: list[str],
    request: CompleteRequest,
    *,
    now: datetime,
    via: str = "api",
) -> list[ActionDone]:
    """Record orders as carried out."""

    async def step(session: AsyncSession, order_id: str) -> tuple[events.Event, str | None]:
        return await steps.complete(session, officer, order_id, request, now, via=via), None

    return await _on_each(db, officer, order_ids, step)


async def request_reroute(
    db: Database,
    officer: Officer,
    order_ids: list[str],
    request: RerouteRequest,
    *,
    now: datetime,
    via: str = "api",
) -> list[ActionDone]:
    """Send orders to another district (or, from the manual-routing queue, to their first)."""

    async def step(session: AsyncSession, order_id: str) -> tuple[events.Event, str | None]:
        return await steps.reroute(session, officer, order_id, request, now, via=via), None

    return await _on_each(db, officer, order_ids, step)


async def ask_citizen(
    db: Database,
    officer: Officer,
    order_ids: list[str],
    request: QuestionRequest,
    *,
    now: datetime,
    via: str = "api",
    merge: bool = False,
) -> list[ActionDone]:
    """Ask the citizens a question; with `merge`, filled with each one's merge fields
    (all but `{navn}`, which notifications fills in)."""

    async def step(session: AsyncSession, order_id: str) -> tuple[events.Event, str | None]:
        wanted = request
        if merge:
            order = await visible_order(session, officer, order_id)
            _, values = steps.merge_values_for(order)
            wanted = QuestionRequest(question=fill(request.question, values))
        return await steps.ask(session, officer, order_id, wanted, now, via=via), None

    return await _on_each(db, officer, order_ids, step)
