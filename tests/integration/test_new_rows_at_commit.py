"""`shared.db.keep_row` writes a transaction's new rows in one Core INSERT per table, and
nothing that reads or changes them in the same transaction can tell.

The consumers keep every new queue and routing row this way (through the ORM's unit of work,
a batch's new rows cost more than the rest of its events). What the ORM gave for free must
hold still: a query sees a row kept earlier (autoflush), a later change to it is written, a
rollback writes nothing, and a row is written once. On the real database (SQLite, or
PostgreSQL in that run).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlmodel import col, select

from services.routing.models import Routing, RoutingBase
from services.screening.models import OrderActivity, QueuedOrder, QueueEntry, ScreeningBase
from shared.db import Database, execute, keep_row, new_row
from shared.retention import settle

NOW = datetime(2026, 5, 4, 8, 30, tzinfo=UTC)


@pytest.fixture
async def db(database_url: Callable[..., Any]) -> AsyncIterator[Database]:
    database = Database(await database_url("screening"), ScreeningBase.metadata)
    await database.create_all()
    yield database
    await database.dispose()


def order(order_id: str, **values: Any) -> QueuedOrder:
    return new_row(
        QueuedOrder,
        **{"order_id": order_id, "reference": f"R-{order_id}", "status": "received"},
        updated_at=NOW,
        **values,
    )


def inserts_into(db: Database, table: str) -> list[int]:
    """One item per INSERT statement the engine sends into `table`: its number of rows."""
    sent: list[int] = []

    def count(_conn: Any, _cursor: Any, sql: str, params: Any, _ctx: Any, many: bool) -> None:
        if sql.lstrip().upper().startswith(f"INSERT INTO {table.upper()}"):
            sent.append(len(params) if many else 1)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    return sent


def columns(row: Any) -> dict[str, Any]:
    return {k: v for k, v in row.__dict__.items() if not k.startswith("_sa_")}


async def stored(db: Database, model: Any, key: Any) -> dict[str, dict[str, Any]]:
    async with db.reading() as session:
        return {getattr(r, key.key): columns(r) for r in (await session.exec(select(model))).all()}


async def test_a_batchs_new_rows_are_one_insert_and_the_rows_the_orm_writes(
    db: Database,
) -> None:
    sent = inserts_into(db, "queued_orders")
    async with db.transaction() as session:
        for i in range(5):
            keep_row(
                session,
                order(f"kept-{i}", category="talk", urgent=i % 2 == 0),
                QueuedOrder.order_id,
            )
            session.add(
                QueuedOrder(**columns(order(f"orm-{i}", category="talk", urgent=i % 2 == 0)))
            )
    rows = await stored(db, QueuedOrder, QueuedOrder.order_id)
    assert len(rows) == 10
    for i in range(5):
        kept, orm = rows[f"kept-{i}"], rows[f"orm-{i}"]
        for row in (kept, orm):
            row.pop("order_id"), row.pop("reference")
        assert kept == orm
    assert 5 in sent  # the kept ones: one statement


async def test_a_query_in_the_transaction_sees_a_kept_row_and_its_later_change_is_written(
    db: Database,
) -> None:
    async with db.transaction() as session:
        kept = order("o-1")
        keep_row(session, kept, QueuedOrder.order_id)
        found = (
            await session.exec(select(QueuedOrder).where(col(QueuedOrder.order_id) == "o-1"))
        ).one()
        assert found is kept  # the same object, as with a pending row
        kept.status = "screened"
        keep_row(session, kept, QueuedOrder.order_id)  # again, as a later event would
    rows = await stored(db, QueuedOrder, QueuedOrder.order_id)
    assert [(k, r["status"]) for k, r in rows.items()] == [("o-1", "screened")]


async def test_a_row_kept_before_settle_is_seen_by_core_updates_and_changed_after(
    db: Database,
) -> None:
    """Anonymisation's order of things: settle, a Core UPDATE, then ORM changes."""
    later = NOW + timedelta(hours=1)
    async with db.transaction() as session:
        kept = order("o-2", content={"details": {"road": "Skolevej"}})
        keep_row(session, kept, QueuedOrder.order_id)
        await settle(session)
        result = await execute(
            session,
            update(QueuedOrder).where(col(QueuedOrder.order_id) == "o-2").values(category="talk"),
        )
        assert result.rowcount == 1
        kept.updated_at = later
        keep_row(session, kept, QueuedOrder.order_id)
    [row] = (await stored(db, QueuedOrder, QueuedOrder.order_id)).values()
    assert (row["category"], row["updated_at"]) == ("talk", later)


async def test_a_rollback_writes_none_of_them(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            keep_row(session, order("o-3"), QueuedOrder.order_id)
            raise RuntimeError("the batch fails")
    assert await stored(db, QueuedOrder, QueuedOrder.order_id) == {}


async def test_a_row_added_to_the_session_meanwhile_is_written_once(db: Database) -> None:
    async with db.transaction() as session:
        kept = order("o-4")
        keep_row(session, kept, QueuedOrder.order_id)
        session.add(kept)  # the ORM's now
    assert list(await stored(db, QueuedOrder, QueuedOrder.order_id)) == ["o-4"]


async def test_rows_the_orm_must_write_still_go_through_it(db: Database) -> None:
    """A serial primary key the database assigns, or a None the ORM would leave to the
    column's default, is not something one INSERT of every column can write."""
    async with db.transaction() as session:
        activity = new_row(OrderActivity, order_id="o-5", kind="OrderSubmitted", at=NOW)
        keep_row(session, activity, OrderActivity.order_id)
        entry = new_row(
            QueueEntry,
            order_id="o-5",
            reference="R-5",
            status="received",
            category="talk",
            submitted_at=NOW,
        )
        entry.road_key = None  # type: ignore[assignment]  # the column's default: ""
        keep_row(session, entry, QueueEntry.order_id)
    assert [r["id"] for r in (await stored(db, OrderActivity, OrderActivity.order_id)).values()]
    [written] = (await stored(db, QueueEntry, QueueEntry.order_id)).values()
    assert written["road_key"] == ""


async def test_another_services_rows_are_kept_alike(database_url: Callable[..., Any]) -> None:
    db = Database(await database_url("routing"), RoutingBase.metadata)
    await db.create_all()
    try:
        async with db.transaction() as session:
            for i in range(3):
                keep_row(
                    session,
                    new_row(Routing, order_id=f"o-{i}", reference=f"R-{i}", routed_at=NOW),
                    Routing.order_id,
                )
        assert sorted(await stored(db, Routing, Routing.order_id)) == ["o-0", "o-1", "o-2"]
    finally:
        await db.dispose()


async def test_a_none_given_after_keep_row_is_still_the_columns_default(db: Database) -> None:
    """A later event may clear a field the ORM would then fill from the column's default."""
    async with db.transaction() as session:
        entry = new_row(
            QueueEntry,
            order_id="o-6",
            reference="R-6",
            status="received",
            category="talk",
            submitted_at=NOW,
            road_key="Skolevej",
        )
        keep_row(session, entry, QueueEntry.order_id)
        entry.road_key = None  # type: ignore[assignment]
    [written] = (await stored(db, QueueEntry, QueueEntry.order_id)).values()
    assert written["road_key"] == ""
