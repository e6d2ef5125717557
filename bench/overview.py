"""Benchmark: the public overview (`/tal`) at 100,000 and 1,000,000 orders.

Seeds intake's overview tables as its consumer leaves them (each order's latest public state,
and the counters those states add up to), then renders `/tal`, `/tal.json` and `/tal.csv`
in-process through the whole FastAPI stack and prints p50/p95 beside the baseline from the same
run: counting the same figures from the orders' states at request time, which is what the
page would do without the counters. Also the consumer's side: public events applied per second
(counters moved) beside only storing the state. A benchmark, not a test: nothing is asserted.

    .venv/bin/python -m bench.overview                       # 100,000 and 1,000,000, both DBs
    .venv/bin/python -m bench.overview --orders 100000 --db sqlite --requests 50
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import insert, text

from bench.common import create_database, drop_databases, machine, percentile
from services.intake.main import create_app
from services.intake.models import IntakeBase, OverviewCount, PublicOrderState
from services.intake.overview import store
from services.intake.overview.figures import contribution
from services.intake.settings import IntakeSettings
from shared import districts
from shared.db import Database, execute
from shared.events import PublicOrderEvent
from shared.public_ids import public_id
from shared.settings import KafkaSettings
from shared.vocabulary import Category, Decision, OrderStatus, ReasonCode

DISTRICTS = sorted(districts.DISTRICTS)
DECLINES = [r for r in ReasonCode if r is not ReasonCode.ACCEPTED]


def order_state(rng: random.Random, today: date) -> PublicOrderEvent:
    """One order of the last two years at the end it reached: mostly finished traffic controls."""
    day = today - timedelta(days=rng.randrange(730))
    category = rng.choices(list(Category), weights=[90, 6, 4])[0]
    state: dict[str, Any] = {
        "public_id": public_id(uuid.UUID(int=rng.getrandbits(128))),
        "category": category,
        "received_on": day,
        "district_code": rng.choice(DISTRICTS),
        "municipality_code": "751",
        "occurred_at": datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
        "status": OrderStatus.ROUTED,
    }
    end = rng.random()
    if end < 0.15:
        state |= {
            "status": OrderStatus.DECLINED,
            "decision": Decision.DECLINED,
            "reason_code": rng.choice(DECLINES),
            "decision_deadline_met": rng.random() < 0.9,
        }
    elif end < 0.95 and (today - day).days > 30:
        traffic = category is Category.TRAFFIC_CONTROL
        state |= {
            "status": OrderStatus.COMPLETED,
            "decision": Decision.ACCEPTED,
            "reason_code": ReasonCode.ACCEPTED,
            "decision_deadline_met": rng.random() < 0.93,
            "execution_deadline_met": rng.random() < 0.8,
            "vehicles_checked": rng.randrange(40, 300) if traffic else None,
            "violations": rng.randrange(0, 20) if traffic else None,
        }
    return PublicOrderEvent.model_validate(state)


async def seed(db: Database, count: int, today: date) -> float:
    rng = random.Random(16)
    counters: Counter[tuple[str, str, str, str]] = Counter()
    started = time.perf_counter()
    chunk: list[dict[str, Any]] = []
    for i in range(count):
        state = order_state(rng, today)
        for (cell, measure), n in contribution(state).items():
            counters[(cell.district_code, cell.month, cell.category, measure)] += n
        chunk.append({"public_id": str(state.public_id), "state": state.model_dump(mode="json")})
        if len(chunk) == 10_000 or i == count - 1:
            async with db.transaction() as session:
                await execute(session, insert(PublicOrderState.__table__), chunk)  # type: ignore[attr-defined]
            chunk = []
    rows = [
        {"district_code": d, "month": m, "category": c, "measure": k, "value": v}
        for (d, m, c, k), v in counters.items()
    ]
    async with db.transaction() as session:
        await execute(session, insert(OverviewCount.__table__), rows)  # type: ignore[attr-defined]
    if db.dialect == "postgresql":
        async with db.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    print(f"  seeded {count:,} orders ({len(rows):,} counters) in "
          f"{time.perf_counter() - started:.0f} s".replace(",", "."))  # fmt: skip
    return time.perf_counter() - started


def _naive_sql(dialect: str, year: int) -> str:
    """The baseline: the page's figures counted from every order's state at request time."""
    if dialect == "postgresql":
        get = "state->>'{}'"
    else:
        get = "json_extract(state, '$.{}')"
    month = f"substr({get.format('received_on')}, 1, 7)"
    return (
        f"SELECT {get.format('district_code')}, {month}, {get.format('category')}, "
        f"{get.format('status')}, {get.format('decision_deadline_met')}, count(*) "
        f"FROM public_order_states WHERE {month} BETWEEN '{year}-01' AND '{year}-12' "
        "GROUP BY 1, 2, 3, 4, 5"
    )


async def measure(client: httpx.AsyncClient, path: str, requests: int) -> list[float]:
    await client.get(path)  # warm: templates compiled, connections open
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return times


def line(label: str, times: list[float]) -> str:
    return (
        f"  {label:<52} p50 {percentile(times, 50) * 1000:8.1f} ms   "
        f"p95 {percentile(times, 95) * 1000:8.1f} ms   (n={len(times)})"
    )


async def consumer_rate(db: Database, events: int, today: date) -> tuple[float, float]:
    """Public events per second through `store.take` (state + counters), and state only."""
    rng = random.Random(99)
    states = [order_state(rng, today) for _ in range(events)]
    started = time.perf_counter()
    for i in range(0, events, 100):  # batches of 100, prefetched as the consumer does
        async with db.transaction() as session:
            await store.load_states(session, states[i : i + 100])
            for state in states[i : i + 100]:
                await store.take(session, state)
    with_counters = events / (time.perf_counter() - started)
    fresh = [s.model_copy(update={"public_id": uuid.uuid4()}) for s in states]
    started = time.perf_counter()
    for i in range(0, events, 100):
        async with db.transaction() as session:
            for state in fresh[i : i + 100]:
                session.add(PublicOrderState(public_id=str(state.public_id),
                                             state=state.model_dump(mode="json")))  # fmt: skip
    state_only = events / (time.perf_counter() - started)
    return with_counters, state_only


async def run(url: str, count: int, requests: int, workdir: Path) -> None:
    today = date.today()
    db = Database(url, IntakeBase.metadata)
    await db.create_all()
    await seed(db, count, today)
    settings = IntakeSettings(database_url=url, var_dir=workdir,
                              kafka=KafkaSettings(create_topics=False))  # fmt: skip
    app = create_app(settings)  # no lifespan: no broker connection; the tables exist
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120
    ) as client:
        year = today.year
        for label, path in (
            ("/tal, all districts, this year", f"/tal?year={year}"),
            ("/tal, one district, last year", f"/tal?district=1470&year={year - 1}"),
            ("/tal.json, all districts", f"/tal.json?year={year}"),
            ("/tal.csv, all districts", f"/tal.csv?year={year}"),
        ):
            print(line(label, await measure(client, path, requests)), flush=True)
    naive = _naive_sql(db.dialect, today.year)
    times = []
    for _ in range(max(3, requests // 20)):
        started = time.perf_counter()
        async with db.reading() as session:
            await execute(session, text(naive))
        times.append(time.perf_counter() - started)
    print(line("baseline: the same counted from the states (SQL only)", times))
    with_counters, state_only = await consumer_rate(db, 5000, today)
    print(f"  consumer: {with_counters:,.0f} public events/s with counters, {state_only:,.0f}/s "
          f"storing the state only ({with_counters / state_only:.2f}×)".replace(",", "."))  # fmt: skip
    await app.state.db.dispose()
    await db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", default="100000,1000000", help="sizes, comma-separated")
    parser.add_argument("--requests", type=int, default=100, help="measured requests per page")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for size in [int(n) for n in args.orders.split(",")]:
        print(f"\n## Public overview benchmark: {size:,} orders".replace(",", "."), flush=True)
        for kind in kinds:
            with tempfile.TemporaryDirectory(prefix="bestil-overview-bench-") as workdir:
                url = create_database(kind, "overview", Path(workdir))
                print(f"\n{'SQLite (one file)' if kind == 'sqlite' else 'PostgreSQL'}")
                try:
                    asyncio.run(run(url, size, args.requests, Path(workdir)))
                finally:
                    drop_databases([url])
    return 0


if __name__ == "__main__":
    sys.exit(main())
