"""Which real broker a test runs on, and one way to start, stop and address either.

`BESTIL_KAFKA_BOOTSTRAP` if set (a broker someone else runs); else a testcontainers Kafka where
a Docker engine answers; else Apache Kafka from the jars (`deploy/kafka`) where Java is
installed; else Tansu, the local broker `bestil dev` runs. `BESTIL_TEST_BROKER=kafka|tansu`
forces one; a module marked `pytest.mark.broker("tansu")` always runs on Tansu, so that
`bestil dev`'s broker stays covered wherever Kafka is the default.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from bestil.broker import LocalBroker, free_port
from bestil.kafka import KafkaCluster, java_available

Kind = Literal["kafka", "tansu"]


class Broker(Protocol):
    """What a test needs of a broker: its address, and to stop it and start it again."""

    kind: Kind

    @property
    def bootstrap(self) -> str: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class ExternalBroker:
    """A broker the test does not own (`BESTIL_KAFKA_BOOTSTRAP`, a container): never stopped."""

    bootstrap: str
    kind: Kind = "kafka"

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


class Tansu(LocalBroker):
    kind: Kind = "tansu"


class Kafka(KafkaCluster):
    kind: Kind = "kafka"


def docker_available() -> bool:
    return Path("/var/run/docker.sock").exists() and os.environ.get("BESTIL_TEST_NO_DOCKER") != "1"


def default_kind() -> Kind:
    forced = os.environ.get("BESTIL_TEST_BROKER")
    if forced in ("kafka", "tansu"):
        return forced  # type: ignore[return-value]
    return "kafka" if java_available() else "tansu"


def new_broker(
    root: Path,
    kind: Kind | None = None,
    *,
    port: int | None = None,
    advertised_port: int | None = None,
    brokers: int = 1,
) -> Kafka | Tansu:
    """A broker of this test's own (not started), with its files under `root`."""
    kind = kind or default_kind()
    root.mkdir(parents=True, exist_ok=True)
    if kind == "tansu":
        return Tansu(
            port=port or free_port(), log_file=root / "broker.log", advertised_port=advertised_port
        )
    return Kafka(
        root / "kafka",
        brokers,
        ports=[port] if port else None,
        advertised_ports=[advertised_port] if advertised_port else None,
    )


@contextmanager
def running_broker(root: Path, kind: Kind | None = None) -> Iterator[Broker]:
    """The broker a test asked for, by the order the module docstring gives."""
    given = os.environ.get("BESTIL_KAFKA_BOOTSTRAP")
    if given and kind != "tansu":
        yield ExternalBroker(given)
        return
    if kind != "tansu" and docker_available():
        container = _kafka_container()
        if container is not None:
            with container:
                yield ExternalBroker(container.get_bootstrap_server())
            return
    broker = new_broker(root, kind)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def _kafka_container():  # type: ignore[no-untyped-def]
    try:
        import docker  # type: ignore[import-untyped]
        from testcontainers.kafka import KafkaContainer  # type: ignore[import-untyped]

        docker.from_env().ping()
    except Exception:  # no engine after all: the jars or Tansu
        return None
    return KafkaContainer()


def service_env(broker: Broker) -> dict[str, str]:
    """What a service process needs to know of the broker it talks to."""
    return {"BESTIL_KAFKA_BOOTSTRAP": broker.bootstrap, "BESTIL_KAFKA_BROKER": broker.kind}
