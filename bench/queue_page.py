"""Benchmark: the officers' queue page with 100,000 orders in screening's database.

Seeds screening's tables directly (two years of orders across all districts, most of them
finished, as a real archive would be), then renders the workspace's pages in-process through
the whole FastAPI stack (session cookie, queries, templates) and prints p50/p95 render times
and the machine. A benchmark, not a test: nothing is asserted.

    .venv/bin/python bench/queue_page.py                    # 100,000 orders, SQLite and PostgreSQL
    .venv/bin/python bench/queue_page.py --orders 20000 --db sqlite --requests 50
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import insert, text

from bench.common import machine, percentile
from services.screening import accounts
from services.screening.main import create_app
from services.screening.models import QueuedOrder, QueueEntry, ScreeningBase
from services.screening.projection import entry_values, prepare_queue
from services.screening.settings import ScreeningSettings
from shared import districts
from shared.db import Database, execute
from shared.references import CROCKFORD
from shared.settings import KafkaSettings
from shared.vocabulary import Role

POSTGRES = os.environ.get("BESTIL_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
PASSWORD = "benchmark-password-1234"
ROADS = (
    "Skovvejen", "Vestergade", "Østergade", "Nørregade", "Søndergade", "Kirkevej", "Skolevej",
    "Stationsvej", "Møllevej", "Bygaden", "Hovedgaden", "Strandvejen", "Parkvej", "Engvej",
    "Ringvejen", "Industrivej", "Vænget", "Bakkevej", "Åboulevarden", "Randersvej",
    "Vejlevej", "Roskildevej", "Gammel Kongevej", "Jernbanegade", "Algade", "Torvegade",
    "Havnegade", "Skovbrynet", "Lindevej", "Birkevej", "Egevej", "Bøgevej", "Kastanievej",
    "Rosenvænget", "Fasanvej", "Holmevej", "Søvej", "Kærvej", "Grønnegade", "Storegade",
)  # fmt: skip
PROBLEMS = ("speeding", "speeding", "speeding", "mopeds", "heavy_vehicles", "other")


def _reference(rng: random.Random, seen: set[str]) -> str:
    while True:
        ref = "BEB-" + "".join(rng.choice(CROCKFORD) for _ in range(8))
        if ref not in seen:
            seen.add(ref)
            return ref


def _status(rng: random.Random, age_days: float) -> str:
    r = rng.random()
    if age_days < 14:
        return (
            "routed"
            if r < 0.8
            else "info_requested"
            if r < 0.85
            else "accepted"
            if r < 0.95
            else "declined"
        )
    if age_days < 30:
        return (
            "accepted"
            if r < 0.3
            else "scheduled"
            if r < 0.6
            else "completed"
            if r < 0.85
            else "declined"
        )
    return "completed" if r < 0.75 else "declined" if r < 0.95 else "cancelled"


def generate(count: int, now: datetime, seed: int = 7) -> Iterator[dict]:
    """`count` orders over two years, as `queued_orders` rows (one at a time: 1M rows as a
    list would take gigabytes)."""
    rng = random.Random(seed)
    municipalities = list(districts.MUNICIPALITIES.values())
    seen: set[str] = set()
    for _ in range(count):
        age = rng.uniform(0, 730)
        submitted = now - timedelta(days=age)
        municipality = rng.choice(municipalities)
        district = municipality.district_code if rng.random() > 0.002 else None
        r = rng.random()
        category = "traffic_control" if r < 0.9 else "talk" if r < 0.97 else "event_presence"
        road = f"{rng.choice(ROADS)} {rng.randint(1, 120)}"
        lat = round(rng.uniform(54.6, 57.7), 5) if rng.random() < 0.4 else None
        lon = round(rng.uniform(8.1, 12.6), 5) if lat is not None else None
        details: dict[str, Any]
        if category == "traffic_control":
            details = {
                "category": category,
                "road": road,
                "problem": rng.choice(PROBLEMS),
                "speed_limit_kmh": rng.choice((30, 40, 50, 60, 80)),
                "time_of_day": ["morning"],
            }
        elif category == "talk":
            details = {
                "category": category,
                "topic": "burglary_prevention",
                "audience": "Grundejerforeningens medlemmer",
                "expected_attendees": 40,
                "preferred_dates": None,
            }
        else:
            start = submitted + timedelta(days=rng.uniform(5, 40))
            details = {
                "category": category,
                "event_name": f"Byfest på {road.split()[0]}",
                "event_start": start.isoformat(),
                "event_end": (start + timedelta(hours=6)).isoformat(),
                "expected_attendees": 2000,
                "venue": "Torvet",
            }
        status = "needs_routing" if district is None else _status(rng, age)
        order_id, reference = str(uuid.uuid4()), _reference(rng, seen)
        content = {
            "event_id": str(uuid.uuid4()), "occurred_at": submitted.isoformat(),
            "correlation_id": "bench", "order_id": order_id, "reference": reference,
            "category": category, "language": "da" if rng.random() < 0.95 else "en",
            "requester": {"name": "Mette Hansen", "email": "mette.hansen@example.dk",
                          "phone": "+45 20 30 40 50", "organisation": None},
            "location": {"address": road, "postal_code": "8000", "city": municipality.name,
                         "municipality_code": municipality.code, "lat": lat, "lon": lon},
            "description": "Bilerne kører alt for stærkt forbi skolen om morgenen, og børnene "
                           "skal krydse vejen. Vi vil gerne have en hastighedskontrol.",
            "details": details, "submitted_at": submitted.isoformat(),
            "decision_due": (submitted + timedelta(days=14)).isoformat(),
            "execution_due": (submitted + timedelta(days=30)).isoformat(),
            "urgent": False, "channel": "web",
        }  # fmt: skip
        decided = status in ("accepted", "scheduled", "completed", "declined")
        decided_at = submitted + timedelta(days=rng.uniform(1, 16)) if decided else None
        completed_at = (
            submitted + timedelta(days=rng.uniform(8, 34)) if status == "completed" else None
        )
        overdue = status in ("routed", "info_requested") and age > 12
        yield (
            {
                "order_id": order_id, "reference": reference, "status": status,
                "district_code": district, "routing_method": "municipality" if district else None,
                "category": category, "urgent": False, "submitted_at": submitted,
                "decision_due": submitted + timedelta(days=14),
                "execution_due": submitted + timedelta(days=30),
                "municipality_code": municipality.code, "content": content,
                "decision": ("declined" if status == "declined" else "accepted") if decided else None,
                "reason_code": ("no_capacity" if status == "declined" else "accepted") if decided else None,
                "decided_at": decided_at,
                "decision_alert": ("breached" if age > 14 else "warning") if overdue else None,
                "execution_alert": None,
                "planned_start": decided_at + timedelta(days=3) if status in ("scheduled", "completed") and decided_at else None,
                "completed_at": completed_at, "updated_at": now,
            }
        )  # fmt: skip


async def seed(url: str, count: int, now: datetime) -> dict[str, str]:
    db = Database(url, ScreeningBase.metadata)
    await db.create_all()
    rows = generate(count, now)
    open_ids: list[str] = []
    started = time.perf_counter()
    while chunk := list(itertools.islice(rows, 5000)):
        entries = [entry_values(QueuedOrder(**row)) for row in chunk]
        open_ids += [
            o["order_id"] for o in chunk if o["district_code"] == "1470" and o["status"] == "routed"
        ]
        async with db.transaction() as session:
            await execute(session, insert(QueuedOrder.__table__), chunk)  # type: ignore[attr-defined]
            await execute(session, insert(QueueEntry.__table__), entries)  # type: ignore[attr-defined]
    officers = {}
    async with db.transaction() as session:
        for name, role, district in (
            ("officer", Role.OFFICER, "1470"),
            ("admin", Role.NATIONAL_ADMIN, None),
        ):
            email = f"{name}@bench.politi.dk"
            await accounts.add_officer(
                session, email=email, name=name, district_code=district, role=role,
                password=PASSWORD, now=now,
            )  # fmt: skip
            officers[name] = email
    if db.dialect == "postgresql":  # what autovacuum does soon after a bulk load
        async with db.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    await prepare_queue(db)  # what screening does at start-up
    print(f"  seeded {count:,} orders in {time.perf_counter() - started:.1f} s".replace(",", "."))
    officers["open_order"] = open_ids[0]
    await db.dispose()
    return officers


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    page = await client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None, "the sign-in page has no CSRF token"
    token = found.group(1)
    response = await client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.status_code


async def measure(client: httpx.AsyncClient, path: str, requests: int) -> list[float]:
    for _ in range(5):  # warm caches and the connection pool
        assert (await client.get(path)).status_code == 200
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return times


SCENARIOS = [
    ("officer", "queue: one district, open orders (the default page)", "/"),
    ("officer", "queue: one district, all statuses, page 1", "/?status=all"),
    ("officer", "queue: one district, search by partial reference", "/?status=all&q=7K"),
    ("admin", "queue: national, open orders", "/"),
    ("admin", "queue: national, all statuses, page 1", "/?status=all"),
    ("admin", "queue: national, all statuses, page 1000", "/?status=all&page=1000"),
    ("officer", "order page with nearby orders (not the queue)", "/orders/{open_order}"),
    ("admin", "statistics page, national (not the queue)", "/stats?period=all"),
    ("officer", "map page: one district, open orders", "/map"),
    ("officer", "map data: one district (JSON)", "/map/data"),
    ("admin", "map data: national (JSON, at most 1,000 pins)", "/map/data"),
    ("officer", "week plan: one district, 6 weeks", "/plan"),
    ("officer", "queue as CSV: one district, open orders (audited)", "/export/queue.csv"),
]


async def run(url: str, count: int, requests: int, workdir: Path) -> None:
    now = datetime.now(UTC)
    people = await seed(url, count, now)
    settings = ScreeningSettings(
        database_url=url, var_dir=workdir, kafka=KafkaSettings(create_topics=False)
    )
    app = create_app(settings)  # no lifespan: no broker connection; the tables exist
    clients = {}
    for who in ("officer", "admin"):
        clients[who] = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://bench", timeout=60
        )
        await sign_in(clients[who], people[who])
    for who, label, path in SCENARIOS:
        times = await measure(clients[who], path.format(**people), requests)
        print(
            f"  {label:<58} p50 {percentile(times, 50) * 1000:7.1f} ms   "
            f"p95 {percentile(times, 95) * 1000:7.1f} ms   "
            f"max {max(times) * 1000:7.1f} ms   (n={len(times)})"
        )
    for client in clients.values():
        await client.aclose()
    await app.state.db.dispose()


def psql(sql: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["psql", f"{POSTGRES}/postgres", "-Atqc", sql], capture_output=True, text=True, check=False
    )


def postgres_available() -> bool:
    return psql("select 1").returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", default="100000", help="sizes, comma-separated")
    parser.add_argument("--requests", type=int, default=100, help="measured requests per page")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in kinds and not postgres_available():
        print(f"PostgreSQL at {POSTGRES} not reachable: skipped")
        kinds.remove("postgresql")
    for size in [int(n) for n in args.orders.split(",")]:
        print(f"\n## Queue page benchmark: {size:,} orders".replace(",", "."), flush=True)
        run_size(size, kinds, args.requests)
    return 0


def run_size(count: int, kinds: list[str], requests: int) -> None:
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="bestil-queue-bench-") as workdir:
            if kind == "sqlite":
                print("\nSQLite (one file, WAL)")
                asyncio.run(run(f"sqlite+aiosqlite:///{workdir}/screening.db", count,
                                requests, Path(workdir)))  # fmt: skip
                continue
            print(f"\nPostgreSQL {psql('show server_version').stdout.strip()}")
            name = f"bestil_bench_queue_{uuid.uuid4().hex[:8]}"
            psql(f'CREATE DATABASE "{name}"')
            url = f"{POSTGRES.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
            try:
                asyncio.run(run(url, count, requests, Path(workdir)))
            finally:
                psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
