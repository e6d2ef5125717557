"""How fast screening's consumer could fold a batch if its transaction ran on the database
driver itself: the floor under `bench.consumer_batch`, on SQLite, in the same run.

    python -m bench.driver_floor [--batch 500 --batch 1] [--batches 12]

Profiles of the consumer put most of a batch in the projection's own functions, and little in
any one SQLAlchemy frame, so how much the ORM session, the async adaptation and Core's
execution cost together could not be read off them. This measures it: the same decoded
events, folded by the projection's real pure functions (`public_state`, `entry_values`,
`contribution`, `activity_facts`, `status_after`, the public event and its CloudEvents
headers), on plain rows instead of ORM objects; the same statements a batch sends (the
processed events, the batch's rows with their entries, the deletion log; one multi-row write
per table, one commit), on screening's real schema and indexes, through `sqlite3` at
`synchronous=FULL`. What it leaves out is what the services keep anyway and costs little here:
tracing (off in both), log context and metrics.

It is a measurement, not a second implementation: nothing reads what it writes. The rows it
writes are counted at the end, so that it cannot quietly do less than the consumer does.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sqlite3
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, create_engine

from bench.common import create_database, drop_databases, machine
from bench.consumer_batch import measure, record, routed
from bench.pipeline import submitted_orders
from services.screening import monthly, public_stream
from services.screening.models import (
    MonthlyCount,
    OrderActivity,
    QueuedOrder,
    QueueEntry,
    ScreeningBase,
    deletions,
    messages,
)
from services.screening.projection import activity_facts, entry_values
from shared import events
from shared.clock import as_utc
from shared.lifecycle import status_after
from shared.messaging.cloudevents import headers_for
from shared.messaging.consumer import FROM_TOPIC
from shared.public_ids import public_id
from shared.topics import topic_for
from shared.vocabulary import OrderStatus

ORDERS: Table = QueuedOrder.__table__  # type: ignore[attr-defined]
ENTRIES: Table = QueueEntry.__table__  # type: ignore[attr-defined]
ACTIVITY: Table = OrderActivity.__table__  # type: ignore[attr-defined]
COUNTS: Table = MonthlyCount.__table__  # type: ignore[attr-defined]


def _insert(table: Table, names: list[str], verb: str = "INSERT") -> str:
    marks = ",".join("?" * len(names))
    return f"{verb} INTO {table.name} ({','.join(names)}) VALUES ({marks})"


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _in(n: int) -> str:
    return ",".join("?" * n)


#: A batch's phases: decoding the records, the three reads, folding in Python (the public
#: event and its headers included), the writes, and the commit (SQLite's fsync).
PHASES = ("decode", "reads", "fold", "writes", "commit")


class Floor:
    """Screening's fold and writes, on plain rows and the driver's connection."""

    def __init__(self, path: Path) -> None:
        engine = create_engine(f"sqlite:///{path}")
        ScreeningBase.metadata.create_all(engine)
        engine.dispose()
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.order_columns = [c.name for c in ORDERS.columns]
        self.entry_columns = [c.name for c in ENTRIES.columns]
        self.rows: dict[str, SimpleNamespace] = {}  # the rows earlier batches wrote
        self.entries: dict[str, dict[str, Any]] = {}  # and their queue entries
        #: CPU seconds of each phase of each batch, so the floor says what bounds it
        self.phases: dict[str, list[float]] = {phase: [] for phase in PHASES}

    def lap(self, phase: str, since: float) -> float:
        """Count the CPU since `since` to `phase`; returns now, where the next phase starts."""
        now = time.process_time()
        self.phases[phase].append(now - since)
        return now

    def _new(self, event: events.Event) -> SimpleNamespace:
        row = SimpleNamespace(**dict.fromkeys(self.order_columns))
        row.order_id, row.reference = str(event.order_id), event.reference
        row.status, row.updated_at = OrderStatus.RECEIVED.value, event.occurred_at
        row.urgent = False
        return row

    def fold(self, batch: list[events.Event]) -> None:
        orders: dict[str, SimpleNamespace] = {}
        entries: dict[str, dict[str, Any]] = {}
        activity, outbox, processed = [], [], []
        counts: dict[tuple[str, ...], int] = {}
        ids = list(dict.fromkeys(str(e.order_id) for e in batch))
        db = self.db
        lap = time.process_time()
        db.execute("BEGIN")
        db.execute(
            f"SELECT event_id FROM {messages.processed.name} WHERE event_id IN ({_in(len(batch))})",
            [str(e.event_id) for e in batch],
        ).fetchall()
        db.execute(
            f"SELECT * FROM {ORDERS.name} LEFT OUTER JOIN {ENTRIES.name} USING (order_id) "
            f"WHERE order_id IN ({_in(len(ids))})",
            ids,
        ).fetchall()
        db.execute(
            f"SELECT order_id FROM {deletions.table.name} WHERE order_id IN ({_in(len(ids))})",
            ids,
        ).fetchall()
        lap = self.lap("reads", lap)
        for event in batch:
            order_id = str(event.order_id)
            order = self.rows.get(order_id) or self._new(event)
            self.rows[order_id] = orders[order_id] = order
            pid = public_id(order_id)
            before = public_stream.public_state(order, pid)  # type: ignore[arg-type]
            if isinstance(event, events.OrderSubmitted):
                order.category, order.urgent = event.category.value, event.urgent
                order.submitted_at, order.decision_due = event.submitted_at, event.decision_due
                order.execution_due = event.execution_due
                order.municipality_code = event.location.municipality_code
                order.content = event.model_dump(mode="json")
            elif isinstance(event, events.OrderRouted):
                order.district_code, order.routing_method = event.district_code, event.method.value
            order.status = status_after(OrderStatus(order.status), event).value
            order.updated_at = max(as_utc(order.updated_at), event.occurred_at)
            activity.append(
                (order_id, type(event).__name__, None, event.occurred_at.isoformat(),
                 json.dumps(activity_facts(event)))
            )  # fmt: skip
            if order.category is not None:
                values = entry_values(order)  # type: ignore[arg-type]
                was = self.entries.get(order_id)
                for key, n in monthly.moved(
                    monthly.contribution(was), monthly.contribution(values)
                ).items():
                    counts[key] = counts.get(key, 0) + n
                entries[order_id] = self.entries[order_id] = values
            after = public_stream.public_state(order, pid)  # type: ignore[arg-type]
            if after != before:
                message = events.PublicOrderEvent(
                    event_id=uuid.uuid5(pid, str(event.event_id)),
                    occurred_at=as_utc(order.updated_at),
                    **after,
                )
                outbox.append(
                    (str(message.event_id), topic_for(message).name, message.kafka_key(),
                     message.model_dump_json(), json.dumps(headers_for(message, "screening")),
                     order.updated_at.isoformat())
                )  # fmt: skip
            processed.append((str(event.event_id), "orders", datetime.now(UTC).isoformat()))
        lap = self.lap("fold", lap)
        db.executemany(
            _insert(ORDERS, self.order_columns, "INSERT OR REPLACE"),
            [tuple(_value(getattr(o, c)) for c in self.order_columns) for o in orders.values()],
        )
        db.executemany(
            _insert(ENTRIES, self.entry_columns, "INSERT OR REPLACE"),
            [tuple(_value(v.get(c)) for c in self.entry_columns) for v in entries.values()],
        )
        db.executemany(_insert(ACTIVITY, ["order_id", "kind", "actor", "at", "facts"]), activity)
        db.executemany(
            _insert(
                messages.outbox,
                ["event_id", "topic", "key", "payload", "headers", "created_at"],
            ),
            outbox,
        )
        db.executemany(
            _insert(messages.processed, ["event_id", "topic", "processed_at"]), processed
        )
        db.executemany(
            _insert(COUNTS, [c.name for c in COUNTS.columns])
            + " ON CONFLICT DO UPDATE SET value = value + excluded.value",
            [(*key, n) for key, n in counts.items()],
        )
        lap = self.lap("writes", lap)
        db.execute("COMMIT")
        self.lap("commit", lap)

    def count(self, table: Table) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0])


def run_floor(workdir: Path, batch: int, batches: int) -> tuple[float, dict[str, float]]:
    """The median CPU per batch, in ms, as `bench.consumer_batch` measures it, and the median
    of each phase."""
    floor = Floor(workdir / f"floor-{batch}.db")
    gc.collect()
    gc.freeze()
    cpu = []
    for _ in range(batches):
        submitted = submitted_orders(batch)
        steps = (
            (events.OrderSubmitted, [record(e) for e in submitted]),
            (events.OrderRouted, [record(routed(e)) for e in submitted]),
        )
        for kind, records in steps:
            started = time.process_time()
            decoded: list[events.Event] = [
                kind.model_validate_json(r.value, context=FROM_TOPIC) for r in records
            ]
            floor.lap("decode", started)
            floor.fold(decoded)
            cpu.append(time.process_time() - started)
    orders = batch * batches
    written = {t.name: floor.count(t) for t in (ORDERS, ENTRIES, ACTIVITY, messages.outbox)}
    expected = {ORDERS.name: orders, ENTRIES.name: orders, ACTIVITY.name: 2 * orders}
    expected[messages.outbox.name] = 2 * orders  # each of the two steps changes the public state
    assert written == expected, (written, expected)
    phases = {phase: 1e3 * statistics.median(laps) for phase, laps in floor.phases.items()}
    return 1e3 * statistics.median(cpu), phases


async def main(batches_of: list[int], batches: int) -> None:
    print(f"# bench/driver_floor — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"# machine: {machine()}")
    print("# screening on SQLite; CPU per batch, median (OrderSubmitted, then OrderRouted)")
    for batch in batches_of:
        n = batches if batch > 1 else max(batches, 300)
        workdir = Path(tempfile.mkdtemp(prefix="bench-floor-"))
        url = create_database("sqlite", "screening", workdir)
        try:
            service = (await measure("screening", url, workdir, batch, n)).median_ms
        finally:
            drop_databases([url])
        floor, phases = run_floor(workdir, batch, n)
        print(
            f"batch {batch:>4}: consumer {service:8.2f} ms, driver floor {floor:8.2f} ms "
            f"({service / floor:.1f}× the floor; {1e3 * batch / floor:,.0f} events/s of CPU)",
            flush=True,
        )
        print(
            "            the floor's phases: "
            + ", ".join(f"{phase} {ms:.2f} ms ({ms / floor:.0%})" for phase, ms in phases.items()),
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, action="append")
    parser.add_argument("--batches", type=int, default=12)
    args = parser.parse_args()
    asyncio.run(main(args.batch or [500, 1], args.batches))
