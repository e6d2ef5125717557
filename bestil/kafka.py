"""Apache Kafka on this machine: one or three KRaft brokers from the jars `deploy/kafka` fetches.

Used by the tests, the benchmarks and a person (`bestil kafka`). It does what Kafka's own
`bin/kafka-storage.sh format` and `bin/kafka-server-start.sh` do — `kafka.tools.StorageTool` and
`kafka.Kafka` on a classpath of the broker's jars — without a distribution tarball: Maven
Central publishes the broker as ordinary jars. Each broker is its own JVM, combined broker and
controller (`process.roles=broker,controller`), so that a test can stop or kill one of them and
start it again on the same log directory.

`secure=True` runs it as production should (docs/kafka.md, "Access control"): one SASL/SCRAM
listener for clients and brokers, the credentials of the admin, every service and the agencies
written into the metadata log at format time, Kafka's StandardAuthorizer, and the ACLs of
shared/access.py. The controllers' listener stays PLAINTEXT, on loopback only.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bestil.broker import free_port, port_open, run_async
from bestil.foreground import StopRequest

if TYPE_CHECKING:
    from shared.settings import KafkaSettings

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
KAFKA_PROJECT = REPOSITORY_ROOT / "deploy" / "kafka"


def kafka_libs() -> Path:
    """Where the broker's jars are: `BESTIL_KAFKA_LIBS`, else what `fetch_jars` puts there."""
    given = os.environ.get("BESTIL_KAFKA_LIBS")
    return Path(given) if given else KAFKA_PROJECT / "target" / "libs"


def jars_present() -> bool:
    libs = kafka_libs()
    return libs.is_dir() and any(libs.glob("kafka_2.13-*.jar"))


def java_available() -> bool:
    return shutil.which("java") is not None and (jars_present() or shutil.which("mvn") is not None)


def fetch_jars() -> Path:
    """Fetch the pinned broker and its dependencies from Maven Central (once; then offline)."""
    if jars_present():
        return kafka_libs()
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError("Apache Kafka's jars are missing and Maven (mvn) is not installed")
    done = subprocess.run(
        [mvn, "-q", "-B", "-f", str(KAFKA_PROJECT / "pom.xml"), "dependency:copy-dependencies"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not jars_present():
        raise RuntimeError(f"could not fetch Apache Kafka's jars:\n{done.stdout}{done.stderr}")
    return kafka_libs()


def kafka_version() -> str:
    jar = next(kafka_libs().glob("kafka_2.13-*.jar"))
    return jar.stem.removeprefix("kafka_2.13-")


def new_cluster_id() -> str:
    """What `kafka-storage.sh random-uuid` prints: 16 random bytes, URL-safe base64.

    Like Kafka's own `Uuid.randomUuid`, never one that starts with "-": the command line would
    take it for an option (it did, in 1 of 64 runs).
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


@dataclass
class KafkaNode:
    """One broker: its id, its client and controller ports, its own directory."""

    node_id: int
    port: int
    controller_port: int
    directory: Path
    advertised_port: int
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def log_dir(self) -> Path:
        return self.directory / "data"

    @property
    def properties(self) -> Path:
        return self.directory / "server.properties"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


MECHANISM = "SCRAM-SHA-512"


class KafkaCluster:
    """Format, start, stop and kill one or three Apache Kafka brokers on loopback.

    With three, every topic is created with replication factor 3 and `min.insync.replicas=2`
    (as in production, docs/kafka.md): one broker may die and nothing acknowledged is lost.
    With `secure`, clients authenticate with SCRAM-SHA-512 and get only their ACLs; the
    passwords (given, else generated once and kept in `root/credentials.json`) are in
    `passwords`, and `client_env(user)` gives a process the variables to connect as `user`.
    """

    def __init__(
        self,
        root: Path,
        brokers: int = 1,
        *,
        ports: list[int] | None = None,
        controller_ports: list[int] | None = None,
        advertised_ports: list[int] | None = None,
        host: str = "127.0.0.1",
        partitions: int = 6,
        heap: str = "512m",
        secure: bool = False,
        agencies: tuple[str, ...] | None = None,
        passwords: dict[str, str] | None = None,
    ) -> None:
        if brokers not in (1, 3):
            raise ValueError("one broker, or three (a quorum that survives one loss)")
        self.root, self.host, self.partitions, self.heap = root, host, partitions, heap
        ports = ports or [free_port() for _ in range(brokers)]
        advertised = advertised_ports or ports
        controllers = controller_ports or [free_port() for _ in range(brokers)]
        self.nodes = [
            KafkaNode(i + 1, ports[i], controllers[i], root / f"broker-{i + 1}", advertised[i])
            for i in range(brokers)
        ]
        self.cluster_id = new_cluster_id()
        self.replication_factor = 3 if brokers == 3 else 1
        self.secure = secure
        self.passwords: dict[str, str] = {}
        if secure:
            from shared.access import DEFAULT_AGENCIES

            self.agencies = agencies or DEFAULT_AGENCIES
            self.passwords = self._credentials(passwords or {})

    def _credentials(self, given: dict[str, str]) -> dict[str, str]:
        """Every principal's password: given, else kept from an earlier run, else new."""
        from shared.access import principals

        kept_file = self.root / "credentials.json"
        kept = json.loads(kept_file.read_text()) if kept_file.exists() else {}
        found = {
            user: given.get(user) or kept.get(user) or secrets.token_hex(24)
            for user in principals(self.agencies)
        }
        self.root.mkdir(parents=True, exist_ok=True)
        kept_file.write_text(json.dumps(found, indent=2) + "\n")
        kept_file.chmod(0o600)
        return found

    @property
    def listener(self) -> str:
        return "SASL_PLAINTEXT" if self.secure else "PLAINTEXT"

    def client_settings(self, user: str | None = None) -> KafkaSettings:
        """How `user` (default: the admin) reaches this cluster; open without `secure`."""
        from shared.access import ADMIN
        from shared.settings import KafkaSettings

        settings = KafkaSettings(
            bootstrap=",".join(f"{self.host}:{n.port}" for n in self.nodes),
            partitions=self.partitions,
            replication_factor=self.replication_factor,
            min_insync_replicas=min(self.replication_factor, 2),
            **self._sasl(user or ADMIN),
        )
        return settings

    def _sasl(self, user: str) -> dict[str, Any]:
        if not self.secure:
            return {}
        return {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": MECHANISM,
            "username": user,
            "password": self.passwords[user],
        }

    def client_env(self, user: str) -> dict[str, str]:
        """The `BESTIL_KAFKA_…` variables a service process needs to connect as `user`."""
        if not self.secure:
            return {}
        return {
            "BESTIL_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "BESTIL_KAFKA_SASL_MECHANISM": MECHANISM,
            "BESTIL_KAFKA_USERNAME": user,
            "BESTIL_KAFKA_PASSWORD": self.passwords[user],
        }

    @property
    def bootstrap(self) -> str:
        return ",".join(f"{self.host}:{n.advertised_port}" for n in self.nodes)

    def _write_properties(self, node: KafkaNode) -> None:
        voters = ",".join(f"{n.node_id}@{self.host}:{n.controller_port}" for n in self.nodes)
        rf = self.replication_factor
        listener = self.listener
        settings: dict[str, object] = {
            "process.roles": "broker,controller",
            "node.id": node.node_id,
            "controller.quorum.voters": voters,
            "listeners": f"{listener}://{self.host}:{node.port},"
            f"CONTROLLER://{self.host}:{node.controller_port}",
            "advertised.listeners": f"{listener}://{self.host}:{node.advertised_port}",
            "inter.broker.listener.name": listener,
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": f"CONTROLLER:PLAINTEXT,{listener}:{listener}",
            **self._security_properties(),
            "log.dirs": node.log_dir,
            "num.partitions": self.partitions,
            "default.replication.factor": rf,
            "min.insync.replicas": min(rf, 2),
            "offsets.topic.replication.factor": rf,
            "transaction.state.log.replication.factor": rf,
            "transaction.state.log.min.isr": min(rf, 2),
            "share.coordinator.state.topic.replication.factor": rf,
            "share.coordinator.state.topic.min.isr": min(rf, 2),
            # topics are created by the services (shared/messaging/broker.py), never by a typo
            "auto.create.topics.enable": "false",
            # a test's group forms at once instead of after 3 s
            "group.initial.rebalance.delay.ms": 0,
            "log.segment.bytes": 64 * 1024 * 1024,
        }
        node.directory.mkdir(parents=True, exist_ok=True)
        node.properties.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
        node.properties.chmod(0o600)  # with `secure`, it holds the admin's password

    def _security_properties(self) -> dict[str, object]:
        """SCRAM for clients and between brokers, ACLs enforced, the admin a super user.

        The controllers' listener is PLAINTEXT on loopback, where a broker's requests to the
        controllers arrive as User:ANONYMOUS: that principal must be a super user too, and no
        client-facing listener is PLAINTEXT, so no client is ever ANONYMOUS.
        """
        if not self.secure:
            return {}
        from shared.access import ADMIN

        jaas = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{ADMIN}" password="{self.passwords[ADMIN]}";'
        )
        return {
            "sasl.enabled.mechanisms": MECHANISM,
            "sasl.mechanism.inter.broker.protocol": MECHANISM,
            f"listener.name.sasl_plaintext.{MECHANISM.lower()}.sasl.jaas.config": jaas,
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users": f"User:{ADMIN};User:ANONYMOUS",
            "allow.everyone.if.no.acl.found": "false",
        }

    def _scram_arguments(self) -> list[str]:
        """`--add-scram` for every principal: KRaft takes SCRAM credentials at format time."""
        found: list[str] = []
        for user, password in self.passwords.items():
            found += ["--add-scram", f"{MECHANISM}=[name={user},password={password}]"]
        return found

    def _java(self, *args: str) -> list[str]:
        return [
            shutil.which("java") or "java",
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={KAFKA_PROJECT / 'log4j2.properties'}",
            "-cp",
            f"{kafka_libs()}/*",
            *args,
        ]

    def _format(self, node: KafkaNode) -> None:
        if (node.log_dir / "meta.properties").exists():
            return  # a restart keeps its log
        self._write_properties(node)
        done = subprocess.run(
            self._java(
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id",
                self.cluster_id,
                "--config",
                str(node.properties),
                *self._scram_arguments(),
            ),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"formatting broker {node.node_id} failed:\n{done.stdout}{done.stderr}"
            )

    def start(self, timeout: float = 120.0, *, create_topics: bool = True) -> None:
        """Format (first time only), start every broker and wait until all of them serve."""
        fetch_jars()
        for node in self.nodes:
            self._format(node)
        for node in self.nodes:
            self.start_node(node.node_id, wait=False)
        self.wait_serving(timeout)
        if create_topics:
            self._create_topics()
        if self.secure:
            self._create_acls()

    def start_node(self, node_id: int, *, wait: bool = True, timeout: float = 120.0) -> None:
        node = self.node(node_id)
        if node.running:
            raise RuntimeError(f"broker {node_id} is already running")
        if port_open(self.host, node.port):
            raise RuntimeError(f"something already listens on {self.host}:{node.port}")
        self._format(node)
        log = open(node.directory / "broker.log", "ab")
        node.process = subprocess.Popen(
            self._java("kafka.Kafka", str(node.properties)),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C in the terminal is for the caller to handle
        )
        log.close()
        if wait:
            self.wait_serving(timeout, nodes=[node])

    def wait_serving(self, timeout: float = 120.0, *, nodes: list[KafkaNode] | None = None) -> None:
        """Until each broker listens and the cluster's metadata lists every running broker."""
        deadline = time.monotonic() + timeout
        for node in nodes or self.nodes:
            while not port_open(self.host, node.port):
                self._check_alive(node)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"broker {node.node_id} did not listen in {timeout:.0f}s")
                time.sleep(0.1)
        expected = {n.node_id for n in self.nodes if n.running}
        while run_async(self._registered_brokers()) != expected:
            for node in self.nodes:
                if node.node_id in expected:
                    self._check_alive(node)
            if time.monotonic() > deadline:
                raise RuntimeError(f"not every broker of {expected} joined in {timeout:.0f}s")
            time.sleep(0.2)

    def _check_alive(self, node: KafkaNode) -> None:
        if node.process is not None and node.process.poll() is not None:
            tail = (node.directory / "broker.log").read_text(errors="replace")[-4000:]
            raise RuntimeError(f"broker {node.node_id} exited ({node.process.returncode}):\n{tail}")

    async def _registered_brokers(self) -> set[int]:
        from aiokafka.admin import AIOKafkaAdminClient

        running = [n for n in self.nodes if n.running]
        admin = AIOKafkaAdminClient(
            bootstrap_servers=",".join(f"{self.host}:{n.port}" for n in running),
            request_timeout_ms=5000,
            **self.client_settings().client_options(),
        )
        try:
            await admin.start()
            cluster = await admin.describe_cluster()
            return {int(b["node_id"]) for b in cluster["brokers"]}
        except Exception:
            return set()
        finally:
            await admin.close()

    def _create_topics(self) -> None:
        from shared.messaging.broker import ensure_topics
        from shared.topics import every_topic

        run_async(ensure_topics(self.client_settings(), every_topic()))

    def _create_acls(self) -> None:
        from shared.access import apply_acls, every_acl

        run_async(apply_acls(self.client_settings(), every_acl(self.agencies)))

    def node(self, node_id: int) -> KafkaNode:
        return self.nodes[node_id - 1]

    def stop_node(self, node_id: int, sig: int = signal.SIGTERM, timeout: float = 60.0) -> None:
        """SIGTERM: a clean shutdown (the broker hands over its leaderships); SIGKILL: a crash."""
        node = self.node(node_id)
        if node.process is None:
            return
        if node.process.poll() is None:
            node.process.send_signal(sig)
            try:
                node.process.wait(timeout)
            except subprocess.TimeoutExpired:
                node.process.kill()
                node.process.wait()
        node.process = None

    def kill_node(self, node_id: int) -> None:
        self.stop_node(node_id, signal.SIGKILL)

    def stop(self) -> None:
        for node in self.nodes:
            if node.running and node.process is not None:
                node.process.send_signal(signal.SIGTERM)
        for node in self.nodes:
            self.stop_node(node.node_id)

    def __enter__(self) -> KafkaCluster:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def run_kafka(directory: Path, brokers: int, port: int, *, secure: bool = False) -> int:
    """`bestil kafka`: Apache Kafka in the foreground until Ctrl-C, its log kept in `directory`.

    Broker n listens on `port + 2(n-1)` for clients and the port after it for its controller
    (9092 and 9093, as in Kafka's own config/server.properties), the same at every start, so
    that a directory formatted once starts again as it was. `secure`: SASL/SCRAM and ACLs,
    each principal's variables written to `directory/<user>.env`.
    """
    ports = [port + 2 * i for i in range(brokers)]
    cluster = KafkaCluster(
        directory, brokers, ports=ports, controller_ports=[p + 1 for p in ports], secure=secure
    )
    stop = StopRequest()
    print(f"starting Apache Kafka {_version_or_fetch()} ({brokers} broker(s)) …", flush=True)
    cluster.start()
    print(
        f"Apache Kafka is running: {cluster.bootstrap}\n"
        f"  its log and data:  {directory.resolve()}\n"
        + (_credentials_note(cluster, directory) if secure else _open_note(cluster))
        + "Press Ctrl-C to stop.",
        flush=True,
    )
    try:
        while not stop.requested:
            for node in cluster.nodes:
                if not node.running:
                    print(f"broker {node.node_id} stopped; see {node.directory}/broker.log")
                    stop.requested = True
            time.sleep(0.5)
    finally:
        cluster.stop()
        print("stopped.", flush=True)
    return 0


def _open_note(cluster: KafkaCluster) -> str:
    return (
        f"  the services:      BESTIL_KAFKA_BOOTSTRAP={cluster.bootstrap} bestil serve …\n"
        f"  or all of them:    bestil dev --kafka {cluster.bootstrap}\n"
    )


def _credentials_note(cluster: KafkaCluster, directory: Path) -> str:
    """Write each principal's variables to `<user>.env` (mode 600); say where they are."""
    lines = []
    for user in cluster.passwords:
        env = {"BESTIL_KAFKA_BOOTSTRAP": cluster.bootstrap, **cluster.client_env(user)}
        file = directory / f"{user}.env"
        file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
        file.chmod(0o600)
        lines.append(f"  {user + ':':<18} {file}")
    return (
        "  SASL_PLAINTEXT, SCRAM-SHA-512, ACLs of shared/access.py; each principal's settings:\n"
        + "\n".join(lines)
        + "\n  a service:         env $(cat "
        + str(directory / "intake.env")
        + ") bestil serve intake\n"
    )


async def create_topics_and_acls(settings: KafkaSettings, agencies: list[str]) -> int:
    """`bestil kafka-acls`: as the admin, create every topic and every principal's ACLs.

    Run once the broker is up and again after a release that adds a topic or a consumer;
    both steps leave what exists as it is, and rules no longer derived are not deleted.
    """
    from shared.access import apply_acls, every_acl
    from shared.messaging.broker import ensure_topics
    from shared.topics import every_topic

    acls = every_acl(agencies)
    await ensure_topics(settings, every_topic())
    await apply_acls(settings, acls)
    print(f"{len(every_topic())} topics and {len(acls)} ACLs in place on {settings.bootstrap}")
    return 0


def _version_or_fetch() -> str:
    fetch_jars()
    return kafka_version()
