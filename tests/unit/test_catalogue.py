"""The AsyncAPI catalogue names every topic with the schema of its event."""

from __future__ import annotations

import pytest

from shared.catalogue import catalogue
from shared.topics import ALL, is_public


@pytest.fixture(scope="module")
def document() -> dict:
    return catalogue()


@pytest.mark.parametrize("topic", ALL, ids=[t.name for t in ALL])
def test_every_topic_is_published_with_its_event_schema(document, topic) -> None:
    channel = document["channels"][topic.name]
    assert channel["address"] == topic.name
    [ref] = channel["messages"].values()
    message = document["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
    assert message["payload"]["$ref"] == f"#/components/schemas/{topic.model.__name__}"
    schema = document["components"]["schemas"][topic.model.__name__]
    key = {"public_id"} if is_public(topic.name) else {"order_id", "reference"}
    assert {"event_id", "occurred_at"} | key <= set(schema["properties"])
    assert set(schema["required"]) >= key


def test_every_dead_letter_topic_is_documented(document) -> None:
    assert {f"dlq.{s}" for s in ("intake", "routing", "screening", "notifications")} <= set(
        document["channels"]
    )


def test_the_catalogue_explains_keys_headers_and_versioning(document) -> None:
    text = document["info"]["description"]
    assert "CloudEvents" in text and "order_id" in text and ".v2" in text


def test_every_event_field_is_described_with_an_example(document) -> None:
    """What subscribers read: the field descriptions and examples reach the payload schemas."""
    schemas = document["components"]["schemas"]
    objects = {name: s["properties"] for name, s in schemas.items() if "properties" in s}
    assert {t.model.__name__ for t in ALL} | {"Requester", "Location", "TalkDetails"} <= set(
        objects
    )
    undocumented = [
        f"{name}.{field}"
        for name, properties in objects.items()
        for field, schema in properties.items()
        if not (schema.get("description") and schema.get("examples"))
    ]
    assert undocumented == []
