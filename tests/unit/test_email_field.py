"""The contract's email address: `EmailStr`'s check where an address enters, and a cheaper
one for a message our own services wrote (`events.FROM_TOPIC`)."""

from __future__ import annotations

import pytest
from pydantic import EmailStr, TypeAdapter, ValidationError

from shared import events

EMAIL_STR = TypeAdapter(EmailStr)
EMAIL = TypeAdapter(events.Email)

ADDRESSES = [
    "mette@example.dk",
    "Mette.Hansen@EXAMPLE.DK",  # the domain is lower-cased
    "søren@æblegården.dk",  # international, kept as Unicode
    "Mette Hansen <mette@example.dk>",  # the display name is dropped
    "  mette@example.dk ",
]
REFUSED = [
    "",
    "mette",
    "mette@",
    "@example.dk",
    "mette@example",  # no dot in the domain
    "mette@@example.dk",
    "mette hansen@example.dk",
    "mette@localhost",
    "mette@example.invalid",  # a special-use domain
    "mette..hansen@example.dk",
    "x" * 250 + "@example.dk",  # too long for an address
]
MALFORMED = ["", "mette", "mette@", "@example.dk", "mette@example", "mette@@example.dk"]
MALFORMED += ["mette hansen@example.dk", "x" * 250 + "@example.dk"]


@pytest.mark.parametrize("address", ADDRESSES)
def test_an_entering_address_is_checked_and_normalised_as_emailstr(address: str) -> None:
    assert EMAIL.validate_python(address) == EMAIL_STR.validate_python(address)


@pytest.mark.parametrize("address", REFUSED)
def test_an_entering_address_is_refused_as_emailstr_refuses_it(address: str) -> None:
    with pytest.raises(ValidationError) as ours:
        EMAIL.validate_python(address)
    with pytest.raises(ValidationError) as theirs:
        EMAIL_STR.validate_python(address)
    assert ours.value.errors()[0]["msg"] == theirs.value.errors()[0]["msg"]


@pytest.mark.parametrize("address", ADDRESSES)
def test_from_a_topic_every_normalised_address_comes_back_as_written(address: str) -> None:
    normalised = EMAIL_STR.validate_python(address)
    assert EMAIL.validate_python(normalised, context=events.FROM_TOPIC) == normalised


@pytest.mark.parametrize("address", MALFORMED)
def test_from_a_topic_a_malformed_address_still_gets_the_whole_check(address: str) -> None:
    with pytest.raises(ValidationError, match="value is not a valid email address"):
        EMAIL.validate_python(address, context=events.FROM_TOPIC)


def test_an_order_from_a_topic_decodes_as_it_was_encoded() -> None:
    from tests.support import submitted_event

    event = submitted_event()
    wire = event.model_dump_json()
    assert events.OrderSubmitted.model_validate_json(wire, context=events.FROM_TOPIC) == event
    assert events.OrderSubmitted.model_validate_json(wire) == event


def test_the_schema_still_says_email() -> None:
    schema = events.Requester.model_json_schema()["properties"]["email"]
    assert (schema["type"], schema["format"]) == ("string", "email")
