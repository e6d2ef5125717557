"""HTTP load on the real intake service (database and outbox included), open-loop at fixed
arrival rates, against the same validation in a bare FastAPI endpoint on the same server settings.

    python -m bench.intake [--rates 50,100,200,400] [--seconds 30] [--db sqlite|postgresql]

Open-loop: requests leave on schedule whether or not earlier ones were answered, and latency
counts from the scheduled moment, so that queueing shows. The load generator runs on the same
2 cores as the server: its own cost is part of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.common import (
    Services,
    base_env,
    broker,
    create_database,
    drop_databases,
    free_port,
    machine,
    percentile,
)
from tests.support import traffic_order


async def load(url: str, rate: float, seconds: float) -> dict[str, float]:
    body = traffic_order()
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=500)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        start = time.perf_counter()
        n = int(rate * seconds)

        async def one(i: int) -> None:
            nonlocal errors
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                response = await client.post(url, json=body)
                if response.status_code != 201:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - scheduled)

        await asyncio.gather(*(one(i) for i in range(n)))
        elapsed = time.perf_counter() - start
    ms = [v * 1000 for v in latencies]
    return {
        "rate": rate,
        "sent": n,
        "errors": errors,
        "achieved": n / elapsed,
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
    }


def line(name: str, r: dict[str, float]) -> str:
    return (
        f"{name:<16} {r['rate']:>6.0f}/s  achieved {r['achieved']:>6.0f}/s  "
        f"p50 {r['p50']:>7.1f} ms  p95 {r['p95']:>7.1f} ms  p99 {r['p99']:>8.1f} ms  errors {int(r['errors'])}"
    )


async def sweep(name: str, url: str, rates: list[float], seconds: float) -> None:
    for rate in rates:
        print(line(name, await load(url, rate, seconds)), flush=True)
    # the highest rate sustained without errors and with p99 under one second
    rate, best = rates[-1], None
    for _ in range(6):  # bounded: at most six steps of 1.5× above the listed rates
        rate *= 1.5
        result = await load(url, rate, min(seconds, 15))
        print(line(name + " (ramp)", result), flush=True)
        if result["errors"] or result["p99"] > 1000 or result["achieved"] < 0.95 * rate:
            break
        best = result
    print(
        f"{name}: highest rate sustained {best['rate']:.0f}/s"
        if best
        else f"{name}: saturated at the listed rates",
        flush=True,
    )


async def main(rates: list[float], seconds: float, kind: str) -> None:
    print(
        f"# bench/intake — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n# machine: {machine()}\n# one uvicorn process each, {kind}, open-loop, {seconds:.0f} s per rate\n",
        flush=True,
    )
    with broker() as b:
        workdir = Path(tempfile.mkdtemp(prefix="bench-intake-"))
        db = create_database(kind, "intake", workdir)
        env = base_env(workdir, b.bootstrap)
        env["BESTIL_INTAKE_DATABASE_URL"] = db
        services = Services(workdir, env)
        port = free_port()
        bare = subprocess.Popen(  # noqa: ASYNC220 (a benchmark harness)
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.bare_intake:app",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
        )
        try:
            _wait_ready_bare(port, bare)
            await sweep("bare FastAPI", f"http://127.0.0.1:{port}/api/v1/orders", rates, seconds)
            bare.terminate()
            services.start("intake")
            url = f"http://127.0.0.1:{services.ports['intake']}/api/v1/orders"
            await sweep("intake", url, rates, seconds)
            print(f"  intake peak RSS {services.rss_peaks()['intake']:.0f} MB")
        finally:
            bare.terminate()
            services.stop()
            drop_databases([db])


def _wait_ready_bare(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("bare app not ready")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="50,100,200,400")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    asyncio.run(main([float(r) for r in args.rates.split(",")], args.seconds, args.db))
