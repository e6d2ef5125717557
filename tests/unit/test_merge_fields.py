"""The merge-field vocabulary: filling in, catching typos, and reading a text without the name."""

from __future__ import annotations

import pytest

from services.screening.replies import default_template, merge_values
from shared.merge_fields import (
    FIELDS,
    NAME,
    PERSONAL,
    fill,
    greets_by_name,
    name_for,
    placeholder,
    unknown_fields,
    without_name,
)
from shared.vocabulary import Language, ReasonCode


def test_the_name_is_the_one_personal_field() -> None:
    assert FIELDS == ("navn", "reference", "emne", "kreds")
    assert PERSONAL == {NAME} and placeholder(NAME) == "{navn}"


def test_known_fields_with_values_are_filled_and_every_other_brace_is_left_alone() -> None:
    text = fill("Kære {navn} ({reference}) – {emne} {kreds} {ukendt}", {"reference": "BEB-1"})
    assert text == "Kære {navn} (BEB-1) – {emne} {kreds} {ukendt}"
    assert fill("{navn}", {"navn": "Mette Hansen"}) == "Mette Hansen"


def test_unknown_fields_are_the_likely_typos() -> None:
    assert unknown_fields("Hej {navn} og {nanv}, {name} og {nanv}") == ["name", "nanv"]
    assert unknown_fields("Ingen felter, kun {} og { mellemrum }") == []


@pytest.mark.parametrize(
    ("name", "language", "shown"),
    [
        ("Mette Hansen", Language.DA, "Mette Hansen"),
        ("  ", Language.DA, "borger"),
        (None, Language.EN, "citizen"),
        ("", "en", "citizen"),
    ],
    ids=["known", "blank-da", "none-en", "empty-en-as-text"],
)
def test_the_name_falls_back_to_a_neutral_word(name, language, shown) -> None:
    assert name_for(name, language) == shown


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("Kære {navn}\n\nTak for din bestilling.", "Tak for din bestilling."),
        ("Dear {navn},\nThank you for your order.", "Thank you for your order."),
        ("Hej {navn}! Vi kommer i næste uge.", "Vi kommer i næste uge."),
        ("Kære {navn}. Vi kan ikke komme.", "Vi kan ikke komme."),
        ("{navn}, vi kommer tirsdag.", "Vi kommer tirsdag."),
        ("Tak, {navn}, for din bestilling.", "Tak for din bestilling."),
        ("Thank you, {navn}.", "Thank you."),
        ("Tak for hjælpen {navn}!", "Tak for hjælpen!"),
        ("Vi takker {navn} for beskeden.", "Vi takker for beskeden."),
        ("Svar os, {navn}: hvornår er det værst?", "Svar os: hvornår er det værst?"),
        ("Vi kommer.\n\nKære {navn}\n\n\nHilsen", "Vi kommer.\n\nHilsen"),
        ("{navn}", ""),
        ("Ingen navn, {reference} og {kreds}.", "Ingen navn, {reference} og {kreds}."),
        ("Hello {navn} and goodbye", "Hello and goodbye"),
    ],
    ids=[
        "salutation-line-da",
        "salutation-line-en",
        "salutation-in-line",
        "salutation-with-full-stop",
        "address-first",
        "address-between-commas",
        "address-last",
        "address-without-comma",
        "object",
        "before-colon",
        "blank-lines-collapse",
        "only-the-name",
        "no-name-untouched",
        "no-punctuation",
    ],
)
def test_a_text_reads_naturally_without_the_name(written: str, read: str) -> None:
    assert without_name(written) == read


@pytest.mark.parametrize(
    ("text", "greets"),
    [
        ("Kære {navn}\n\nTak for din bestilling.", True),
        ("  Dear {navn},\nThank you.", True),
        ("Hej {navn}. Vi kommer.", True),
        ("{navn}: vi kommer.", True),
        ("Tak, {navn}, for din bestilling.", False),
        ("Tak for din bestilling.\n\nKære {navn}", False),
        ("Kære borger", False),
    ],
    ids=["da", "en-indented", "same-line", "bare-name", "name-inside", "later-line", "no-name"],
)
def test_a_text_greets_by_name_only_when_it_opens_with_the_salutation(
    text: str, greets: bool
) -> None:
    assert greets_by_name(text) is greets


@pytest.mark.parametrize("reason", list(ReasonCode), ids=str)
@pytest.mark.parametrize(
    ("language", "opening"),
    [(Language.DA, "Tak for din bestilling BEB-1 om "), (Language.EN, "Thank you for your order")],
    ids=["da", "en"],
)
def test_every_default_reply_opens_with_thanks_and_leaves_the_greeting_to_the_email(
    reason: ReasonCode, language: Language, opening: str
) -> None:
    content = {"category": "talk", "details": {"topic": "cyber_crime"}}
    sent = fill(default_template(reason, language), merge_values(content, "BEB-1", "X", language))
    assert "{navn}" not in sent and not greets_by_name(sent)  # the email greets by name
    assert sent.startswith(opening) and "{" not in sent
    assert without_name(sent) == sent and sent.endswith("\nX")
