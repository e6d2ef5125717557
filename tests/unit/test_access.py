"""The broker's ACLs follow the topic registry and what each service's handlers consume."""

from __future__ import annotations

import importlib
import inspect

import pytest

from shared import access
from shared.access import Acl, Operation, PatternType, ResourceType
from shared.settings import KafkaSettings
from shared.topics import ALL, BY_MODEL, BY_NAME, CONSUMERS, dlq, is_public


def handled_topics(service: str) -> set[str]:
    """The topics `services/<service>/handlers.py subscribers(...)` subscribes to."""
    subscribers = importlib.import_module(f"services.{service}.handlers").subscribers
    arguments = [None] * len(inspect.signature(subscribers).parameters)
    return {BY_MODEL[model].name for model in subscribers(*arguments)}


@pytest.mark.parametrize("service", access.SERVICES)
def test_what_each_service_may_read_is_what_its_handlers_consume(service) -> None:
    assert access.CONSUMES[service] == handled_topics(service)


def test_the_services_are_the_consumers_the_topic_registry_knows() -> None:
    assert set(access.SERVICES) == set(CONSUMERS) == set(access.CONSUMES)
    assert {t.writer for t in ALL} <= set(access.SERVICES)


@pytest.mark.parametrize("service", access.SERVICES)
def test_a_service_may_write_only_the_topics_it_owns_and_its_dead_letters(service) -> None:
    written = {
        acl.name
        for acl in access.service_acls(service)
        if acl.operation == Operation.WRITE and acl.resource == ResourceType.TOPIC
    }
    assert written == {t.name for t in ALL if t.writer == service} | {dlq(service)}
    assert all(BY_NAME[name].writer == service for name in written - {dlq(service)})


@pytest.mark.parametrize("service", access.SERVICES)
def test_a_service_reads_in_its_own_group_only(service) -> None:
    groups = [a for a in access.service_acls(service) if a.resource == ResourceType.GROUP]
    assert groups == [Acl(f"User:{service}", ResourceType.GROUP, service, Operation.READ)]


def test_no_service_rule_is_prefixed_or_reaches_beyond_its_topics() -> None:
    for acl in access.every_acl():
        if acl.principal.removeprefix("User:") in access.SERVICES:
            assert acl.pattern == PatternType.LITERAL, acl
            assert acl.operation in {
                Operation.READ,
                Operation.WRITE,
                Operation.DESCRIBE,
                Operation.CREATE,
                Operation.IDEMPOTENT_WRITE,
            }, acl


def test_routing_may_not_read_the_citizens_feedback() -> None:
    read = {a.name for a in access.service_acls("routing") if a.operation == Operation.READ}
    assert "orders.feedback-received.v1" not in read
    assert "orders.submitted.v1" in read


@pytest.mark.parametrize("agency", ["agency", "beredskab"])
def test_an_agency_reads_public_topics_in_groups_under_its_own_name(agency) -> None:
    rules = access.agency_acls(agency)
    assert {(a.resource, a.name, a.operation) for a in rules} == {
        (ResourceType.TOPIC, "public.", Operation.READ),
        (ResourceType.TOPIC, "public.", Operation.DESCRIBE),
        (ResourceType.GROUP, f"{agency}.", Operation.READ),
    }
    assert all(a.pattern == PatternType.PREFIXED for a in rules)
    assert all(is_public(a.name) for a in rules if a.resource == ResourceType.TOPIC)


@pytest.mark.parametrize("name", ["intake", "admin"])
def test_an_agency_cannot_take_a_services_or_the_admins_name(name) -> None:
    with pytest.raises(ValueError, match="agency"):
        access.every_acl([name])


def test_the_admin_comes_first_then_the_services_then_the_agencies() -> None:
    assert access.principals(["a", "b"]) == ["admin", *access.SERVICES, "a", "b"]


def test_sasl_settings_become_the_clients_options() -> None:
    settings = KafkaSettings(
        security_protocol="SASL_PLAINTEXT", username="routing", password="s3cret"
    )
    assert settings.client_options() == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "routing",
        "sasl_plain_password": "s3cret",
        "ssl_context": None,
    }
    assert "s3cret" not in repr(settings)
    tls = KafkaSettings(security_protocol="SASL_SSL", username="routing", password="s3cret")
    assert tls.client_options()["ssl_context"] is not None


def test_an_open_broker_gets_no_security_options() -> None:
    assert KafkaSettings().client_options() == {}


@pytest.mark.parametrize(
    "given",
    [
        {"security_protocol": "SASL_PLAINTEXT"},
        {"security_protocol": "SASL_SSL", "username": "intake"},
        {"username": "intake", "password": "s3cret"},
    ],
    ids=["sasl-without-credentials", "sasl-without-password", "credentials-without-sasl"],
)
def test_credentials_and_sasl_come_together(given) -> None:
    with pytest.raises(ValueError, match="BESTIL_KAFKA_"):
        KafkaSettings(**given)


def test_the_faststream_broker_authenticates_as_the_service() -> None:
    from faststream.security import SASLScram512

    from shared.messaging.broker import broker_security

    settings = KafkaSettings(security_protocol="SASL_SSL", username="intake", password="pw")
    security = broker_security(settings)
    assert isinstance(security, SASLScram512)
    assert (security.username, security.password, security.use_ssl) == ("intake", "pw", True)
    assert broker_security(KafkaSettings()) is None
