"""Every field of every event, nested parts included, tells a subscriber what it means and
shows a value that the contract itself accepts."""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field, TypeAdapter
from pydantic.fields import FieldInfo

from shared.topics import ALL


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The models an annotation mentions, through unions, lists and `Annotated`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _contract_models() -> list[type[BaseModel]]:
    """Each topic's event model and every model nested in its fields, once each."""
    found: list[type[BaseModel]] = []
    pending: list[type[BaseModel]] = [topic.model for topic in ALL]
    while pending:
        model = pending.pop(0)
        if model not in found:
            found.append(model)
            for field in model.model_fields.values():
                pending.extend(_models_in(field.annotation))
    return found


MODELS = _contract_models()
FIELDS = [(model, name, field) for model in MODELS for name, field in model.model_fields.items()]
FIELD_IDS = [f"{model.__name__}.{name}" for model, name, _ in FIELDS]


def _adapter(field: FieldInfo) -> TypeAdapter[Any]:
    """The field's type with its constraints and union tag, validated as the model would."""
    tag = [Field(discriminator=field.discriminator)] if field.discriminator else []
    metadata = [*field.metadata, *tag]
    target: Any = Annotated[(field.annotation, *metadata)] if metadata else field.annotation
    return TypeAdapter(target)


def test_the_walk_reaches_the_nested_parts_of_an_order() -> None:
    names = {model.__name__ for model in MODELS}
    assert {topic.model.__name__ for topic in ALL} <= names
    assert {
        "Requester",
        "Location",
        "TrafficControlDetails",
        "TalkDetails",
        "EventPresenceDetails",
    } <= names


@pytest.mark.parametrize(("model", "name", "field"), FIELDS, ids=FIELD_IDS)
def test_every_field_has_a_description(model, name, field) -> None:
    assert field.description and field.description.strip()


@pytest.mark.parametrize(("model", "name", "field"), FIELDS, ids=FIELD_IDS)
def test_every_field_has_an_example_the_field_accepts_on_the_wire(model, name, field) -> None:
    assert field.examples, "no example"
    adapter = _adapter(field)
    for example in field.examples:
        adapter.validate_json(json.dumps(example))


def test_example_email_addresses_are_plainly_fake() -> None:
    examples = json.dumps([field.examples for _, _, field in FIELDS])
    addresses = re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", examples)
    assert addresses
    assert all(re.search(r"@example\.(dk|com|org)$", a) for a in addresses), addresses


def test_a_bad_example_would_be_caught() -> None:
    """The check above is not vacuous: constraints and the union's tag are part of it."""
    fields = {(model.__name__, name): field for model, name, field in FIELDS}
    with pytest.raises(ValueError):
        _adapter(fields["Location", "lat"]).validate_json("91")
    with pytest.raises(ValueError):
        _adapter(fields["OrderSubmitted", "reference"]).validate_json('"BEB-ILOU0000"')
    with pytest.raises(ValueError):
        _adapter(fields["OrderSubmitted", "details"]).validate_json(
            '{"category": "talk", "road": "Skolevej", "problem": "speeding"}'
        )
