"""The guardian of the promise: follows each order's deadlines, raises each alert exactly once,
and sends the districts their breach emails and daily digests.

Several instances may run side by side on one PostgreSQL database: due deadlines are claimed
with FOR UPDATE SKIP LOCKED, and a digest is recorded under a (district, day) primary key.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.domain import (
    alerts_due,
    deadline_changes,
    digest_due,
    district_mailbox,
)
from services.notifications.emails.kinds import DISTRICT_BREACH, DISTRICT_DIGEST, EmailKind
from services.notifications.models import Deadline, DigestSent, OutgoingEmail, messages
from services.notifications.settings import NotificationsSettings
from shared import districts, events
from shared.clock import Clock, as_utc
from shared.db import Database, get_row, keep_row, load_rows
from shared.metrics import DEADLINE_ALERTS
from shared.topics import DEADLINES
from shared.vocabulary import DeadlineKind, DeadlineState

log = logging.getLogger(__name__)


def deadline_key(order_id: str, kind: DeadlineKind) -> str:
    """One row per order and kind, found by this key whichever event comes first."""
    return f"{order_id}/{kind.value}"


async def _deadline(
    session: AsyncSession, order_id: str, kind: DeadlineKind, reference: str
) -> Deadline:
    key = deadline_key(order_id, kind)
    found = await get_row(session, Deadline, Deadline.key, key)
    return found or Deadline(key=key, order_id=order_id, kind=kind.value, reference=reference)


async def load_deadlines(session: AsyncSession, batch: list[events.Event]) -> None:
    """The deadlines a batch of events will touch, in one query."""
    keys = [deadline_key(str(e.order_id), kind) for e in batch for kind in DeadlineKind]
    await load_rows(session, Deadline, Deadline.key, keys)


async def track_deadlines(
    session: AsyncSession, event: events.Event, *, category: str | None = None
) -> None:
    """Open, date or close an order's deadlines as the event says; any event may come first."""
    order_id = str(event.order_id)
    for change in deadline_changes(event):
        row = await _deadline(session, order_id, change.kind, event.reference)
        if change.due_at is not None:
            row.due_at = change.due_at
        if category is not None:
            row.category = category
        if change.close:
            row.closed = True
        keep_row(session, row, Deadline.key)


async def assign_deadlines(session: AsyncSession, routed: events.OrderRouted) -> None:
    """Both of an order's deadlines belong to the district it was routed to."""
    for kind in DeadlineKind:
        row = await _deadline(session, str(routed.order_id), kind, routed.reference)
        row.district_code = routed.district_code
        keep_row(session, row, Deadline.key)


class DeadlineWatch:
    """Raises due alerts and owes the districts' emails; run every `deadline_check_s`."""

    def __init__(self, db: Database, settings: NotificationsSettings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    @property
    def warning_before(self) -> timedelta:
        return timedelta(hours=self.settings.deadline_warning_hours)

    def _mailbox(self, code: str) -> str:
        return district_mailbox(
            code, self.settings.district_mailboxes, self.settings.district_mailbox_pattern
        )

    async def check(self, limit: int = 500) -> int:
        """Raise the alerts that are due now; returns how many were raised."""
        now = self.clock()
        raised: list[tuple[str, str, str]] = []
        async with self.db.transaction() as session:
            query = (
                select(Deadline)
                .where(
                    col(Deadline.closed).is_(False),
                    col(Deadline.due_at).is_not(None),
                    col(Deadline.breached_at).is_(None),
                    col(Deadline.due_at) <= now + self.warning_before,
                )
                .order_by(col(Deadline.due_at))
                .limit(limit)
            )
            if self.db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            for row in (await session.exec(query)).all():
                due = as_utc(row.due_at)  # type: ignore[arg-type]
                states = alerts_due(
                    due_at=due,
                    closed=row.closed,
                    warning_at=row.warning_at,
                    breached_at=row.breached_at,
                    now=now,
                    warning_before=self.warning_before,
                )
                for state in states:
                    await self._raise(session, row, state, due, now)
                    raised.append((row.kind, state.value, row.district_code or "none"))
        for labels in raised:  # counted once committed: a rolled-back alert was not raised
            DEADLINE_ALERTS.labels(*labels).inc()
        return len(raised)

    async def _raise(
        self,
        session: AsyncSession,
        row: Deadline,
        state: DeadlineState,
        due: datetime,
        now: datetime,
    ) -> None:
        alert = events.DeadlineAlert(
            order_id=uuid.UUID(row.order_id),
            reference=row.reference,
            district_code=row.district_code,
            kind=DeadlineKind(row.kind),
            state=state,
            due_at=due,
            raised_at=now,
            occurred_at=now,
        )
        await messages.enqueue(session, alert, now=now)
        if state == DeadlineState.WARNING:
            row.warning_at = now
        else:
            row.breached_at = now
            self._owe_breach_emails(session, row, alert, now)
        session.add(row)
        log.info("deadline %s %s for %s", row.kind, state.value, row.reference)

    def _owe_breach_emails(
        self, session: AsyncSession, row: Deadline, alert: events.DeadlineAlert, now: datetime
    ) -> None:
        """The citizen hears that it takes longer than promised; the district at once."""
        payload = alert.model_dump_json()
        session.add(
            OutgoingEmail(
                event_id=str(alert.event_id),
                order_id=row.order_id,
                kind=EmailKind.DEADLINE_BREACHED.value,
                topic=DEADLINES.name,
                payload=payload,
                next_attempt_at=now,
                created_at=now,
            )
        )
        if row.district_code:
            session.add(
                OutgoingEmail(
                    event_id=str(alert.event_id),
                    order_id=row.order_id,
                    kind=DISTRICT_BREACH,
                    recipient=self._mailbox(row.district_code),
                    topic=DEADLINES.name,
                    payload=json.dumps({"alert": json.loads(payload), "category": row.category}),
                    next_attempt_at=now,
                    created_at=now,
                )
            )

    async def send_digests(self) -> int:
        """Each district's digest once a day: its open deadlines, the first first."""
        now = self.clock()
        day = digest_due(now, self.settings.digest_hour)
        if day is None:
            return 0
        sent = 0
        for code in districts.DISTRICTS:
            try:
                async with self.db.transaction() as session:
                    sent += await self._owe_digest(session, code, day, now)
            except IntegrityError:
                continue
        return sent

    async def _owe_digest(self, session: AsyncSession, code: str, day: date, now: datetime) -> int:
        """Owe one district's digest for `day` unless it is owed already; 1 if an email is owed."""
        if await session.get(DigestSent, (code, day)) is not None:
            return 0
        session.add(DigestSent(district_code=code, day=day, sent_at=now))
        await session.flush()  # another instance that got there first fails here
        lines = await self._digest_lines(session, code, now)
        if not lines:
            return 0
        session.add(
            OutgoingEmail(
                event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"digest/{code}/{day}")),
                order_id=code,
                kind=DISTRICT_DIGEST,
                recipient=self._mailbox(code),
                topic="digest",
                payload=json.dumps({"district": code, "day": day.isoformat(), "lines": lines}),
                next_attempt_at=now,
                created_at=now,
            )
        )
        return 1

    async def _digest_lines(
        self, session: AsyncSession, code: str, now: datetime
    ) -> list[dict[str, str | None]]:
        query = (
            select(Deadline)
            .where(
                Deadline.district_code == code,
                col(Deadline.closed).is_(False),
                col(Deadline.due_at).is_not(None),
            )
            .order_by(col(Deadline.due_at))
        )
        lines = []
        for row in (await session.exec(query)).all():
            state = "breached" if row.breached_at else "warning" if row.warning_at else None
            lines.append(
                {
                    "reference": row.reference,
                    "category": row.category,
                    "kind": row.kind,
                    "due_at": as_utc(row.due_at).isoformat(),  # type: ignore[arg-type]
                    "state": state,
                }
            )
        return lines
