"""Open311 GET requests: an order's public face, the spec's filters, and which order a public
id names.

What an answer shows is what the agencies' stream (`public.orders.v1`) shows: the public id,
the category with its problem or topic, the status, the district, the municipality and the
dates. Never the citizen's name, email, phone, address or own words; the rounded location
only once the order is closed (a published place of a coming speed control defeats it).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.models import Order
from services.intake.open311.service_requests import Open311Error, say
from services.intake.open311.services_list import service_code, service_name
from services.intake.web.common import strings
from shared import districts
from shared.clock import as_utc
from shared.public_ids import public_id
from shared.vocabulary import FINAL_STATUSES, Category, OrderStatus

#: The spec's window and page: the last 90 days, at most 1000 requests.
WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000


def w3c(moment: datetime | None) -> str | None:
    """A timestamp in the spec's W3C format, in UTC."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _municipality(code: object) -> str | None:
    found = districts.municipality(str(code)) if code else None
    return found.name if found else None


def _rounded(value: object) -> float | None:
    return round(float(value), 2) if isinstance(value, int | float) else None


def _description(category: Category, details: Mapping[str, Any], language: str) -> str:
    """The service's name and the problem or topic chosen from its list: never free text."""
    options = strings(language)["options"]
    name = service_name(category, language)
    choice = options["problem"].get(str(details.get("problem"))) or options["topic"].get(
        str(details.get("topic"))
    )
    return f"{name}: {choice}" if choice else name


def public_request(order: Order, language: str) -> dict[str, Any]:
    """The order as the spec's request, with no personal data and no free text."""
    category = Category(order.category)
    status = OrderStatus(order.status)
    closed = status in FINAL_STATUSES
    location = order.event.get("location") or {}
    details = order.event.get("details") or {}
    return {
        "service_request_id": str(public_id(order.id)),
        "status": "closed" if closed else "open",
        "status_notes": strings(language)["statuses"][status.value],
        "service_name": service_name(category, language),
        "service_code": category.value,
        "description": _description(category, details, language),
        "agency_responsible": order.district_name,
        "service_notice": None,
        "requested_datetime": w3c(order.submitted_at),
        "updated_datetime": w3c(order.updated_at),
        "expected_datetime": w3c(order.execution_due),
        "address": _municipality(location.get("municipality_code")),
        "address_id": None,
        "zipcode": None,
        "lat": _rounded(location.get("lat")) if closed else None,
        "long": _rounded(location.get("lon")) if closed else None,
        "media_url": None,
    }


@dataclass(frozen=True)
class Query:
    """GET requests' filters, as the spec defines them."""

    ids: tuple[uuid.UUID, ...] | None = None  # overrides every other filter
    categories: tuple[Category, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[OrderStatus, ...] = ()


def _comma_list(params: Mapping[str, str], name: str) -> list[str]:
    return [v.strip() for v in params.get(name, "").split(",") if v.strip()]


def _moment(params: Mapping[str, str], name: str, language: str) -> datetime | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Open311Error(400, say("date", language, name=name))
    return moment


def parse_query(params: Mapping[str, str], now: datetime, language: str) -> Query:
    """The filters, with the spec's defaults: the last 90 days, any status and service."""
    if ids := _comma_list(params, "service_request_id"):
        parsed = []
        for text in ids[:MAX_REQUESTS]:
            try:
                parsed.append(uuid.UUID(text))
            except ValueError:
                continue  # not one of ours: nothing is found for it
        return Query(ids=tuple(parsed))
    categories = []
    for code in _comma_list(params, "service_code"):
        category = service_code(code)
        if category is None:
            raise Open311Error(400, say("service_code_unknown", language))
        categories.append(category)
    statuses: list[OrderStatus] = []
    for status in _comma_list(params, "status"):
        if status not in ("open", "closed"):
            raise Open311Error(400, say("status", language))
        closed = status == "closed"
        statuses += [s for s in OrderStatus if (s in FINAL_STATUSES) == closed]
    start, end = _moment(params, "start_date", language), _moment(params, "end_date", language)
    if start and not end:
        end = start + WINDOW
    elif end and not start:
        start = end - WINDOW
    elif not start and not end:
        end, start = now, now - WINDOW
    assert start is not None and end is not None
    if start > end or end - start > WINDOW:
        raise Open311Error(400, say("span", language))
    return Query(None, tuple(categories), start, end, tuple(statuses))


async def find_orders(session: AsyncSession, query: Query, ids: Iterable[str] = ()) -> list[Order]:
    """The orders a query asks for, newest first, at most the spec's 1000."""
    statement = select(Order)
    if query.ids is not None:
        statement = statement.where(col(Order.id).in_(list(ids)))
    else:
        assert query.start is not None and query.end is not None
        statement = statement.where(
            col(Order.submitted_at) >= query.start, col(Order.submitted_at) <= query.end
        )
        if query.categories:
            statement = statement.where(
                col(Order.category).in_([c.value for c in query.categories])
            )
        if query.statuses:
            statement = statement.where(col(Order.status).in_([s.value for s in query.statuses]))
    statement = statement.order_by(col(Order.submitted_at).desc()).limit(MAX_REQUESTS)
    return list((await session.exec(statement)).all())


class PublicIds:
    """Which order a public id names: the id is a one-way hash of the order id, so intake
    keeps the map in memory, read once and then only for orders newer than it has seen.

    Orders of other intake instances sharing the database arrive with a submission time a
    little before the newest seen (group commit, clocks): `MARGIN` re-reads those.
    """

    MARGIN = timedelta(minutes=10)

    def __init__(self) -> None:
        self._orders: dict[uuid.UUID, str] = {}
        self._newest: datetime | None = None

    async def _refresh(self, session: AsyncSession) -> None:
        statement = select(Order.id, Order.submitted_at)
        if self._newest is not None:
            statement = statement.where(col(Order.submitted_at) >= self._newest - self.MARGIN)
        for order_id, submitted in (await session.exec(statement)).all():
            self._orders[public_id(order_id)] = order_id
            submitted_at = as_utc(submitted)
            if self._newest is None or submitted_at > self._newest:
                self._newest = submitted_at

    async def order_ids(self, session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[str]:
        """The order ids of the public ids that name an order of this database."""
        if any(i not in self._orders for i in ids):
            await self._refresh(session)
        return [self._orders[i] for i in ids if i in self._orders]
