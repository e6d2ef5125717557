"""Screening's use cases on a SQLite file and a fixed clock: no app, no broker, no HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlmodel import select

from services.screening import actions, handlers, projection, reading
from services.screening.domain import ActionRefusedError, DecisionRequest, ScheduleRequest
from services.screening.models import AuditEntry, Officer, ScreeningBase, messages
from services.screening.queries import OrderNotVisibleError
from services.screening.replies import subject_of
from services.screening.web.admin import district_title
from shared import events
from shared.db import Database
from shared.vocabulary import Decision, Language, ReasonCode, RoutingMethod
from tests.support import requester, staged_events, submitted_event, traffic_order

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
ACCEPT = DecisionRequest(decision=Decision.ACCEPTED, reason_code=ReasonCode.ACCEPTED, message="Ja")


def officer(district: str | None = "1461", role: str = "officer") -> Officer:
    return Officer(
        id=f"{role}-{district}",
        email=f"{role}@politi.dk",
        name="Betjent",
        district_code=district,
        role=role,
        password_hash="-",
        created_at=NOW,
    )


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'screening.db'}", ScreeningBase.metadata)
    await database.create_all()
    yield database
    await database.dispose()


async def queued(db: Database, district: str = "1461", **order: object) -> str:
    """An order as the consumer leaves it: submitted and routed to `district`."""
    submitted = submitted_event(traffic_order(**order), now=NOW - timedelta(days=1))
    routed = events.OrderRouted(
        order_id=submitted.order_id,
        reference=submitted.reference,
        district_code=district,
        district_name="Kredsen",
        method=RoutingMethod.MUNICIPALITY,
        routed_at=NOW - timedelta(days=1),
    )
    async with db.transaction() as session:
        await handlers.on_order_submitted(session, submitted)
        await handlers.on_order_routed(session, routed)
    return str(submitted.order_id)


async def audit_actions(db: Database) -> list[str]:
    async with db.reading() as session:
        return [e.action for e in (await session.exec(select(AuditEntry))).all()]


async def test_a_decision_commits_its_event_and_audit_line_with_the_order(db: Database) -> None:
    order_id = await queued(db)
    [done] = await actions.record_decision(db, officer(), [order_id], ACCEPT, now=NOW)
    assert done.order["status"] == "accepted"
    [screened] = await staged_events(db, messages, events.OrderScreened)
    assert (screened.event_id, screened.decided_at) == (done.event.event_id, NOW)
    assert await audit_actions(db) == ["decided"]


async def test_one_refusal_undoes_the_whole_group(db: Database) -> None:
    first, second = await queued(db), await queued(db)
    await actions.record_decision(db, officer(), [second], ACCEPT, now=NOW)
    with pytest.raises(ActionRefusedError) as refused:
        await actions.record_decision(db, officer(), [first, second], ACCEPT, now=NOW)
    found = await reading.view_order(db, officer(), first, now=NOW, via="api")
    assert found.order.status == "routed"
    assert (
        refused.value.reference
        == (await reading.view_order(db, officer(), second, now=NOW, via="api")).order.reference
    )
    assert len(await staged_events(db, messages, events.OrderScreened)) == 1


async def test_another_districts_order_is_not_visible_and_nothing_is_recorded(
    db: Database,
) -> None:
    order_id = await queued(db, district="1470")
    with pytest.raises(OrderNotVisibleError):
        await actions.record_decision(db, officer("1461"), [order_id], ACCEPT, now=NOW)
    with pytest.raises(OrderNotVisibleError):
        await reading.view_order(db, officer("1461"), order_id, now=NOW, via="web")
    assert await audit_actions(db) == []


async def test_viewing_an_order_is_recorded_as_it_is_read(db: Database) -> None:
    order_id = await queued(db)
    found = await reading.view_order(db, officer(), order_id, now=NOW, via="web")
    assert [a.kind for a in found.history] == ["OrderSubmitted", "OrderRouted"]
    assert await audit_actions(db) == ["viewed"]


async def test_a_group_decision_leaves_each_citizens_name_to_the_email(db: Database) -> None:
    ids = [
        await queued(db, requester=requester(name="Anna Holm")),
        await queued(db, requester=requester(name="Bo Berg")),
    ]
    texts = {Language.DA: "Kære {navn}, vi kommer ({reference})."}
    done = await actions.record_decision(
        db, officer(), ids, ACCEPT, now=NOW, via="web", texts=texts
    )
    assert [d.event.message for d in done] == [
        f"Kære {{navn}}, vi kommer ({d.event.reference})." for d in done
    ]


async def test_planning_after_the_execution_deadline_carries_a_warning(db: Database) -> None:
    order_id = await queued(db)
    await actions.record_decision(db, officer(), [order_id], ACCEPT, now=NOW)
    late = ScheduleRequest(planned_start=NOW + timedelta(days=400))
    [done] = await actions.schedule_order(db, officer(), [order_id], late, now=NOW)
    assert done.warning
    assert done.order["status"] == "scheduled"


def test_every_followed_fact_has_its_own_subscriber() -> None:
    followed = handlers.subscribers()
    assert {model.__name__ for model in followed} == {
        "OrderSubmitted",
        "OrderRouted",
        "OrderUnroutable",
        "OrderCancelled",
        "InfoProvided",
        "FeedbackReceived",
        "DeadlineAlert",
    }
    assert len(set(followed.values())) == len(followed)


async def test_the_projection_folds_a_mixed_stream_by_type(db: Database) -> None:
    submitted = submitted_event(now=NOW)
    async with db.transaction() as session:
        await projection.apply_event(session, submitted)
    found = await reading.view_order(
        db, officer(None, "national_admin"), str(submitted.order_id), now=NOW, via="api"
    )
    assert found.order.category == "traffic_control"


@pytest.mark.parametrize(
    ("topic", "subject"),
    [
        ("cyber_crime", "et foredrag om it-kriminalitet"),
        ("something new", "et foredrag om something new"),
        (None, "et foredrag om "),
        (7, "et foredrag om 7"),
    ],
    ids=["known", "unknown-text", "missing", "not-text"],
)
def test_a_talks_subject_never_fails_on_its_topic(topic: object, subject: str) -> None:
    assert subject_of({"category": "talk", "details": {"topic": topic}}) == subject


def test_the_templates_page_names_an_unknown_district_by_its_code() -> None:
    assert district_title("1461") == "Østjyllands Politi"
    assert district_title("") == ""
