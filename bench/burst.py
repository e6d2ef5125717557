"""A national campaign: 100,000 orders arrive at once (in intake's outbox); how long until all
are in screening's queues, how much memory each service takes, and proof of exactly once.

    python -m bench.burst [--orders 100000] [--db sqlite|postgresql] [--broker tansu|kafka]

The clock starts when intake starts, once routing's and screening's consumer groups have formed;
the drain is also timed from the databases' own timestamps (intake's first publish to screening's
last applied event), which leaves out intake's start-up (its group join: ~5 s on Tansu).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import (
    BrokerChoice,
    Services,
    add_broker_arguments,
    base_env,
    create_database,
    drop_databases,
    header,
    moment,
    scalar,
    wait_groups,
    wait_stored,
)
from tests.support import submitted_event, traffic_order


async def fill_outbox(url: str, n: int) -> None:
    """Orders stored as intake stores them, each with its OrderSubmitted staged in the outbox."""
    from services.intake import service
    from services.intake.models import IntakeBase, messages
    from shared import migrations
    from shared.db import Database, stage_insert

    db = Database(url, IntakeBase.metadata)
    await migrations.upgrade(db, "intake")  # as intake would: it finds its schema at head
    now = datetime.now(UTC)
    try:
        for start in range(0, n, 2000):
            async with db.transaction() as session:
                for _ in range(start, min(n, start + 2000)):
                    event = submitted_event(traffic_order(), now=now)
                    stage_insert(session, service.ORDERS, service._order_row(event, now))
                    await messages.enqueue(session, event, now=now)
    finally:
        await db.dispose()


async def main(n: int, kind: str, choice: BrokerChoice) -> None:
    print(header("burst", choice, f"{n:,} orders, {kind}"), flush=True)
    with choice.open() as b:
        workdir = Path(tempfile.mkdtemp(prefix="bench-burst-"))
        dbs = {
            name: create_database(kind, name, workdir)
            for name in ("intake", "routing", "screening")
        }
        t = time.perf_counter()
        await fill_outbox(dbs["intake"], n)
        print(
            f"stored {n:,} orders in intake's outbox in {time.perf_counter() - t:.0f} s", flush=True
        )
        env = base_env(workdir, b)
        env.update({f"BESTIL_{s.upper()}_DATABASE_URL": url for s, url in dbs.items()})
        services = Services(workdir, env)
        try:
            services.start("routing")
            services.start("screening")
            await wait_groups(b.bootstrap, {"routing": 1, "screening": 1})
            start = time.perf_counter()
            services.start("intake")
            await wait_stored(dbs["screening"], n)
            elapsed = time.perf_counter() - start
            first = await moment(dbs["intake"], "SELECT min(published_at) FROM outbox")
            last = await moment(dbs["screening"], "SELECT max(processed_at) FROM processed_events")
            drain = (last - first).total_seconds()
            print(
                f"drained {n:,} orders into screening in {elapsed:.0f} s from intake's start: "
                f"{n / elapsed:,.0f} orders/s; from its first publish to screening's last event "
                f"{drain:.1f} s: {n / drain:,.0f} orders/s",
                flush=True,
            )
            peaks = services.rss_peaks()
            print("peak RSS: " + ", ".join(f"{k} {v:.0f} MB" for k, v in peaks.items()), flush=True)
            queued = await scalar(dbs["screening"], "SELECT count(*) FROM queued_orders")
            submitted = await scalar(
                dbs["screening"],
                "SELECT count(*) FROM order_activity WHERE kind = 'OrderSubmitted'",
            )
            distinct = await scalar(
                dbs["screening"],
                "SELECT count(DISTINCT order_id) FROM order_activity WHERE kind = 'OrderSubmitted'",
            )
            routed = await scalar(dbs["routing"], "SELECT count(*) FROM outbox")
            published = await scalar(
                dbs["intake"], "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL"
            )
            print(
                f"exactly once: intake published {published:,}; routing routed {routed:,}; screening holds "
                f"{queued:,} orders, {submitted:,} OrderSubmitted applied for {distinct:,} distinct orders "
                f"→ {'OK' if queued == submitted == distinct == routed == n else 'MISMATCH'}",
                flush=True,
            )
        finally:
            services.stop()
            drop_databases(list(dbs.values()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    add_broker_arguments(parser)
    args = parser.parse_args()
    asyncio.run(main(args.orders, args.db, BrokerChoice.from_args(args)))
