"""Retention and erasure, the parts every service shares (DESIGN §6, §7; docs/retention.md).

An order's personal data is anonymised a configurable time after the order closed, or at once
when a national admin erases it on request. What each service holds differs, so each has its
own `anonymise(session, order_id)`; what is the same lives here: the settings, the rule that
says when an order is due, the scrubbing of personal fields out of order JSON, the deletion
log (which fields of which order were removed, when, by which rule, never their values), the
periodic job, and the guard that keeps an anonymised order anonymous when one of its events
arrives late.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ColumnElement,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    bindparam,
    exists,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.clock import Clock, as_utc
from shared.db import Database, UTCDateTime, execute, flush_staged
from shared.events import Event
from shared.messaging.store import COMMITTED_ROWS, MessageStore
from shared.vocabulary import OrderStatus

log = logging.getLogger(__name__)

#: What replaces a personal or free text; a valid value for every field it replaces.
ANONYMISED = "[anonymiseret]"
#: What replaces an email address: valid for `EmailStr`, delivered nowhere the police reads.
ANONYMISED_EMAIL = "anonymiseret@anonymiseret.politi.dk"
#: Coordinates are kept to two decimals (about 1 km), as on the agencies' stream: a district
#: and an area, never a house.
COORDINATE_DECIMALS = 2
#: Who anonymised, in the deletion log, when no person did.
BY_RETENTION = "retention"


class RetentionSettings(BaseSettings):
    """How long personal data outlives its order (`BESTIL_RETENTION_…`, shared by every service)."""

    model_config = SettingsConfigDict(env_prefix="BESTIL_RETENTION_", extra="ignore")

    enabled: bool = Field(True, description="Run the retention job in this service")
    cancelled_days: int = Field(
        365, ge=1, description="Days after a withdrawn order's last change until it is anonymised"
    )
    closed_days: int = Field(
        5 * 365,
        ge=1,
        description="Days after a declined or carried-out order's last change until it is "
        "anonymised",
    )
    open_days: int = Field(
        5 * 365,
        ge=1,
        description="Days an order that never closed may go without any change before it is "
        "anonymised all the same",
    )
    interval_s: float = Field(3600.0, gt=0, description="How often the retention job looks")
    batch: int = Field(
        200, ge=1, description="Orders one run of the job takes (each in a transaction of its own)"
    )


class Rule(StrEnum):
    """Why an order's personal data was removed: the deletion log names it."""

    CANCELLED = "retention.cancelled"
    CLOSED = "retention.closed"
    OPEN = "retention.open"
    ERASURE = "erasure.request"


CLOSED_STATUSES = frozenset({OrderStatus.COMPLETED, OrderStatus.DECLINED})


def rule_for_status(status: OrderStatus | str) -> Rule:
    """Which retention period an order in this status waits out."""
    status = OrderStatus(status)
    if status == OrderStatus.CANCELLED:
        return Rule.CANCELLED
    if status in CLOSED_STATUSES:
        return Rule.CLOSED
    return Rule.OPEN


def cutoffs(now: datetime, settings: RetentionSettings) -> dict[Rule, datetime]:
    """Per rule: an order whose last change is before this moment is due."""
    return {
        Rule.CANCELLED: now - timedelta(days=settings.cancelled_days),
        Rule.CLOSED: now - timedelta(days=settings.closed_days),
        Rule.OPEN: now - timedelta(days=settings.open_days),
    }


def due_rule(
    status: OrderStatus | str, last_change: datetime, now: datetime, settings: RetentionSettings
) -> Rule | None:
    """The rule under which an order is due for anonymisation now; None: not yet."""
    rule = rule_for_status(status)
    return rule if as_utc(last_change) < cutoffs(now, settings)[rule] else None


def due_condition(
    status: Any, last_change: Any, now: datetime, settings: RetentionSettings
) -> ColumnElement[bool]:
    """`due_rule` as SQL over a status and a last-change column."""
    limit = cutoffs(now, settings)
    cancelled = OrderStatus.CANCELLED.value
    closed = [s.value for s in CLOSED_STATUSES]
    return or_(
        and_(status == cancelled, last_change < limit[Rule.CANCELLED]),
        and_(status.in_(closed), last_change < limit[Rule.CLOSED]),
        and_(status.not_in([cancelled, *closed]), last_change < limit[Rule.OPEN]),
    )


def due_by_status(
    id_column: Any, status_column: Any, last_change_column: Any, deletions: DeletionLog
) -> Candidates:
    """The job's candidates for a table that keeps each order's status and last change: the
    orders `due_condition` holds for and that were not anonymised yet, oldest first."""

    async def due(
        session: AsyncSession, now: datetime, limit: int, settings: RetentionSettings
    ) -> list[tuple[str, Rule]]:
        query = (
            select(id_column, status_column)
            .where(
                due_condition(status_column, last_change_column, now, settings),
                deletions.not_logged(id_column),
            )
            .order_by(last_change_column)
            .limit(limit)
        )
        rows = await execute(session, query)
        return [(order_id, rule_for_status(status)) for order_id, status in rows]

    return due


# --- scrubbing order JSON --------------------------------------------------------------------

#: Free texts, wherever they appear (an event, a timeline line, an activity's facts).
FREE_TEXT_KEYS = frozenset(
    {"description", "message", "question", "answer", "summary", "note", "reason", "comment"}
)
_REQUESTER = {"name": ANONYMISED, "email": ANONYMISED_EMAIL, "phone": None, "organisation": None}
_DETAILS_TEXT = frozenset({"audience"})


def _text(value: Any) -> Any:
    """A non-empty text becomes the placeholder; an empty or missing one stays as it is."""
    return ANONYMISED if isinstance(value, str) and value else value


def _coordinate(value: Any) -> Any:
    return round(value, COORDINATE_DECIMALS) if isinstance(value, int | float) else value


def scrub(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Order JSON without its personal data, and the paths of the fields that changed.

    Takes an order (`OrderSubmitted` or its dump), any other event's payload, a timeline
    line's or an activity's facts. The requester goes (name and email replaced, phone and
    organisation removed), so do the address, the audience and every free text; coordinates
    are rounded. The road, the venue and the event's name stay: the place of the police's
    work, which the agencies' stream publishes too. The result is still a valid event.
    """
    out = dict(data)
    changed: list[str] = []

    def put(target: dict[str, Any], key: str, value: Any, path: str) -> None:
        if key in target and target[key] != value:
            target[key] = value
            changed.append(path)

    for key in FREE_TEXT_KEYS & out.keys():
        put(out, key, _text(out[key]), key)
    if isinstance(out.get("requester"), dict):
        requester = dict(out["requester"])
        for key, value in _REQUESTER.items():
            put(requester, key, value, f"requester.{key}")
        out["requester"] = requester
    if isinstance(out.get("location"), dict):
        location = dict(out["location"])
        put(location, "address", None, "location.address")
        for key in ("lat", "lon"):
            put(location, key, _coordinate(location.get(key)), f"location.{key}")
        out["location"] = location
    if isinstance(out.get("details"), dict):
        details = dict(out["details"])
        for key in _DETAILS_TEXT & details.keys():
            put(details, key, _text(details[key]), f"details.{key}")
        out["details"] = details
    return out, changed


def scrub_json(payload: str) -> tuple[str, list[str]]:
    """`scrub` over a JSON text (an outbox row's or an owed email's payload)."""
    try:
        data = json.loads(payload)
    except ValueError:
        return payload, []
    if not isinstance(data, dict):
        return payload, []
    cleaned, changed = scrub(data)
    return (json.dumps(cleaned, ensure_ascii=False) if changed else payload), changed


def prefixed(prefix: str, paths: Sequence[str]) -> list[str]:
    return [f"{prefix}.{path}" for path in paths]


async def scrub_outbox(session: AsyncSession, store: MessageStore, order_id: str) -> list[str]:
    """Scrub the order's outbox rows, published or not (published ones are kept as the record of
    what left; one still pending leaves without the personal data). Headers hold none."""
    outbox = store.outbox
    rows = (
        await execute(
            session,
            select(outbox.c.id, outbox.c.topic, outbox.c.payload).where(outbox.c.key == order_id),
        )
    ).all()
    what: list[str] = []
    for row in rows:
        cleaned, changed = scrub_json(row.payload)
        if changed:
            await execute(
                session, update(outbox).where(outbox.c.id == row.id).values(payload=cleaned)
            )
            what += prefixed(f"outbox.{row.topic}", changed)
    # The relay publishes this transaction's own rows from its copies once it commits.
    for staged_row in session.info.get(COMMITTED_ROWS, ()):
        if staged_row["key"] == order_id:
            staged_row["payload"] = scrub_json(staged_row["payload"])[0]
    return what


async def settle(session: AsyncSession) -> None:
    """Write what the transaction holds so far (ORM rows and staged inserts), so the updates
    that follow see, and are not overwritten by, rows the same batch of events made."""
    await session.flush()
    await flush_staged(session)


# --- the deletion log ------------------------------------------------------------------------


class DeletionLog:
    """A service's `deletion_log`: per anonymised order, which fields went, when, by which rule
    and by whom (an officer id, `cli`, or `retention`). Never a value."""

    def __init__(self, metadata: MetaData) -> None:
        self.table = Table(
            "deletion_log",
            metadata,
            Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
            Column("order_id", String(36), nullable=False),
            Column("rule", String(40), nullable=False),
            Column("what", JSON, nullable=False),
            Column("at", UTCDateTime(), nullable=False),
            Column("actor", String(60), nullable=False),
        )
        Index("ix_deletion_log_order_id", self.table.c.order_id)

    async def record(
        self,
        session: AsyncSession,
        order_id: str,
        rule: Rule,
        what: Sequence[str],
        *,
        at: datetime,
        by: str,
    ) -> None:
        await execute(
            session,
            insert(self.table).values(
                order_id=order_id,
                rule=rule.value,
                what=sorted(set(what)),
                at=at,
                actor=by[:60],
            ),
        )
        session.info.setdefault(_ANONYMISED, {})[order_id] = rule

    def not_logged(self, order_id: Any) -> ColumnElement[bool]:
        """SQL: the order has no entry yet (the job's candidates)."""
        return ~exists().where(self.table.c.order_id == order_id)

    @cached_property
    def _lookup(self) -> Select[Any]:
        """Built once, as a consumer's batch runs it every time (shared/messaging/store.py)."""
        return select(
            literal_column("'anonymised'"),
            self.table.c.order_id,
            self.table.c.rule,
            self.table.c.id,
        ).where(self.table.c.order_id.in_(bindparam("keys", expanding=True)))

    def alongside_query(self) -> Select[Any]:
        """The lookup, to be sent in the processed-event check's statement (`MessageStore.seen`)."""
        return self._lookup

    def keys_of(self, session: AsyncSession, events: list[Any]) -> list[str]:
        """The batch's orders whose deletion-log entries this transaction has not read yet."""
        checked = session.info.get(_CHECKED, ())
        return [
            order_id
            for order_id in dict.fromkeys(str(e.order_id) for e in events if isinstance(e, Event))
            if order_id not in checked
        ]

    def take(self, session: AsyncSession, keys: list[str], rows: list[Any]) -> None:
        """Rows (kind, order id, rule, id): an order's first entry, by id, names its rule."""
        known = session.info.setdefault(_ANONYMISED, {})
        for _kind, order_id, rule, _id in sorted(rows, key=lambda row: row[3]):
            known.setdefault(order_id, Rule(rule))
        session.info.setdefault(_CHECKED, set()).update(keys)

    async def load(self, session: AsyncSession, order_ids: Sequence[str]) -> None:
        """Which of these orders were anonymised before, in one query (a batch's prefetch).

        A consumer's batch has looked its orders up already (`alongside_query`): no query then.
        """
        checked = session.info.get(_CHECKED, ())
        wanted = [i for i in dict.fromkeys(order_ids) if i not in checked]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            self.take(session, chunk, list(await execute(session, self._lookup, {"keys": chunk})))

    async def rule_of(self, session: AsyncSession, order_id: str) -> Rule | None:
        """The rule the order was first anonymised under; None: it never was."""
        await self.load(session, [order_id])
        found: Rule | None = session.info.get(_ANONYMISED, {}).get(order_id)
        return found

    async def entries(self, session: AsyncSession, order_id: str) -> list[dict[str, Any]]:
        rows = await execute(
            session,
            select(self.table).where(self.table.c.order_id == order_id).order_by(self.table.c.id),
        )
        return [dict(row._mapping) for row in rows]


_ANONYMISED = "bestil_anonymised_orders"
_CHECKED = "bestil_anonymised_checked"

#: One service's anonymisation of one order, in the caller's transaction: the fields it changed.
Anonymise = Callable[[AsyncSession, str], Awaitable[list[str]]]
Handler = Callable[[AsyncSession, Any], Awaitable[None]]
Prefetch = Callable[[AsyncSession, list[Any]], Awaitable[None]]


async def erase(
    session: AsyncSession,
    deletions: DeletionLog,
    anonymise: Anonymise,
    order_id: str,
    *,
    by: str,
    at: datetime,
) -> list[str]:
    """Anonymise one order on request and log it; a repeat finds nothing left and logs that."""
    what = await anonymise(session, order_id)
    await deletions.record(session, order_id, Rule.ERASURE, what, at=at, by=by)
    return what


def keeping_anonymous(
    handlers: Mapping[type, Handler], deletions: DeletionLog, anonymise: Anonymise, clock: Clock
) -> dict[type, Handler]:
    """Every subscriber, followed by anonymising again when its order was anonymised before.

    Topics are not ordered with each other: an order's `OrderSubmitted` may arrive after its
    erasure, a citizen's late feedback after the retention job. Whatever such an event brings
    is removed in the transaction that brought it, so no email goes out and no page shows it.
    """

    def guarded(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def run(session: AsyncSession, event: Any) -> None:
            await handler(session, event)
            order_id = str(event.order_id)
            rule = await deletions.rule_of(session, order_id)
            if rule is None:
                return
            what = await anonymise(session, order_id)
            if what:
                await deletions.record(
                    session, order_id, rule, what, at=clock(), by=f"late:{type(event).__name__}"
                )

        return run

    return {
        model: guarded(handler) if issubclass(model, Event) else handler
        for model, handler in handlers.items()
    }


def prefetching(deletions: DeletionLog, prefetch: Prefetch | None) -> Prefetch:
    """The service's prefetch, plus which of the batch's orders were anonymised before."""

    async def run(session: AsyncSession, batch: list[Any]) -> None:
        if prefetch is not None:
            await prefetch(session, batch)
        await deletions.load(session, [str(e.order_id) for e in batch if isinstance(e, Event)])

    return run


# --- the job ---------------------------------------------------------------------------------

#: The orders due now, with the rule each falls under, at most `limit` of them.
Candidates = Callable[
    [AsyncSession, datetime, int, RetentionSettings], Awaitable[list[tuple[str, Rule]]]
]


@dataclass
class RetentionJob:
    """Anonymises what has outlived its retention period: one transaction per order, so a
    failure leaves the others done, and a run stops after `batch` orders (the next goes on)."""

    service: str
    db: Database
    settings: RetentionSettings
    clock: Clock
    deletions: DeletionLog
    candidates: Candidates
    anonymise: Anonymise

    async def run_once(self) -> int:
        """Anonymise the orders due now; returns how many."""
        now = self.clock()
        async with self.db.reading() as session:
            due = await self.candidates(session, now, self.settings.batch, self.settings)
        for order_id, rule in due:
            async with self.db.transaction() as session:
                what = await self.anonymise(session, order_id)
                await self.deletions.record(session, order_id, rule, what, at=now, by=BY_RETENTION)
        if due:
            log.info("%s: retention anonymised %d order(s)", self.service, len(due))
        return len(due)

    async def run_until_done(self) -> int:
        """Every order due now, however many runs of `batch` that takes."""
        total = 0
        while done := await self.run_once():
            total += done
        return total

    async def run_forever(self) -> None:
        """At start-up and every `interval_s`; the database being away is tried again later."""
        while True:
            try:
                await self.run_until_done()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("%s: retention job: %s", self.service, type(exc).__name__)
            await asyncio.sleep(self.settings.interval_s)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The job in the background while the service runs (unless switched off)."""
        if not self.settings.enabled:
            yield
            return
        task = asyncio.create_task(self.run_forever(), name=f"{self.service}-retention")
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
