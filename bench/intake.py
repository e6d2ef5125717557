"""HTTP load on the real intake service (database and outbox included), open-loop at fixed
arrival rates, against the same validation in a bare FastAPI endpoint on the same server settings.

    python -m bench.intake [--rates 50,100,200,400] [--seconds 30] [--db sqlite|postgresql]
                           [--broker tansu|kafka]

Open-loop: requests leave on schedule whether or not earlier ones were answered, and latency
counts from the scheduled moment, so that queueing shows. The load generator runs on the same
2 cores as the server: its own cost is part of the figures. The broker matters through intake's
outbox relay (publishing each order) and its consumer of status events (idle fetches).
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import (
    BrokerChoice,
    Services,
    add_broker_arguments,
    base_env,
    create_database,
    drop_databases,
    header,
    percentile,
)
from bench.http_load import RawHttpClient, open_loop
from bestil.broker import free_port
from tests.support import traffic_order


def bodies(host: str, port: int, n: int = 200) -> list[bytes]:
    """Distinct realistic orders (different roads and house numbers), as pre-built requests."""
    out = []
    for i in range(n):
        order = traffic_order()
        order["location"]["address"] = f"Skovvejen {i + 1}"
        order["details"]["road"] = f"Skovvejen mellem nr. {i + 1} og {i + 40}"
        out.append(RawHttpClient.post_json(host, port, "/api/v1/orders", order))
    return out


async def sweep(name: str, port: int, rates: list[float], seconds: float) -> None:
    requests = bodies("127.0.0.1", port)
    await open_loop("127.0.0.1", port, requests, 50, 2)  # warm-up, not counted
    for rate in rates:
        print((await open_loop("127.0.0.1", port, requests, rate, seconds)).line(name), flush=True)
    # the highest rate sustained without errors, with p99 under 100 ms and on schedule
    rate, best = rates[-1], None
    for _ in range(8):  # bounded: at most eight steps of 1.25× above the listed rates
        rate *= 1.25
        result = await open_loop("127.0.0.1", port, requests, rate, min(seconds, 15))
        print(result.line(name + " (ramp)"), flush=True)
        p99 = percentile(result.latencies_ms, 99)
        if result.errors or p99 > 100 or result.achieved < 0.97 * rate:
            break
        best = result
    print(
        f"{name}: highest rate sustained (no errors, p99 < 100 ms) {best.rate:.0f}/s"
        if best
        else f"{name}: saturated at the listed rates",
        flush=True,
    )


async def main(rates: list[float], seconds: float, kind: str, choice: BrokerChoice) -> None:
    details = f"one uvicorn process each, {kind}, open-loop, {seconds:.0f} s per rate"
    print(header("intake", choice, details), flush=True)
    with choice.open() as b:
        workdir = Path(tempfile.mkdtemp(prefix="bench-intake-"))
        db = create_database(kind, "intake", workdir)
        env = base_env(workdir, b)
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
            await sweep("bare FastAPI", port, rates, seconds)
            bare.terminate()
            services.start("intake")
            await sweep("intake", services.ports["intake"], rates, seconds)
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
    add_broker_arguments(parser)
    args = parser.parse_args()
    asyncio.run(
        main(
            [float(r) for r in args.rates.split(",")],
            args.seconds,
            args.db,
            BrokerChoice.from_args(args),
        )
    )
