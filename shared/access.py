"""Who may do what on the broker: one principal per service, each granted only its own topics.

Derived from the topic registry (each topic's single writer) and from what each service
consumes, which is written out here because a service's subscribers are built at start-up;
tests/unit/test_access.py checks it against every `services/<s>/handlers.py subscribers()`,
so the two cannot drift. An agency reads `public.` topics and nothing else. Topics are
created by the admin principal (a super user); `apply_acls` creates the ACLs as that admin.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from shared.settings import KafkaSettings
from shared.topics import ALL, CONSUMERS, PUBLIC_PREFIX, dlq

log = logging.getLogger(__name__)

SERVICES = ("intake", "routing", "screening", "notifications")
ADMIN = "admin"
"""The super user (`super.users`): creates topics and ACLs; no service runs as it."""
DEFAULT_AGENCIES = ("agency",)

CONSUMES: dict[str, frozenset[str]] = {
    "intake": frozenset(
        {
            "orders.routed.v1",
            "orders.unroutable.v1",
            "orders.screened.v1",
            "orders.scheduled.v1",
            "orders.completed.v1",
            "orders.info-requested.v1",
            "orders.erasure-requested.v1",
            "public.orders.v1",  # the public overview of figures is built from it
        }
    ),
    "routing": frozenset(
        {"orders.submitted.v1", "orders.reroute-requested.v1", "orders.erasure-requested.v1"}
    ),
    "screening": frozenset(
        {
            "orders.submitted.v1",
            "orders.routed.v1",
            "orders.unroutable.v1",
            "orders.cancelled.v1",
            "orders.info-provided.v1",
            "orders.feedback-received.v1",
            "orders.deadlines.v1",
        }
    ),
    "notifications": frozenset(
        {
            "orders.submitted.v1",
            "orders.routed.v1",
            "orders.screened.v1",
            "orders.scheduled.v1",
            "orders.completed.v1",
            "orders.info-requested.v1",
            "orders.cancelled.v1",
            "orders.erasure-requested.v1",
        }
    ),
}
"""The topics each service's consumer group reads (its group id is the service's name)."""


class ResourceType(IntEnum):
    """Kafka's protocol codes (org.apache.kafka.common.resource.ResourceType)."""

    TOPIC = 2
    GROUP = 3
    CLUSTER = 4


class PatternType(IntEnum):
    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    """org.apache.kafka.common.acl.AclOperation."""

    READ = 3
    WRITE = 4
    CREATE = 5
    DESCRIBE = 8
    IDEMPOTENT_WRITE = 12


ALLOW = 3  # AclPermissionType.ALLOW
CLUSTER_AUTHORIZATION_FAILED = 31
CLUSTER = "kafka-cluster"


@dataclass(frozen=True, order=True)
class Acl:
    """One ALLOW rule: `principal` may do `operation` on the resource, from any host."""

    principal: str
    resource: ResourceType
    name: str
    operation: Operation
    pattern: PatternType = PatternType.LITERAL

    def __str__(self) -> str:
        prefix = "*" if self.pattern == PatternType.PREFIXED else ""
        return f"{self.principal} {self.operation.name} {self.resource.name}:{self.name}{prefix}"


def principal(user: str) -> str:
    return f"User:{user}"


def writes(service: str) -> list[str]:
    """The topics `service` publishes: those the registry names it the writer of, and its DLQ."""
    own = [t.name for t in ALL if t.writer == service]
    return sorted({*own, *([dlq(service)] if service in CONSUMERS else [])})


def reads(service: str) -> list[str]:
    """What its consumer group reads, and its own DLQ (`bestil dlq` lists it as the service)."""
    return sorted({*CONSUMES[service], *([dlq(service)] if service in CONSUMERS else [])})


def agency_group_prefix(agency: str) -> str:
    """An agency's consumer groups are named `<agency>.…`, so agencies never share a group."""
    return f"{agency}."


def service_acls(service: str) -> list[Acl]:
    """Write and create its own topics, read what it consumes, its group, idempotent sends."""
    who = principal(service)
    found = [Acl(who, ResourceType.CLUSTER, CLUSTER, Operation.IDEMPOTENT_WRITE)]
    for topic in writes(service):
        found += [
            Acl(who, ResourceType.TOPIC, topic, op)
            for op in (Operation.WRITE, Operation.DESCRIBE, Operation.CREATE)
        ]
    for topic in reads(service):
        found += [
            Acl(who, ResourceType.TOPIC, topic, op) for op in (Operation.READ, Operation.DESCRIBE)
        ]
    if CONSUMES[service]:
        found.append(Acl(who, ResourceType.GROUP, service, Operation.READ))
    return sorted(set(found))


def agency_acls(agency: str) -> list[Acl]:
    """Read (and see) every `public.` topic, in consumer groups under its own prefix."""
    who = principal(agency)
    prefixed = PatternType.PREFIXED
    return [
        Acl(who, ResourceType.TOPIC, PUBLIC_PREFIX, Operation.READ, prefixed),
        Acl(who, ResourceType.TOPIC, PUBLIC_PREFIX, Operation.DESCRIBE, prefixed),
        Acl(who, ResourceType.GROUP, agency_group_prefix(agency), Operation.READ, prefixed),
    ]


def every_acl(agencies: Iterable[str] = DEFAULT_AGENCIES) -> list[Acl]:
    """The whole set the broker should hold: every service's and every agency's rules."""
    names = list(agencies)
    clash = set(names) & {*SERVICES, ADMIN}
    if clash:
        raise ValueError(f"an agency cannot be named like a service or the admin: {clash}")
    found = [acl for service in SERVICES for acl in service_acls(service)]
    return found + [acl for agency in names for acl in agency_acls(agency)]


def principals(agencies: Iterable[str] = DEFAULT_AGENCIES) -> list[str]:
    """Every user the broker needs a SCRAM credential for, the admin first."""
    return [ADMIN, *SERVICES, *agencies]


async def apply_acls(admin_settings: KafkaSettings, acls: Iterable[Acl]) -> None:
    """Create the ACLs as the admin (creating one that exists is a no-op on Kafka).

    aiokafka's admin client has no `create_acls`, but it speaks the CreateAcls request
    (API key 30); one request per rule keeps the error of each rule its own.
    """
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.protocol.admin import CreateAclsRequest

    admin = AIOKafkaAdminClient(
        bootstrap_servers=admin_settings.bootstrap,
        request_timeout_ms=admin_settings.request_timeout_ms,
        **admin_settings.client_options(),
    )
    await admin.start()
    failed: list[str] = []
    created = 0
    try:
        for acl in acls:
            request = CreateAclsRequest(
                int(acl.resource),
                acl.name,
                int(acl.pattern),
                acl.principal,
                "*",
                int(acl.operation),
                ALLOW,
            )
            response = await admin._send_request(request)  # a private method: see the docstring
            for error_code, message in response.creation_responses:
                if error_code == CLUSTER_AUTHORIZATION_FAILED:
                    raise PermissionError(
                        f"{admin_settings.username or 'an anonymous client'} may not create "
                        "ACLs: run this as the broker's admin (BESTIL_KAFKA_USERNAME=admin)"
                    )
                if error_code:
                    failed.append(f"{acl}: error {error_code} {(message or '')[:200]}".strip())
                else:
                    created += 1
    finally:
        await admin.close()
    if failed:
        raise RuntimeError("the broker refused ACLs:\n" + "\n".join(failed))
    log.info("%d ACLs in place", created)


def describe(acls: Iterable[Acl]) -> str:
    """One line per rule, grouped by principal, for `bestil kafka-acls --print`."""
    return "\n".join(str(acl) for acl in sorted(acls))
