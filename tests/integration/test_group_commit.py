"""Group commit (`Database.grouped`) on the real database: units that arrive together share a
transaction, and a unit that fails, fails alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import Database, connection_of, execute, stage_insert
from tests.support import eventually

metadata = MetaData()
notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", String(40), nullable=False, unique=True),
)


@pytest.fixture
async def db(database_url: Callable[..., Any]) -> AsyncIterator[Database]:
    database = Database(await database_url("group"), metadata)
    await database.create_all()
    yield database
    await database.dispose()


def counting_commits(db: Database) -> list[int]:
    commits: list[int] = []
    event.listen(db.engine.sync_engine, "commit", lambda _conn: commits.append(1))
    return commits


def note(text: str, *, staged: bool = False) -> Callable[[AsyncSession], Any]:
    async def work(session: AsyncSession) -> str:
        if staged:
            stage_insert(session, notes, {"text": text})
        else:
            await execute(session, insert(notes).values(text=text))
        return text.upper()

    return work


async def texts(db: Database) -> list[str]:
    async with db.reading() as session:
        return sorted(row[0] for row in await execute(session, select(notes.c.text)))


async def test_a_unit_alone_commits_at_once_and_returns_its_answer(db: Database) -> None:
    commits = counting_commits(db)
    assert await db.grouped(note("alone")) == "ALONE"
    assert await texts(db) == ["alone"]
    assert len(commits) == 1


async def test_units_arriving_together_share_transactions(db: Database) -> None:
    commits = counting_commits(db)
    answers = await asyncio.gather(*(db.grouped(note(f"n{i:03}", staged=True)) for i in range(60)))
    assert answers == [f"N{i:03}" for i in range(60)]
    assert await texts(db) == [f"n{i:03}" for i in range(60)]
    # the first unit commits alone; the 59 queued behind it go together
    assert len(commits) <= 2


async def test_a_failing_unit_fails_alone_and_leaves_nothing(db: Database) -> None:
    async def broken(session: AsyncSession) -> None:
        await execute(session, insert(notes).values(text="half-done"))
        raise ValueError("the unit's own error")

    units = [note(f"ok{i}") for i in range(5)]
    results = await asyncio.gather(
        *(db.grouped(u) for u in units[:3]),
        db.grouped(broken),
        *(db.grouped(u) for u in units[3:]),
        return_exceptions=True,
    )
    assert isinstance(results[3], ValueError) and results[3].args == ("the unit's own error",)
    assert results[:3] + results[4:] == [f"OK{i}" for i in range(5)]
    assert await texts(db) == [f"ok{i}" for i in range(5)]  # no "half-done"


async def test_a_conflict_at_commit_fails_only_the_unit_that_caused_it(db: Database) -> None:
    await db.grouped(note("taken"))
    results = await asyncio.gather(
        db.grouped(note("first", staged=True)),
        db.grouped(note("second", staged=True)),
        db.grouped(note("taken", staged=True)),  # violates the unique constraint at commit
        db.grouped(note("third", staged=True)),
        return_exceptions=True,
    )
    assert isinstance(results[2], IntegrityError)
    assert results[:2] + results[3:] == ["FIRST", "SECOND", "THIRD"]
    assert await texts(db) == ["first", "second", "taken", "third"]


async def queued_behind(db: Database, count: int) -> None:
    """Wait until `count` units wait for the committer (which is busy with another)."""

    async def queued() -> bool:
        return len(db._group) == count

    await eventually(queued, within=5, interval=0.001, what=f"{count} queued units")


async def test_a_caller_that_gives_up_does_not_stop_the_others(db: Database) -> None:
    committing, release = asyncio.Event(), asyncio.Event()

    async def slow(session: AsyncSession) -> str:
        committing.set()
        await release.wait()
        return await note("slow")(session)

    first = asyncio.create_task(db.grouped(slow))
    await asyncio.wait_for(committing.wait(), 5)
    waiting = asyncio.create_task(db.grouped(note("abandoned")))
    others = [asyncio.create_task(db.grouped(note(f"k{i}"))) for i in range(3)]
    await queued_behind(db, 4)
    waiting.cancel()
    release.set()
    assert await first == "SLOW"
    assert await asyncio.gather(*others) == ["K0", "K1", "K2"]
    assert "abandoned" not in await texts(db)


async def test_waiting_units_are_told_when_the_committer_is_stopped(db: Database) -> None:
    committing, release = asyncio.Event(), asyncio.Event()

    async def stuck(session: AsyncSession) -> None:
        committing.set()
        await release.wait()

    first = asyncio.create_task(db.grouped(stuck))
    await asyncio.wait_for(committing.wait(), 5)
    queued = asyncio.create_task(db.grouped(note("queued")))
    await queued_behind(db, 1)
    assert db._group_task is not None
    db._group_task.cancel()  # what the loop does to pending tasks at shutdown
    for waiting in (first, queued):
        with pytest.raises(RuntimeError, match="shutting down"):
            await asyncio.wait_for(waiting, 5)


async def test_a_sessions_connection_is_asked_once_per_transaction(db: Database) -> None:
    """`connection_of` keeps the session's connection for its transaction, and only for it:
    after a commit or a rollback the next statement runs on the next transaction's own."""
    async with db.reading() as session:
        first = await connection_of(session)
        assert first is await session.connection()
        assert await connection_of(session) is first
        await execute(session, insert(notes).values(text="kept"))
        await session.commit()
        second = await connection_of(session)
        assert second is await session.connection()
        await execute(session, insert(notes).values(text="rolled back"))
        await session.rollback()
        third = await connection_of(session)
        assert third is await session.connection()
        assert [r[0] for r in await execute(session, select(notes.c.text))] == ["kept"]
