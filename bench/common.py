"""What the benchmarks share: the machine, a broker, services as processes, percentiles."""

from __future__ import annotations

import asyncio
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bestil.broker import LocalBroker, port_open

POSTGRES = os.environ.get("BESTIL_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
PREFIX = {
    "intake": "INTAKE",
    "routing": "ROUTING",
    "screening": "SCREENING",
    "notifications": "NOTIFICATIONS",
}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, SQLite {sqlite3.sqlite_version}"
    )


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary_ms(values_s: list[float]) -> str:
    ms = [v * 1000 for v in values_s]
    return f"p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, p99 {percentile(ms, 99):.1f} ms (n={len(ms)})"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_database(kind: str, name: str, workdir: Path) -> str:
    """A fresh database URL of the given kind ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / f'{name}.db'}"
    db = f"bestil_bench_{name}_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", f"{POSTGRES}/postgres", "-qc", f'CREATE DATABASE "{db}"'], check=True)
    return f"{POSTGRES.replace('postgresql://', 'postgresql+asyncpg://')}/{db}"


def drop_databases(urls: list[str]) -> None:
    for url in urls:
        if url.startswith("postgresql"):
            name = url.rsplit("/", 1)[1]
            subprocess.run(
                [
                    "psql",
                    f"{POSTGRES}/postgres",
                    "-qc",
                    f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                ],
                check=False,
            )


def rss_peak_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


@dataclass
class Services:
    """Service processes started for a benchmark, on their own ports and databases."""

    workdir: Path
    env: dict[str, str]
    processes: dict[str, list[subprocess.Popen[bytes]]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    def start(self, name: str, instances: int = 1) -> None:
        for i in range(instances):
            port = free_port()
            env = dict(
                self.env,
                **{
                    f"BESTIL_{PREFIX[name]}_PORT": str(port),
                    f"BESTIL_{PREFIX[name]}_LOG_LEVEL": "WARNING",
                },
            )
            self.ports.setdefault(name, port)
            log = open(self.workdir / f"{name}-{i}.log", "ab")
            process = subprocess.Popen(
                [sys.executable, "-m", "bestil.cli", "serve", name],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            self.processes.setdefault(name, []).append(process)
            _wait_ready(f"http://127.0.0.1:{port}/readyz", process)

    def rss_peaks(self) -> dict[str, float]:
        return {name: max(rss_peak_mb(p.pid) for p in ps) for name, ps in self.processes.items()}

    def stop(self) -> None:
        for ps in self.processes.values():
            for p in ps:
                p.terminate()
        for ps in self.processes.values():
            for p in ps:
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()


def _wait_ready(url: str, process: subprocess.Popen[bytes], within: float = 120) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"service exited ({url})")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"not ready: {url}")


@contextmanager
def broker() -> Iterator[LocalBroker]:
    b = LocalBroker(port=free_port(), log_file=Path(tempfile.gettempdir()) / "bench-broker.log")
    b.start()
    try:
        yield b
    finally:
        b.stop()


def base_env(workdir: Path, bootstrap: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BESTIL_")}
    env.update(
        {
            "BESTIL_KAFKA_BOOTSTRAP": bootstrap,
            "BESTIL_VAR_DIR": str(workdir / "var"),
            "BESTIL_INTAKE_RATE_LIMIT_PER_MINUTE": "100000000",
        }
    )
    return env


def run(coro) -> None:  # type: ignore[no-untyped-def]
    asyncio.run(coro)


__all__ = ["port_open", "statistics"]
