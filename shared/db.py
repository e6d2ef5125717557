"""A service's own database: SQLite file by default, PostgreSQL when its URL says so."""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    DateTime,
    MetaData,
    Table,
    TypeDecorator,
    bindparam,
    event,
    insert,
    text,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.orm import (
    Mapper,
    ORMExecuteState,
    Session,
    configure_mappers,
    make_transient_to_detached,
)
from sqlalchemy.orm.attributes import set_attribute
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import pg_connections, sqlite_inline
from shared.clock import as_utc

T = TypeVar("T")
#: A unit of work: runs inside a transaction it does not own, returns its answer.
Work = Callable[[AsyncSession], Awaitable[T]]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Database:
    """One engine per service; every unit of work is one transaction."""

    def __init__(self, url: str, metadata: MetaData, *, echo: bool = False) -> None:
        self.url = url
        self.metadata = metadata
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            # One connection: SQLite serialises writers anyway, and a single connection
            # avoids "database is locked" when a reading transaction upgrades to a write.
            kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
            inline = sqlite_inline.creator(url)
            if inline is not None:
                kwargs["async_creator"] = inline
        else:
            kwargs.update(pool_size=10, max_overflow=10)
            if pg_connections.is_loopback_without_tls_choice(url):
                kwargs["connect_args"] = {"ssl": False}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            pg_connections.ping_when_idle(self.engine.sync_engine)
        self._group: list[tuple[Work[Any], asyncio.Future[Any]]] = []
        self._group_task: asyncio.Task[None] | None = None
        self._in_flight: list[tuple[Work[Any], asyncio.Future[Any]]] = []
        self.group_limit = 200
        #: Called with a transaction's `session.info` once it has committed (never after a
        #: rollback): the outbox relay takes the rows it staged from there (shared/messaging).
        self.committed: list[Callable[[dict[str, Any]], None]] = []

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def ensure_directory(self) -> None:
        """A SQLite file's folder exists before the first connection opens it."""
        if self.is_sqlite:
            from pathlib import Path

            path = self.url.split(":///", 1)[1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)

    async def create_all(self) -> None:
        """The models' tables at once: for tests; services migrate (shared.migrations)."""
        self.ensure_directory()
        async with self.engine.begin() as conn:
            await conn.run_sync(self.metadata.create_all)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits on success and rolls back on any error.

        Rows staged with `stage_insert` are written in one statement per table just before
        the commit: a batch of events costs a few round trips, not a few per event.
        """
        async with self._session() as session:
            async with session.begin():
                yield session
                await flush_staged(session, final=True)
            for listener in self.committed:
                listener(session.info)

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        """A session whose `info` is emptied when it closes.

        `info` holds what a unit of work kept there (its rows, its staged writes, its
        connection beside its transaction, which points back at the session): a cycle that
        only CPython's cyclic collector could free, and with it every ORM row the session had
        loaded. That was 54 (routing) to 71 (screening) objects of cyclic garbage per event,
        and full collections of 20–50 ms under load; emptied, refcounting frees it all at once.
        """
        async with AsyncSession(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            finally:
                session.info.clear()

    async def grouped(self, work: Work[T]) -> T:
        """Run `work` in a transaction shared with the units of work waiting beside it.

        Group commit: while one transaction commits, the requests that arrive queue up and
        then commit together, so a burst costs one transaction (one fsync, one multi-row insert
        per table) instead of one each. Alone, a unit commits at once. If any unit of a group
        fails, each is run again in a transaction of its own, so one bad unit fails alone and
        the others' effects are exactly what they would have been without grouping.
        """
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._group.append((_in_callers_context(work), future))
        if self._group_task is None or self._group_task.done():
            self._group_task = asyncio.create_task(self._commit_groups())
        return await future

    async def _commit_groups(self) -> None:
        try:
            await self._drain_groups()
        except BaseException as exc:  # cancelled at shutdown: nobody may wait for ever
            for _, future in [*self._in_flight, *self._group]:
                if not future.done():
                    future.set_exception(RuntimeError("shutting down"))
            self._group.clear()
            self._in_flight = []
            if not isinstance(exc, Exception):
                raise

    async def _drain_groups(self) -> None:
        while self._group:
            batch = self._group[: self.group_limit]
            del self._group[: self.group_limit]
            batch = [(work, future) for work, future in batch if not future.done()]
            self._in_flight = batch
            if not batch:
                continue
            if len(batch) == 1:
                await self._one_by_one(batch)
                continue
            try:
                async with self.transaction() as session:
                    results = [await work(session) for work, _ in batch]
            except Exception:
                await self._one_by_one(batch)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _one_by_one(self, batch: list[tuple[Work[Any], asyncio.Future[Any]]]) -> None:
        for work, future in batch:
            try:
                async with self.transaction() as session:
                    result = await work(session)
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        async with self._session() as session:
            yield session

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()


_STAGED = "bestil_staged_inserts"
_COUNTERS = "bestil_staged_counters"


def _in_callers_context(work: Work[T]) -> Work[T]:
    """`work` as its caller's: the group runs in the task of whoever started it, so without
    this every unit would log with, and stage events in the trace of, that first request."""
    caller = contextvars.copy_context()

    async def run(session: AsyncSession) -> T:
        tokens = [(var, var.set(value)) for var, value in caller.items()]
        try:
            return await work(session)
        finally:
            for var, token in reversed(tokens):
                var.reset(token)

    return run


def stage_insert(session: AsyncSession, table: Table, row: dict[str, Any]) -> None:
    """Insert `row` into `table` when the transaction commits (in staging order)."""
    session.info.setdefault(_STAGED, {}).setdefault(table, []).append(row)


def staged(session: AsyncSession, table: Table) -> list[dict[str, Any]]:
    return list(session.info.get(_STAGED, {}).get(table, []))


def stage_increments(
    session: AsyncSession, table: Table, deltas: Mapping[tuple[Any, ...], int]
) -> None:
    """Add to counters when the transaction commits: `table` is keyed by its primary key (the
    tuples' values, in column order) and holds the count in `value`. A batch of events moving
    the same counters costs one statement, and concurrent writers never lose an update."""
    pending = session.info.setdefault(_COUNTERS, {}).setdefault(table, Counter())
    pending.update(deltas)


async def flush_staged(session: AsyncSession, *, final: bool = False) -> None:
    """Write what the transaction staged (new rows from `keep_row`, inserts, counters) in one
    trip into SQLAlchemy's greenlet, not one per statement (~30 µs each here).

    `final`: the commit follows at once, so new rows need not become the session's."""
    info = session.info
    if info.get(_NEW_ROWS) or info.get(_STAGED) or info.get(_COUNTERS):
        await session.run_sync(_write_staged, final=final)


def _write_staged(session: Session, /, *, final: bool) -> None:
    _write_new_rows(session, attach=not final)
    connection = session.connection()
    for table, rows in session.info.pop(_STAGED, {}).items():
        if rows:
            connection.execute(_insert_into(table), rows)
    for table, pending in session.info.pop(_COUNTERS, {}).items():
        keys = [column.name for column in table.primary_key.columns]
        counts = [
            {**dict(zip(keys, key, strict=True)), "value": n}
            for key, n in sorted(pending.items())  # one lock order for every writer
            if n
        ]
        if counts:
            connection.execute(_counter_upsert(table, connection.dialect.name), counts)


_INSERTS: dict[Table, Any] = {}


def _insert_into(table: Table) -> Any:
    """Built once per table, as the upsert below (its construction showed in the profile)."""
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = insert(table)
    return statement


_UPSERTS: dict[tuple[Table, str], Any] = {}


def _counter_upsert(table: Table, dialect_name: str) -> Any:
    """Built once per table and dialect: constructing the upsert and its cache key cost a
    batch of one event more than the statement itself (bench/consumer_batch.py)."""
    upsert = _UPSERTS.get((table, dialect_name))
    if upsert is None:
        dialect = postgresql if dialect_name == "postgresql" else sqlite
        statement = dialect.insert(table)  # one compiled statement, run for many rows
        keys = [column.name for column in table.primary_key.columns]
        upsert = _UPSERTS[(table, dialect_name)] = statement.on_conflict_do_update(
            index_elements=keys, set_={"value": table.c.value + statement.excluded.value}
        )
    return upsert


_CONNECTION = "bestil_connection"


async def connection_of(session: AsyncSession) -> AsyncConnection:
    """The session's connection in its current transaction, asked of the session once: each
    `session.connection()` is a greenlet round trip (~30 µs here), and a batch runs several
    Core statements."""
    transaction = session.sync_session.get_transaction()
    cached = session.info.get(_CONNECTION)
    if transaction is not None and cached is not None and cached[0] is transaction:
        return cached[1]
    connection = await session.connection()
    session.info[_CONNECTION] = (session.sync_session.get_transaction(), connection)
    return connection


async def execute(session: AsyncSession, statement: Any, params: Any = None) -> Any:
    """Run a Core statement in the session's transaction (SQLModel's `exec` is for ORM selects)."""
    connection = await connection_of(session)
    return await connection.execute(statement, params)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and read back as aware UTC, on SQLite as on PostgreSQL.

    SQLite keeps no offset: an aware time in another zone (an officer's +01:00) would come
    back as if it were UTC. Converting on the way in makes every service agree.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return as_utc(value) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return as_utc(value) if value is not None else None


# --- rows of one batch, loaded at once --------------------------------------------------------
#
# A consumer applies up to a few hundred events in one transaction. Loading each event's row
# with its own SELECT (and the ORM flushing before each) made a hop cost milliseconds per event;
# instead the rows of the whole batch are loaded with one query, and rows the batch creates are
# remembered, so the events themselves run without a round trip. Everything is written at commit.

_ROWS = "bestil_rows"
_LOAD_QUERIES: dict[tuple[Any, str, Any], Any] = {}
_LOADED = "bestil_rows_loaded"


async def load_rows(
    session: AsyncSession,
    model: Any,
    key: Any,
    values: list[Any],
    *,
    joined: tuple[Any, Any] | None = None,
) -> None:
    """Load the rows of `model` whose `key` column is in `values` into the batch's cache.

    `joined` is another (model, key) whose rows exist only beside `model`'s, with the same key
    (screening's queue entry beside its order): loaded by the same query, an outer join, for
    one round trip instead of two.
    """
    tables = [(model, key), *([joined] if joined is not None else [])]
    caches = [session.info.setdefault(_ROWS, {}).setdefault(m, {}) for m, _ in tables]
    loaded = session.info.setdefault(_LOADED, {}).setdefault(model, set())
    wanted = [v for v in dict.fromkeys(values) if v not in loaded]
    query = _LOAD_QUERIES.get((model, key.key, joined))
    if query is None:  # built once per table: constructing it cost more than running it
        query = select(*(m for m, _ in tables))
        if joined is not None:
            query = query.outerjoin(joined[0], joined[1] == key)
        query = _LOAD_QUERIES[(model, key.key, joined)] = query.where(
            key.in_(bindparam("values", expanding=True))
        )
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for found in (await session.exec(query, params={"values": chunk})).all():
            for row, cache, (_, row_key) in zip(
                found if joined is not None else (found,), caches, tables, strict=True
            ):
                if row is not None:
                    cache[getattr(row, row_key.key)] = row
        for m, _ in tables:
            session.info[_LOADED].setdefault(m, set()).update(chunk)


async def get_row(session: AsyncSession, model: Any, key: Any, value: Any) -> Any:
    """The row from the batch's cache; from the database only if the batch did not load it."""
    cache = session.info.setdefault(_ROWS, {}).setdefault(model, {})
    if value in cache:
        return cache[value]
    if value in session.info.get(_LOADED, {}).get(model, ()):
        return None  # loaded with the batch, and not there
    found = (await session.exec(select(model).where(key == value))).first()
    if found is not None:
        cache[value] = found
    return found


def keep_row(session: AsyncSession, row: Any, key: Any) -> None:
    """Add a new or changed row, and let later events of the batch find it.

    A new row is written with the transaction's other new rows of its table, in one Core
    INSERT just before the commit (or before an ORM query that could look for it, as the
    ORM's autoflush would): through the ORM's unit of work, a batch's new rows cost it more
    than the rest of their events together (bench/consumer_batch.py).
    """
    session.info.setdefault(_ROWS, {}).setdefault(type(row), {})[getattr(row, key.key)] = row
    state = row._sa_instance_state
    if state.key is None and state.session_id is None and _insert_plan(type(row)) is not None:
        session.info.setdefault(_NEW_ROWS, {})[id(row)] = row  # checked when written
        return
    session.add(row)


@dataclass(frozen=True)
class _InsertPlan:
    """How a model's new rows are written in one Core INSERT."""

    statement: Any
    #: (attribute, column key) of every column
    columns: tuple[tuple[str, str], ...]
    #: Attributes a row must not leave None to be written so: its primary key, and those
    #: where the ORM would leave a None out (a column with a default of its own, JSON where
    #: Core would write the JSON `null`).
    required: tuple[str, ...]


_PLANS: dict[type, _InsertPlan | None] = {}


def _insert_plan(model: type) -> _InsertPlan | None:
    """The model's plan; None for a model that does not map its table column for column."""
    if model in _PLANS:
        return _PLANS[model]
    mapper: Mapper[Any] = sa_inspect(model)
    table: Any = mapper.local_table
    pairs = [(prop.key, column) for prop in mapper.column_attrs for column in prop.columns]
    plan = None
    if len(pairs) == len(table.columns) and all(c.table is table for _, c in pairs):
        plan = _InsertPlan(
            _insert_into(table),
            tuple((attr, column.key) for attr, column in pairs),
            tuple(
                attr
                for attr, column in pairs
                if column.primary_key
                or column.default is not None
                or column.server_default is not None
                or (isinstance(column.type, JSON) and not column.type.none_as_null)
            ),
        )
    _PLANS[model] = plan
    return plan


_NEW_ROWS = "bestil_new_rows"


def _write_new_rows(session: Session, /, *, attach: bool) -> None:
    """Write the new rows `keep_row` holds, one INSERT per table, in the caller's greenlet.

    `attach`: the transaction goes on, so the rows become the session's, as if loaded, and a
    later change to one is an UPDATE (at the commit itself nobody changes them any more).
    A row the ORM took meanwhile (someone `add`ed it) is the ORM's to write, and so is one
    that was given a None since `keep_row` where the ORM would write the column's default.
    """
    rows = session.info.pop(_NEW_ROWS, None)
    if not rows:
        return
    by_model: dict[type, tuple[_InsertPlan, list[Any]]] = {}
    for row in rows.values():
        state = row._sa_instance_state
        if state.key is not None or state.session_id is not None:
            continue
        plan = _PLANS[type(row)]
        assert plan is not None  # keep_row holds only rows with a plan
        if any(row.__dict__.get(attr) is None for attr in plan.required):
            session.add(row)
            continue
        by_model.setdefault(type(row), (plan, []))[1].append(row)
    connection = session.connection()
    for plan, written in by_model.values():
        connection.execute(
            plan.statement,
            [{column: row.__dict__.get(attr) for attr, column in plan.columns} for row in written],
        )
        if attach:
            for row in written:
                make_transient_to_detached(row)
                session.add(row)


@event.listens_for(Session, "do_orm_execute")
def _new_rows_before_orm_queries(orm_execute_state: ORMExecuteState) -> None:
    """An ORM query sees the rows `keep_row` holds, as it would see pending ones (autoflush)."""
    session = orm_execute_state.session
    if session.info.get(_NEW_ROWS):
        _write_new_rows(session, attach=True)


def assign(row: Any, **values: Any) -> None:
    """Set columns of a table row as SQLModel's attribute set does, in a third of its time.

    SQLModel's `__setattr__` asks whether the class is a table and the attribute instrumented,
    then sets it through SQLAlchemy and again through pydantic: 11 % of screening's batch was
    those sets (bench/consumer_batch.py). SQLAlchemy's set keeps the change's history and the
    instance's dict, pydantic's only adds the name to the fields set, done here once.
    """
    for name, value in values.items():
        set_attribute(row, name, value)
    row.__pydantic_fields_set__.update(values)


def new_row(model: type[T], **values: Any) -> T:
    """A new row of a SQLModel table, built as SQLAlchemy builds the rows it loads.

    `Model(**values)` sets every field through SQLModel's, pydantic's and SQLAlchemy's
    attribute hooks: ~90 µs for a queue row, more than the rest of the event cost together
    (bench/consumer_batch.py). A pending row's INSERT takes its values from the instance's
    dict, so filling the dict directly (defaults included, as the constructor would) writes
    the same row; later changes go through the hooks as usual. No validation either way:
    table models are not validated on construction.
    """
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        # The constructor configures the mappers on first use; without it, a process whose
        # first row of a model is built here would have attributes not instrumented yet.
        configure_mappers()
        defaults = _DEFAULTS[model] = _field_defaults(model)
    constants, makers = defaults
    unknown = values.keys() - model.model_fields.keys()  # type: ignore[attr-defined]
    if unknown:
        raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    row: Any = model.__new__(model)
    model._sa_class_manager._new_state_if_none(row)  # type: ignore[attr-defined]
    fields = row.__dict__
    fields.update(constants)
    for name, make in makers.items():
        if name not in values:
            fields[name] = make()
    fields.update(values)
    object.__setattr__(row, "__pydantic_fields_set__", set(values))
    object.__setattr__(row, "__pydantic_extra__", None)
    object.__setattr__(row, "__pydantic_private__", None)
    return row


_IMMUTABLE = (type(None), bool, int, float, str, bytes)
_DEFAULTS: dict[type, tuple[dict[str, Any], dict[str, Callable[[], Any]]]] = {}


def _field_defaults(model: type) -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    """The fields' immutable defaults, and a maker for each other one (a factory's fresh
    value, a mutable default's copy, as pydantic's constructor gives); required fields are
    left out, as the constructor leaves them."""
    constants: dict[str, Any] = {}
    makers: dict[str, Callable[[], Any]] = {}
    for name, field in model.model_fields.items():  # type: ignore[attr-defined]
        if field.is_required():
            continue
        if field.default_factory is None and isinstance(field.default, _IMMUTABLE):
            constants[name] = field.default
        else:
            makers[name] = functools.partial(field.get_default, call_default_factory=True)
    return constants, makers
