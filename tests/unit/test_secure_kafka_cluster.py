"""`KafkaCluster(secure=True)` configures the broker as docs/kafka.md says, without starting it."""

from __future__ import annotations

import stat
from pathlib import Path

from bestil.kafka import KafkaCluster
from shared.access import principals


def properties(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line)


def test_the_open_cluster_stays_plaintext_without_an_authorizer(tmp_path) -> None:
    cluster = KafkaCluster(tmp_path, ports=[19092], controller_ports=[19093])
    cluster._write_properties(cluster.nodes[0])
    written = properties(cluster.nodes[0].properties)
    assert written["listeners"].startswith("PLAINTEXT://")
    assert "authorizer.class.name" not in written
    assert cluster.client_env("intake") == {} and cluster.passwords == {}
    assert cluster.client_settings().client_options() == {}


def test_the_secure_cluster_takes_scram_enforces_acls_and_keeps_the_controllers_inside(
    tmp_path,
) -> None:
    cluster = KafkaCluster(tmp_path, ports=[19092], controller_ports=[19093], secure=True)
    node = cluster.nodes[0]
    cluster._write_properties(node)
    written = properties(node.properties)
    assert written["listeners"] == "SASL_PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert written["inter.broker.listener.name"] == "SASL_PLAINTEXT"
    assert written["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert written["authorizer.class.name"].endswith("StandardAuthorizer")
    assert written["super.users"] == "User:admin;User:ANONYMOUS"
    assert (
        cluster.passwords["admin"]
        in written["listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config"]
    )
    assert stat.S_IMODE(node.properties.stat().st_mode) == 0o600
    scram = cluster._scram_arguments()
    assert scram[::2] == ["--add-scram"] * len(principals())
    assert scram[1] == f"SCRAM-SHA-512=[name=admin,password={cluster.passwords['admin']}]"


def test_the_passwords_are_kept_for_the_next_start_and_each_principal_has_its_own(
    tmp_path,
) -> None:
    first = KafkaCluster(tmp_path, secure=True, agencies=("beredskab",))
    again = KafkaCluster(tmp_path, secure=True, agencies=("beredskab",))
    assert first.passwords == again.passwords
    assert set(first.passwords) == {
        "admin",
        "intake",
        "routing",
        "screening",
        "notifications",
        "beredskab",
    }
    assert len(set(first.passwords.values())) == len(first.passwords)
    assert stat.S_IMODE((tmp_path / "credentials.json").stat().st_mode) == 0o600
    env = first.client_env("routing")
    assert env["BESTIL_KAFKA_USERNAME"] == "routing"
    assert env["BESTIL_KAFKA_PASSWORD"] == first.passwords["routing"]
    assert env["BESTIL_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"


def test_given_passwords_win(tmp_path) -> None:
    cluster = KafkaCluster(tmp_path, secure=True, passwords={"intake": "given"})
    assert cluster.passwords["intake"] == "given"
    assert cluster.client_settings("intake").client_options()["sasl_plain_password"] == "given"
