"""The producer and consumer settings follow the broker unless told otherwise."""

from __future__ import annotations

import pytest

from shared.messaging.broker import topic_configs
from shared.settings import KafkaSettings
from shared.topics import every_topic, is_public


def test_apache_kafka_gets_an_idempotent_producer_and_a_long_fetch_wait() -> None:
    kafka = KafkaSettings(broker="kafka")
    assert kafka.producer_idempotent and kafka.fetch_wait_ms == 500


def test_tansu_has_no_idempotent_producer_and_a_short_fetch_wait() -> None:
    tansu = KafkaSettings(broker="tansu")
    assert not tansu.producer_idempotent and tansu.fetch_wait_ms == 10


def test_explicit_settings_win_over_the_broker_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BESTIL_KAFKA_IDEMPOTENCE", "false")
    monkeypatch.setenv("BESTIL_KAFKA_FETCH_MAX_WAIT_MS", "100")
    settings = KafkaSettings(broker="kafka")
    assert not settings.producer_idempotent and settings.fetch_wait_ms == 100


def test_several_bootstrap_servers_are_several_addresses() -> None:
    settings = KafkaSettings(bootstrap="k1:9092, k2:9092,k3:9092")
    assert settings.bootstrap_servers == ["k1:9092", "k2:9092", "k3:9092"]


def test_every_topic_has_a_retention_and_personal_data_leaves_within_two_weeks() -> None:
    settings = KafkaSettings(min_insync_replicas=2)
    for name in every_topic():
        configs = topic_configs(settings, name)
        days = int(configs["retention.ms"]) / 86_400_000
        assert 0 < days <= (2 * 365 if is_public(name) else 14), name
        assert configs["min.insync.replicas"] == "2"
    assert int(topic_configs(settings, "orders.submitted.v1")["retention.ms"]) == 7 * 86_400_000


def test_a_kafka_cluster_id_is_never_taken_for_an_option() -> None:
    from bestil.kafka import new_cluster_id

    ids = [new_cluster_id() for _ in range(2000)]
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)
