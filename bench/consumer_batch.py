"""What one batch of events costs a service's consumer, without a broker: CPU per event and
statements per batch, for routing and screening, on SQLite or PostgreSQL.

    python -m bench.consumer_batch [--batch 500] [--batches 10] [--db sqlite|postgresql]
                                   [--statements]

The pipeline benchmark says how fast orders flow; this says where a service's share of it
goes. It builds the service as its process does (`create_app`), hands `process_batch` the
records a fetch would (OrderSubmitted for routing; OrderSubmitted then OrderRouted for
screening, as they arrive), and counts the database statements each batch sends. Its
baseline, in the same run, is decoding the same records with pydantic and nothing else.
On a shared virtual machine the wall clock wanders by ±20 % between runs; the median CPU time
per batch it also prints moves less: compare two commits by running both, alternately.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event

from bench.common import create_database, drop_databases, machine
from bench.pipeline import submitted_orders
from shared import events
from shared.clock import utcnow
from shared.heap import settle_heap
from shared.topics import topic_for


@dataclass
class Record:
    """The part of an aiokafka ConsumerRecord the consumer reads."""

    topic: str
    value: bytes
    key: bytes
    partition: int = 0
    offset: int = 0
    headers: tuple[tuple[str, bytes], ...] = ()


def record(event: events.Message) -> Record:
    return Record(
        topic_for(event).name, event.model_dump_json().encode(), event.kafka_key().encode()
    )


def routed(submitted: events.OrderSubmitted) -> events.OrderRouted:
    return events.OrderRouted(
        order_id=submitted.order_id,
        reference=submitted.reference,
        correlation_id=submitted.correlation_id,
        occurred_at=utcnow(),
        district_code="1461",
        district_name="Østjyllands Politi",
        method="municipality",
        routed_at=utcnow(),
    )


@dataclass(frozen=True)
class Measured:
    line: str
    median_ms: float  # CPU per batch


async def measure(
    service: str, url: str, workdir: Path, batch: int, batches: int, verbose: bool = False
) -> Measured:
    module = importlib.import_module(f"services.{service}.settings")
    cls = {"routing": "RoutingSettings", "screening": "ScreeningSettings"}[service]
    settings = getattr(module, cls)(database_url=url, var_dir=workdir / "var")
    app = importlib.import_module(f"services.{service}.main").create_app(settings)
    db, consumer = app.state.db, app.state.runtime.consumer
    from shared import migrations

    await migrations.prepare(db, service, upgrade_now=True)
    settle_heap()  # as `bestil serve` does once the app is built
    statements = 0
    kinds: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        nonlocal statements
        statements += 1
        kinds[" ".join(sql.split()[:3])[:60]] += 1

    sa_event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    consumer.broker = None  # nothing here is dead-lettered
    spent = 0.0
    events_done = 0
    cpu: list[float] = []  # per batch: the process's CPU time, steadier than the wall clock
    for _ in range(batches):
        submitted = submitted_orders(batch)
        if service == "routing":
            records = [record(e) for e in submitted]
            work = [records]
        else:  # as screening gets them: a batch of submissions, then their routings
            work = [[record(e) for e in submitted], [record(routed(e)) for e in submitted]]
        for records in work:
            started, cpu_started = time.perf_counter(), time.process_time()
            await consumer.process_batch(records)
            spent += time.perf_counter() - started
            cpu.append(time.process_time() - cpu_started)
            events_done += len(records)
    if verbose:
        for what, n in kinds.most_common(12):
            print(f"    {n:6d}  {what}")
    per_batch = statements / (batches * (1 if service == "routing" else 2))
    await db.dispose()
    median = 1e3 * statistics.median(cpu)
    return Measured(
        f"{service:<10} {1e6 * spent / events_done:7.0f} µs per event "
        f"({events_done / spent:,.0f} events/s), {per_batch:.1f} statements per batch of {batch}; "
        f"CPU per batch median {median:.2f} ms",
        median,
    )


def decode_only(batch: int) -> str:
    records = [record(e) for e in submitted_orders(batch)]
    started = time.perf_counter()
    for _ in range(5):
        for r in records:
            events.OrderSubmitted.model_validate_json(r.value)
    spent = time.perf_counter() - started
    return f"{'baseline':<10} {1e6 * spent / (5 * batch):7.0f} µs per event (pydantic decode only)"


async def main(batch: int, batches: int, kind: str, verbose: bool, services: list[str]) -> None:
    print(f"# bench/consumer_batch — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"# machine: {machine()}")
    print(f"# batches of {batch}, {batches} per service, on {kind}; no broker")
    print(decode_only(batch))
    for service in services:
        workdir = Path(tempfile.mkdtemp(prefix=f"bench-consumer-{service}-"))
        url = create_database(kind, service, workdir)
        try:
            print((await measure(service, url, workdir, batch, batches, verbose)).line, flush=True)
        finally:
            drop_databases([url])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--statements", action="store_true", help="list the statements sent")
    parser.add_argument("--service", choices=["routing", "screening"], action="append")
    args = parser.parse_args()
    asyncio.run(
        main(
            args.batch,
            args.batches,
            args.db,
            args.statements,
            args.service or ["routing", "screening"],
        )
    )
