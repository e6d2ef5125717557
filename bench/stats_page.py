"""Benchmark: the statistics at 100,000 and 1,000,000 orders, from the monthly summary.

Seeds screening's database as `bench/queue_page.py` does (two years of orders across all
districts, most of them finished), builds the monthly summary as start-up does, then times,
through the whole FastAPI stack in-process: the statistics page (national, all time and the
last 12 months; one district), `GET /api/v1/stats` (national; one district) and the national
"all statuses" queue page, whose total is now capped. Beside them, in the same run, the
baseline: the same figures counted by the GROUP BYs over every queue entry (what the
statistics did before the summary), and the queue's uncapped count. Prints p50/p95/max and the
machine; asserts nothing.

    .venv/bin/python bench/stats_page.py                          # 100,000 and 1,000,000, both
    .venv/bin/python bench/stats_page.py --orders 100000 --db sqlite --requests 50
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import delete
from sqlmodel import col, func, select

from bench.common import machine, percentile
from bench.queue_page import POSTGRES, postgres_available, psql, seed, sign_in
from services.screening import accounts, monthly, statistics
from services.screening.main import create_app
from services.screening.models import MonthlyCount, Officer, QueueEntry, ScreeningBase
from services.screening.settings import ScreeningSettings
from shared.db import Database, execute
from shared.settings import KafkaSettings

PAGES = [
    ("admin", "statistics page, national, all time", "/stats?period=all"),
    ("admin", "statistics page, national, last 12 months", "/stats"),
    ("officer", "statistics page, one district, last 12 months", "/stats"),
    ("admin", "GET /api/v1/stats, national", "/api/v1/stats"),
    ("officer", "GET /api/v1/stats, one district", "/api/v1/stats"),
    ("admin", "GET /api/v1/stats?since=2025-06-15, national", "/api/v1/stats?since=2025-06-15"),
    ("admin", "queue: national, all statuses, page 1 (capped count)", "/?status=all"),
]


def line(label: str, times: list[float]) -> None:
    print(
        f"  {label:<62} p50 {percentile(times, 50) * 1000:7.1f} ms   "
        f"p95 {percentile(times, 95) * 1000:7.1f} ms   "
        f"max {max(times) * 1000:7.1f} ms   (n={len(times)})",
        flush=True,
    )


async def timed(call: Callable[[], Awaitable[Any]], requests: int) -> list[float]:
    for _ in range(3):
        await call()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return times


async def baselines(url: str, requests: int, now: datetime) -> None:
    """The old way, in the same run: GROUP BY over every entry; the queue's whole count."""
    db = Database(url, ScreeningBase.metadata)
    async with db.reading() as session:
        admin = (await session.exec(select(Officer).where(Officer.district_code == None))).one()  # noqa: E711
        officer = (await session.exec(select(Officer).where(Officer.district_code == "1470"))).one()
    last_year = monthly.month_start(monthly.month_of(now.replace(year=now.year - 1)))

    async def count_all() -> int:
        async with db.reading() as session:
            query = select(func.count()).where(col(QueueEntry.status).is_not(None))
            return int((await session.exec(query)).one())

    runs: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        (
            "baseline: GROUP BY, national, all time",
            lambda: statistics.grouped_statistics(db, admin, now=now),
        ),
        (
            "baseline: GROUP BY, national, last 12 months",
            lambda: statistics.grouped_statistics(db, admin, since=last_year, now=now),
        ),
        (
            "baseline: GROUP BY, one district, last 12 months",
            lambda: statistics.grouped_statistics(db, officer, since=last_year, now=now),
        ),
        (
            "summary (the function alone), national, all time",
            lambda: statistics.statistics(db, admin, now=now),
        ),
        ("baseline: the national queue's whole count (all statuses)", count_all),
    ]
    for label, call in runs:
        line(label, await timed(call, max(5, requests // 4)))
    await db.dispose()


async def rebuild(url: str) -> None:
    """The start-up back-fill once more, timed (seeding ran it already)."""
    db = Database(url, ScreeningBase.metadata)
    async with db.transaction() as session:
        await execute(session, delete(MonthlyCount))
    started = time.perf_counter()
    counted = await monthly.build(db)
    took = time.perf_counter() - started
    async with db.reading() as session:
        rows = int((await session.exec(select(func.count()).select_from(MonthlyCount))).one())
    print(
        f"  summary built from {counted:,} orders in {took:.1f} s: {rows:,} rows".replace(",", ".")
    )
    await db.dispose()


async def run(url: str, count: int, requests: int, workdir: Path) -> None:
    now = datetime.now(UTC)
    people = await seed(url, count, now)
    await rebuild(url)
    settings = ScreeningSettings(
        database_url=url, var_dir=workdir, kafka=KafkaSettings(create_topics=False)
    )
    app = create_app(settings)  # no lifespan: no broker connection; the tables exist
    db = app.state.db
    clients: dict[str, tuple[httpx.AsyncClient, dict[str, str]]] = {}
    for who in ("officer", "admin"):
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://bench", timeout=120
        )
        await sign_in(client, people[who])
        async with db.transaction() as session:
            token = await accounts.issue_token(session, people[who], now)
        clients[who] = (client, {"Authorization": f"Bearer {token}"})
    for who, label, path in PAGES:
        client, auth = clients[who]
        headers = auth if path.startswith("/api/") else {}

        async def get(
            client: httpx.AsyncClient = client, path: str = path, headers=headers
        ) -> None:
            response = await client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)

        line(label, await timed(get, requests))
    for client, _ in clients.values():
        await client.aclose()
    await db.dispose()
    await baselines(url, requests, now)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", default="100000,1000000", help="sizes, comma-separated")
    parser.add_argument("--requests", type=int, default=100, help="measured requests per page")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in kinds and not postgres_available():
        print(f"PostgreSQL at {POSTGRES} not reachable: skipped")
        kinds.remove("postgresql")
    for size in [int(n) for n in args.orders.split(",")]:
        print(f"\n## Statistics benchmark: {size:,} orders".replace(",", "."), flush=True)
        for kind in kinds:
            with tempfile.TemporaryDirectory(prefix="bestil-stats-bench-") as workdir:
                if kind == "sqlite":
                    print("\nSQLite (one file, WAL)", flush=True)
                    url = f"sqlite+aiosqlite:///{workdir}/screening.db"
                    asyncio.run(run(url, size, args.requests, Path(workdir)))
                    continue
                print(f"\nPostgreSQL {psql('show server_version').stdout.strip()}", flush=True)
                name = f"bestil_bench_stats_{uuid.uuid4().hex[:8]}"
                psql(f'CREATE DATABASE "{name}"')
                url = f"{POSTGRES.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
                try:
                    asyncio.run(run(url, size, args.requests, Path(workdir)))
                finally:
                    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
