"""Scale-out by partitions: routing and screening with 1, 2 and 3 instances each in the same
consumer group over 6 partitions, and a check that every order's events were applied in order.

    python -m bench.scale [--orders 5000] [--instances 1,2,3] [--broker tansu|kafka] [--brokers 1|3]

PostgreSQL only: two instances of a service share its database. On Kafka, `--brokers 3` runs
a replicated cluster (replication factor 3, min.insync.replicas 2), as in production. Each order is submitted and
then re-routed twice (to Fyn, then to Bornholm) on the same key: an order whose queue row ends
anywhere but Bornholm had its events applied out of order somewhere.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import (
    BenchBroker,
    BrokerChoice,
    Services,
    add_broker_arguments,
    base_env,
    create_database,
    drop_databases,
    header,
    scalar,
    wait_groups,
    wait_stored,
)
from shared import events
from tests.support import submitted_event, traffic_order


async def produce(b: BenchBroker, n: int) -> tuple[float, list[str]]:
    producer = b.load_producer()
    await producer.start()
    start = time.perf_counter()
    ids = []
    try:
        futures = []
        for _ in range(n):
            order = submitted_event(traffic_order())
            key = str(order.order_id).encode()
            ids.append(str(order.order_id))
            futures.append(
                await producer.send(
                    "orders.submitted.v1", order.model_dump_json().encode(), key=key
                )
            )
            for district in ("1465", "1471"):
                reroute = events.RerouteRequested(
                    order_id=order.order_id,
                    reference=order.reference,
                    to_district=district,
                    reason="bench",
                    requested_by=str(uuid.uuid4()),
                )
                futures.append(
                    await producer.send(
                        "orders.reroute-requested.v1", reroute.model_dump_json().encode(), key=key
                    )
                )
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return start, ids


async def run(instances: int, n: int, choice: BrokerChoice) -> None:
    with choice.open() as b:
        workdir = Path(tempfile.mkdtemp(prefix=f"bench-scale-{instances}-"))
        dbs = {
            name: create_database("postgresql", name, workdir) for name in ("routing", "screening")
        }
        env = base_env(workdir, b)
        env.update({f"BESTIL_{s.upper()}_DATABASE_URL": url for s, url in dbs.items()})
        services = Services(workdir, env)
        try:
            services.start("routing", instances)
            services.start("screening", instances)
            await wait_groups(b.bootstrap, {"routing": instances, "screening": instances})
            start, _ = await produce(b, n)
            await wait_stored(dbs["screening"], n)
            # Routing applies all 3n events; it publishes an OrderRouted for each, except for
            # an OrderSubmitted that arrives after a re-route of its order (topics are not
            # ordered with each other, and a manual routing is not overridden). Wait until
            # screening has applied every OrderRouted that routing published.
            deadline = time.perf_counter() + 600
            while time.perf_counter() < deadline:
                applied_by_routing = await scalar(
                    dbs["routing"], "SELECT count(*) FROM processed_events"
                )
                published = await scalar(dbs["routing"], "SELECT count(*) FROM outbox")
                applied_by_screening = await scalar(
                    dbs["screening"],
                    "SELECT count(*) FROM processed_events WHERE topic = 'orders.routed.v1'",
                )
                if applied_by_routing >= 3 * n and applied_by_screening >= published:
                    break
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - start
            wrong = await scalar(
                dbs["screening"],
                "SELECT count(*) FROM queued_orders WHERE district_code <> '1471'",
            )
            print(
                f"{instances} instance(s) each: {n:,} orders (routing applies {3 * n:,} events, "
                f"screening {n + published:,}) in {elapsed:.1f} s: "
                f"{n / elapsed:,.0f} orders/s, {(4 * n + published) / elapsed:,.0f} events applied/s; "
                f"orders not ending in Bornholm (out of order): {wrong}",
                flush=True,
            )
        finally:
            services.stop()
            drop_databases(list(dbs.values()))


async def main(n: int, counts: list[int], choice: BrokerChoice) -> None:
    print(header("scale", choice, "PostgreSQL, 6 partitions, a fresh broker per round"), flush=True)
    for instances in counts:
        await run(instances, n, choice)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--instances", default="1,2,3", help="instances per service, per round")
    add_broker_arguments(parser, cluster=True)
    args = parser.parse_args()
    counts = [int(n) for n in args.instances.split(",")]
    asyncio.run(main(args.orders, counts, BrokerChoice.from_args(args)))
