"""An agency's consumer of `public.orders.v1`: confluent-kafka (librdkafka) and the CloudEvents SDK.

Written as another agency would write it: nothing from this repository is imported, only the
published contract (docs/agencies.md). It logs in with the agency's SCRAM credentials, reads
each record as a binary-mode CloudEvent, keeps the latest public state of every order, prints
one line per event and, when it stops, a tally of the orders per municipality and status.

    pip install confluent-kafka cloudevents
    AGENCY_KAFKA_PASSWORD=… python consumer.py --bootstrap kafka.example:9093 --username beredskab

Delivery is at least once: a record may come again after a restart or a rebalance, so events
are deduplicated by their CloudEvents id, and an order's state is replaced only by a newer one.
The offset of a record is stored only once it has been handled (`enable.auto.offset.store`
off), and committed by librdkafka in the background and at close.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cloudevents.core.bindings import kafka as cloudevents_kafka
from confluent_kafka import Consumer, KafkaError, KafkaException, Message

TOPIC = "public.orders.v1"
EVENT_TYPE = "dk.politi.bestil.PublicOrderEvent.v1"


@dataclass
class PublicOrders:
    """The latest public state of each order seen, by its `public_id`."""

    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    as_of: dict[str, datetime] = field(default_factory=dict)
    seen_ids: set[str] = field(default_factory=set)

    def apply(self, event_id: str, public_id: str, when: datetime, state: dict[str, Any]) -> str:
        """Take one event; say whether it was new, a duplicate or older than what is held."""
        if event_id in self.seen_ids:
            return "duplicate"
        self.seen_ids.add(event_id)
        if public_id in self.as_of and when < self.as_of[public_id]:
            return "stale"
        self.orders[public_id], self.as_of[public_id] = state, when
        return "applied"

    def tally(self) -> dict[str, Counter[str]]:
        """Orders per municipality (or "unknown"), counted by their latest status."""
        found: dict[str, Counter[str]] = {}
        for state in self.orders.values():
            municipality = state.get("municipality_code") or "unknown"
            found.setdefault(municipality, Counter())[state["status"]] += 1
        return found


def client_config(args: argparse.Namespace, password: str) -> dict[str, Any]:
    """librdkafka's settings: SCRAM over TLS in production, a group under the agency's name."""
    config: dict[str, Any] = {
        "bootstrap.servers": args.bootstrap,
        "security.protocol": args.security_protocol,
        "sasl.mechanism": args.sasl_mechanism,
        "sasl.username": args.username,
        "sasl.password": password,
        "group.id": args.group or f"{args.username}.orders",
        "auto.offset.reset": "earliest" if args.from_beginning else "latest",
        "enable.auto.offset.store": False,
        "client.id": f"{args.username}-public-orders",
    }
    if args.ca_file:
        config["ssl.ca.location"] = args.ca_file
    return config


def as_cloudevent(message: Message) -> Any:
    """The record as a CloudEvent: `ce_…` headers are its attributes, the value its data."""
    given = message.headers() or []
    raw = list(given.items()) if isinstance(given, dict) else list(given)
    headers = {
        name: value if isinstance(value, bytes) else str(value or "").encode()
        for name, value in raw
    }
    return cloudevents_kafka.from_binary_event(
        cloudevents_kafka.KafkaMessage(
            headers=headers, key=message.key(), value=message.value() or b""
        )
    )


def describe(state: dict[str, Any]) -> str:
    fields = ("status", "category", "district_code", "municipality_code", "decision")
    return " ".join(f"{name}={state.get(name) or '-'}" for name in fields)


def handle(orders: PublicOrders, message: Message) -> str:
    """One record: parse it as a CloudEvent, apply it, and say what happened in one line."""
    event = as_cloudevent(message)
    if event.get_type() != EVENT_TYPE:
        return f"skipped {event.get_id()}: type {event.get_type()}"
    state = event.get_data()
    assert isinstance(state, dict)
    public_id = event.get_subject() or state["public_id"]
    when = event.get_time() or datetime.fromisoformat(state["occurred_at"])
    outcome = orders.apply(event.get_id(), public_id, when, state)
    return f"{outcome} {event.get_id()} order={public_id} {describe(state)}"


def run(args: argparse.Namespace) -> int:
    password = os.environ.get("AGENCY_KAFKA_PASSWORD")
    if not password:
        print("set AGENCY_KAFKA_PASSWORD to the agency's password", file=sys.stderr)
        return 2
    refused: list[KafkaError] = []

    def on_error(error: KafkaError) -> None:
        # librdkafka retries most errors itself; a refused login it reports only here
        if error.code() == KafkaError._AUTHENTICATION or error.fatal():
            refused.append(error)

    consumer = Consumer({**client_config(args, password), "error_cb": on_error})
    orders = PublicOrders()
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    consumer.subscribe([args.topic])
    handled, last_event = 0, time.monotonic()
    try:
        while not stopping:
            message = consumer.poll(0.5)
            if refused:
                raise KafkaException(refused[0])
            if message is None:
                if args.idle_exit and handled and time.monotonic() - last_event > args.idle_exit:
                    break
                continue
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaException(error)  # refused, wrong password: nothing to wait for
            print(handle(orders, message), flush=True)
            consumer.store_offsets(message)
            handled, last_event = handled + 1, time.monotonic()
            if args.max_events and handled >= args.max_events:
                break
    finally:
        consumer.close()  # commits the stored offsets and leaves the group at once
    for municipality, statuses in sorted(orders.tally().items()):
        counts = " ".join(f"{status}={n}" for status, n in sorted(statuses.items()))
        print(f"tally municipality={municipality} {counts}", flush=True)
    return 0


def parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    env = os.environ.get
    found.add_argument("--bootstrap", default=env("AGENCY_KAFKA_BOOTSTRAP"), required=False)
    found.add_argument("--username", default=env("AGENCY_KAFKA_USERNAME"))
    found.add_argument(
        "--security-protocol",
        default=env("AGENCY_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
        choices=["SASL_SSL", "SASL_PLAINTEXT"],
        help="SASL_SSL in production; SASL_PLAINTEXT only against a local test broker",
    )
    found.add_argument("--sasl-mechanism", default="SCRAM-SHA-512")
    found.add_argument("--ca-file", default=env("AGENCY_KAFKA_CA_FILE"))
    found.add_argument("--group", help="a consumer group under '<username>.'")
    found.add_argument("--topic", default=TOPIC)
    found.add_argument(
        "--from-beginning", action="store_true", help="a new group starts at the oldest record"
    )
    found.add_argument("--max-events", type=int, help="stop after this many records")
    found.add_argument(
        "--idle-exit", type=float, help="stop once no record came for this many seconds"
    )
    return found


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not (args.bootstrap and args.username):
        print("give --bootstrap and --username (or AGENCY_KAFKA_…)", file=sys.stderr)
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
