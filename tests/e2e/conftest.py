"""End-to-end: the broker, the four services as processes, a real SMTP server run by the test."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from bestil.services import SERVICES
from tests.brokers import Kafka, Kind, Tansu, new_broker, service_env
from tests.proxy import CuttableProxy
from tests.support import free_port

PREFIX = {
    "intake": "INTAKE",
    "routing": "ROUTING",
    "screening": "SCREENING",
    "notifications": "NOTIFICATIONS",
}


class Inbox:
    """An aiosmtpd handler that keeps every message it is handed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def about(self, reference: str) -> list[EmailMessage]:
        return [m for m in self.messages if reference in str(m["Subject"])]


@dataclass
class System:
    """The running system: where each service listens, its environment, its log."""

    root: Path
    broker: Kafka | Tansu
    proxy: CuttableProxy | None
    inbox: Inbox
    env: dict[str, str]
    ports: dict[str, int]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self, service: str) -> None:
        log = open(self.root / f"{service}.log", "ab")
        self.processes[service] = subprocess.Popen(
            [sys.executable, "-m", "bestil.cli", "serve", service],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, within: float = 90.0, services: tuple[str, ...] = SERVICES) -> None:
        deadline = time.monotonic() + within
        for service in services:
            while True:
                if self.processes[service].poll() is not None:
                    raise RuntimeError(f"{service} exited:\n{self.log(service)}")
                try:
                    if httpx.get(self.url(service) + "/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{service} not ready:\n{self.log(service)}")
                time.sleep(0.2)

    def kill(self, service: str) -> None:
        """SIGKILL: no shutdown hook runs, as when a machine loses power."""
        process = self.processes[service]
        process.kill()
        process.wait()

    def restart(self, service: str) -> None:
        self.start(service)
        self.wait_ready(services=(service,))

    def bestil(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run(
            [sys.executable, "-m", "bestil.cli", *args],
            env=self.env,
            input=stdin.encode(),
            capture_output=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout.decode().strip()

    def log(self, service: str) -> str:
        path = self.root / f"{service}.log"
        return path.read_text(errors="replace")[-400000:] if path.exists() else ""

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


def officer(system: System, district: str | None, role: str = "officer") -> dict[str, str]:
    """An account made with the CLI, as an operator would, and its API token as a header."""
    email = f"{role}.{district or 'national'}@politi.dk"
    args = ["officer", "add", "--email", email, "--name", "Test Betjent", "--role", role]
    if district:
        args += ["--district", district]
    system.bestil(*args, stdin="et-langt-og-hemmeligt-kodeord\n")
    return {"Authorization": f"Bearer {system.bestil('officer', 'token', '--email', email)}"}


@contextmanager
def running_system(
    root: Path,
    *,
    brokers: int = 1,
    kind: Kind | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[System]:
    """The broker (behind a cuttable proxy when it is one), the SMTP server and the four
    services as processes, each with a database of its own; all stopped at the end."""
    from tests.conftest import POSTGRES, use_postgres
    from tests.reference_data import reference_data_dir

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    proxy: CuttableProxy | None = None
    if brokers == 1:
        proxy_port = free_port()
        broker = new_broker(root, kind, port=free_port(), advertised_port=proxy_port)
        target = broker.port if isinstance(broker, Tansu) else broker.nodes[0].port
        proxy = CuttableProxy(proxy_port, target)
        proxy.restore()
    else:
        broker = new_broker(root, kind, brokers=brokers)
    broker.start()
    ports = {service: free_port() for service in SERVICES}
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BESTIL_")}
    environment.update(
        {
            **service_env(broker),
            "BESTIL_VAR_DIR": str(root / "var"),
            "BESTIL_PUBLIC_URL": f"http://127.0.0.1:{ports['intake']}",
            # Production mode, as deployed: keys of its own (bestil serve refuses the built-in).
            "BESTIL_STATUS_LINK_SECRET": secrets.token_urlsafe(48),
            "BESTIL_PHONE_CHANNEL_KEY": secrets.token_urlsafe(48),
            "BESTIL_NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
            "BESTIL_SCREENING_INTAKE_URL": f"http://127.0.0.1:{ports['intake']}",
            "BESTIL_NOTIFICATIONS_SMTP_PORT": str(smtp.port),
            "BESTIL_NOTIFICATIONS_SEND_POLL_MS": "200",
            "BESTIL_INTAKE_RATE_LIMIT_PER_MINUTE": "100000",
            # The tests scrape /metrics where they talk to the service (production: a port of its own).
            "BESTIL_METRICS_ON_MAIN_PORT": "true",
            **(env or {}),
        }
    )
    data = reference_data_dir()
    if data:
        environment["BESTIL_REFERENCE_DATA_DIR"] = str(data)
    databases: list[str] = []
    for service in SERVICES:
        environment[f"BESTIL_{PREFIX[service]}_PORT"] = str(ports[service])
        if use_postgres():
            import uuid

            name = f"bestil_e2e_{service}_{uuid.uuid4().hex[:8]}"
            subprocess.run(
                ["psql", f"{POSTGRES}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True
            )
            databases.append(name)
            environment[f"BESTIL_{PREFIX[service]}_DATABASE_URL"] = (
                f"{POSTGRES.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
            )
    system = System(root, broker, proxy, inbox, environment, ports)
    try:
        for service in SERVICES:
            system.start(service)
        system.wait_ready()
        yield system
    finally:
        system.stop()
        broker.stop()
        if proxy is not None:
            proxy.close()
        smtp.stop()
        for name in databases:
            subprocess.run(
                [
                    "psql",
                    f"{POSTGRES}/postgres",
                    "-qc",
                    f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                ],
                check=False,
            )


@pytest.fixture
def system(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[System]:
    with running_system(tmp_path) as running:
        yield running
        if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
            for service in SERVICES:
                print(f"--- {service} log ---\n{running.log(service)}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
