"""A transaction's last inserts, one statement on PostgreSQL: its data-modifying `WITH`.

A consumer's batch of one event ends with an INSERT per table it touched (the service's own
rows, the outbox, the processed event, counters), each a round trip to the server, and on
this kind of machine a round trip's socket write alone was ~0.3 ms of CPU (py-spy: 40 % of
routing's batch in `_SelectorSocketTransport.write`). Sent as `WITH w0 AS (INSERT …),
w1 AS (INSERT …) INSERT …` they are one. PostgreSQL runs the parts with one snapshot and
checks foreign keys at the end of the statement, so rows that refer to each other may be in
the same one; nothing here reads what another part writes.

A statement of many rows is a new shape to compile and prepare each time, so only small
batches (the ones latency is about) are combined; a large batch keeps one `executemany` per
table, which is already one statement per table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam

#: Rows at most in one combined statement (bind parameters grow with rows × columns).
MOST_ROWS = 16

#: Shapes kept compiled; a service has a few dozen (tables × rows × columns).
MOST_SHAPES = 512

#: (INSERT statement without values, its rows), in the order they were staged.
Writes = Sequence[tuple[Any, list[dict[str, Any]]]]


def combinable(connection: Connection, writes: Writes) -> bool:
    """Worth one statement: PostgreSQL, more than one INSERT, few rows."""
    return (
        connection.dialect.name == "postgresql"
        and len(writes) > 1
        and sum(len(rows) for _, rows in writes) <= MOST_ROWS
    )


_SHAPES: dict[tuple[Any, ...], Any] = {}


def _shape(writes: Writes) -> tuple[Any, ...]:
    # by id: the statements are built once per table (shared.db), and `==` on one is SQL
    return tuple((id(statement), len(rows), tuple(rows[0])) for statement, rows in writes)


def one_statement(writes: Writes) -> tuple[Any, dict[str, Any]]:
    """The inserts as one, and its parameters: all but the last in `WITH`, the last itself.

    Built once per shape (which tables, how many rows, which columns) from named bind
    parameters, so SQLAlchemy compiles it once and asyncpg prepares it once: built afresh
    from the values, it was compiled for every batch and cost more than the round trips.
    """
    shape = _shape(writes)
    statement = _SHAPES.get(shape)
    if statement is None:
        parts = []
        for i, (insert, rows) in enumerate(writes):
            table = insert.table
            values = [
                {key: bindparam(f"w{i}_{r}_{key}", type_=table.c[key].type) for key in rows[0]}
                for r in range(len(rows))
            ]
            parts.append(insert.values(values))
        *first, last = parts
        statement = last.add_cte(*(part.cte(f"w{i}") for i, part in enumerate(first)))
        if len(_SHAPES) >= MOST_SHAPES:
            _SHAPES.clear()
        _SHAPES[shape] = statement
    params = {
        f"w{i}_{r}_{key}": value
        for i, (_, rows) in enumerate(writes)
        for r, row in enumerate(rows)
        for key, value in row.items()
    }
    return statement, params


def write(connection: Connection, writes: Writes) -> None:
    """Run `writes`: as one statement where `combinable`, else one `executemany` each."""
    if combinable(connection, writes):
        connection.execute(*one_statement(writes))
        return
    for statement, rows in writes:
        connection.execute(statement, rows)
