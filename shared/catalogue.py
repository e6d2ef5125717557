"""The published catalogue of order events: an AsyncAPI document built from the topic registry.

Other agencies subscribe to these topics; this is the document they read. FastStream generates
it from the same models the services use, so it cannot drift from the code; what FastStream does
not say (the CloudEvents headers, the Kafka key, examples, which stream is the agencies') is
added here from the same registry and the same header function the producers call. The committed
copy, `docs/asyncapi.json`, is checked against this in tests/contracts/test_asyncapi.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from shared.events import Message
from shared.messaging.cloudevents import headers_for
from shared.topics import ALL, CONSUMERS, DLQ_RETENTION_DAYS, Topic, dlq, is_public

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "asyncapi.json"

DESCRIPTION = (
    "Events of the Danish police self-service *Bestil en betjent*.\n\n"
    "**Agencies subscribe to `public.orders.v1` only** (tag `agencies`): no personal data, no "
    "free text, keyed by a stable `public_id`. The `orders.*` topics (tag `internal`) are the "
    "services' own conversation; they carry personal data, are granted to no agency, and may "
    "change without notice to anyone but the services.\n\n"
    "Every message: a JSON body (the event below); Kafka key = `order_id` (`public_id` on "
    "`public.orders.v1`), so all messages of one order stay ordered on one partition; "
    "CloudEvents 1.0 binary-mode headers (`ce_specversion`, `ce_id` = `event_id`, `ce_source`, "
    "`ce_type`, `ce_time` = `occurred_at`, `ce_subject` = the order's reference, or its "
    "`public_id` on the public stream), so any CloudEvents SDK reads them. Delivery is "
    "at-least-once: `event_id` is the idempotency key. A schema changes only by adding optional "
    "fields; anything else is a new `.v2` topic."
)

TAGS = {
    "agencies": "The stream other agencies subscribe to: no personal data, kept for two years.",
    "internal": (
        "Between the project's own services only: personal data, granted to no agency; agencies "
        "must not rely on these topics."
    ),
    "dead-letter": "Messages a consuming service parked after bounded retries (operators only).",
}

DAY_MS = 24 * 60 * 60 * 1000


def catalogue(bootstrap: str = "kafka:9092") -> dict[str, Any]:
    """The AsyncAPI 3.0 document of every topic and dead-letter topic, in registry order."""
    broker = KafkaBroker(bootstrap)
    for topic in ALL:
        broker.publisher(
            topic.name,
            title=topic.name,
            description=_channel_description(topic),
            schema=topic.model,
        )
    for service in CONSUMERS:
        broker.publisher(
            dlq(service),
            title=dlq(service),
            description=(
                f"Messages {service} could not process after bounded retries: the original "
                "key, body and headers, plus x-original-topic, x-error-type, x-error-message "
                "and x-attempts. Written by each consuming service to its own topic."
            ),
            schema=bytes,
        )
    spec = AsyncAPI(
        broker, title="Bestil en betjent — order events", version="1.0.0", description=DESCRIPTION
    )
    return _completed(spec.to_specification().to_jsonable())


def committed() -> dict[str, Any]:
    """The catalogue as committed under docs/, for the test that keeps the two equal."""
    document: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    return document


def render(document: dict[str, Any]) -> str:
    """The document as `bestil asyncapi` prints it and docs/asyncapi.json holds it."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _summary(model: type[Message]) -> str:
    return (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""


def _channel_description(topic: Topic) -> str:
    if is_public(topic.name):
        return (
            f"**The agencies' stream.** {_summary(topic.model)} Each message holds the order's "
            f"whole public state after one step: the latest message of a `public_id` is all an "
            f"agency needs. Written by {topic.writer} only."
        )
    return (
        f"{_summary(topic.model)} Written by {topic.writer} only. Internal: agencies must not "
        "rely on this topic."
    )


def _completed(document: dict[str, Any]) -> dict[str, Any]:
    """FastStream's document with headers, keys, examples and tags, in a stable order."""
    channels = document["channels"]
    operations = document["operations"]
    messages = document["components"]["messages"]
    document["info"]["tags"] = [{"name": n, "description": d} for n, d in TAGS.items()]
    for topic in ALL:
        tag = "agencies" if is_public(topic.name) else "internal"
        _describe_channel(channels[topic.name], topic.retention_days, tag)
        _tag_operation(operations[topic.name], tag, topic.name)
        messages[f"{topic.name}:Message"] = _event_message(topic, tag)
    for service in CONSUMERS:
        name = dlq(service)
        _describe_channel(channels[name], DLQ_RETENTION_DAYS, "dead-letter")
        _tag_operation(operations[name], "dead-letter", name)
        messages[f"{name}:Message"] = _dead_letter_message(name)
        schema = document["components"]["schemas"][f"{name}:Message:Payload"]
        schema["description"] = "The original message's body, byte for byte."
    order = [t.name for t in ALL] + [dlq(s) for s in CONSUMERS]
    document["channels"] = {name: channels[name] for name in order}
    document["operations"] = {name: operations[name] for name in order}
    components = document["components"]
    for part in ("messages", "schemas"):
        components[part] = dict(sorted(components[part].items()))
    return document


def _describe_channel(channel: dict[str, Any], retention_days: int, tag: str) -> None:
    channel["tags"] = [{"name": tag}]
    channel["bindings"] = {
        "kafka": {
            "topic": channel["address"],
            "topicConfiguration": {
                "cleanup.policy": ["delete"],
                "retention.ms": retention_days * DAY_MS,
            },
            "bindingVersion": "0.5.0",
        }
    }


def _tag_operation(operation: dict[str, Any], tag: str, topic: str) -> None:
    operation["title"] = f"Publish to {topic}"
    operation["tags"] = [{"name": tag}]


def _key_schema(topic: Topic) -> dict[str, Any]:
    field = "public_id" if is_public(topic.name) else "order_id"
    return {
        "type": "string",
        "format": "uuid",
        "description": f"The Kafka key: the event's `{field}`, as text.",
        "examples": [example_event(topic).kafka_key()],
    }


def _string(description: str, **more: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **more}


def _cloudevents_properties(topic: Topic | None) -> dict[str, dict[str, Any]]:
    """The headers `shared.messaging.cloudevents.headers_for` writes; constants per topic."""
    public = topic is not None and is_public(topic.name)
    per_topic: dict[str, Any] = (
        {}
        if topic is None
        else {"ce_type": {"const": topic.ce_type}, "ce_source": {"const": _source(topic)}}
    )
    properties = {
        "ce_specversion": _string("CloudEvents version", const="1.0"),
        "ce_id": _string("The event's `event_id`", format="uuid"),
        "ce_source": _string("The producing service, `/bestil-en-betjent/<service>`"),
        "ce_type": _string("The event type: `dk.politi.bestil.<Event>.<topic version>`"),
        "ce_time": _string("The event's `occurred_at`", format="date-time"),
        "ce_subject": (
            _string("The order's `public_id`", format="uuid")
            if public
            else _string("The order's reference (`BEB-` and 8 characters)")
        ),
        "content-type": _string("The body's media type", const="application/json"),
    }
    for name, extra in per_topic.items():
        properties[name] = {**properties[name], **extra}
    if not public:
        properties["correlation_id"] = _string(
            "The event's `correlation_id`: one per citizen's request, copied along the order",
            maxLength=100,
        )
        properties["traceparent"] = _string("W3C trace context, when the producer had a span")
        properties["tracestate"] = _string("W3C trace state, with traceparent")
    return properties


def _source(topic: Topic) -> str:
    return f"/bestil-en-betjent/{topic.writer}"


def _headers_schema(topic: Topic) -> dict[str, Any]:
    properties = _cloudevents_properties(topic)
    required = [p for p in properties if p not in ("traceparent", "tracestate")]
    return {
        "type": "object",
        "description": "CloudEvents 1.0 binary-mode headers (Kafka protocol binding)",
        "properties": properties,
        "required": required,
    }


def example_event(topic: Topic) -> Message:
    """One whole event of the topic, built from every field's first example."""
    model = topic.model
    values = {name: f.examples[0] for name, f in model.model_fields.items() if f.examples}
    return model.model_validate(values)


def _event_message(topic: Topic, tag: str) -> dict[str, Any]:
    event = example_event(topic)
    message: dict[str, Any] = {
        "name": topic.model.__name__,
        "title": f"{topic.name}:Message",
        "summary": _summary(topic.model),
        "contentType": "application/json",
        "headers": _headers_schema(topic),
        "payload": {"$ref": f"#/components/schemas/{topic.model.__name__}"},
        "bindings": {"kafka": {"key": _key_schema(topic), "bindingVersion": "0.5.0"}},
        "tags": [{"name": tag}],
        "examples": [
            {
                "name": f"{topic.model.__name__}Example",
                "summary": f"One {topic.model.__name__} with every field filled in",
                "headers": headers_for(event, topic.writer),
                "payload": event.model_dump(mode="json"),
            }
        ],
    }
    if not is_public(topic.name):
        message["correlationId"] = {
            "description": "One per citizen's request, copied into every later event",
            "location": "$message.header#/correlation_id",
        }
    return message


def _dead_letter_message(name: str) -> dict[str, Any]:
    properties = {
        **_cloudevents_properties(None),
        "x-original-topic": _string("The topic the message was read from"),
        "x-error-type": _string("The exception's class name"),
        "x-error-message": _string("What went wrong, with personal data left out"),
        "x-attempts": _string(
            "How many times it was tried, as a decimal number", pattern="^[0-9]+$"
        ),
    }
    submitted = ALL[0]
    event = example_event(submitted)
    return {
        "name": "DeadLetter",
        "title": f"{name}:Message",
        "summary": "A message parked after bounded retries, with why",
        "contentType": "application/octet-stream",
        "headers": {
            "type": "object",
            "description": (
                "The original message's headers (CloudEvents when it had them) plus the x-* "
                "headers of the failure"
            ),
            "properties": properties,
            "required": ["x-original-topic", "x-error-type", "x-error-message", "x-attempts"],
        },
        "payload": {"$ref": f"#/components/schemas/{name}:Message:Payload"},
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "description": "The original message's key, unchanged",
                },
                "bindingVersion": "0.5.0",
            }
        },
        "tags": [{"name": "dead-letter"}],
        "examples": [
            {
                "name": "ParkedOrderSubmitted",
                "summary": "An OrderSubmitted that failed three times",
                "headers": {
                    **headers_for(event, submitted.writer),
                    "x-original-topic": submitted.name,
                    "x-error-type": "OperationalError",
                    "x-error-message": "database is locked",
                    "x-attempts": "3",
                },
                "payload": event.model_dump_json(),
            }
        ],
    }
