"""Field errors in the citizen's language: pydantic's and intake's own, one wording each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from services.intake.domain import FieldError

MESSAGES: dict[str, tuple[str, str]] = {
    # type: (Danish, English)
    "missing": ("Feltet skal udfyldes.", "This field is required."),
    "string_too_short": ("Feltet skal udfyldes.", "This field is required."),
    "string_too_long": (
        "Teksten er for lang (højst {max_length} tegn).",
        "The text is too long (at most {max_length} characters).",
    ),
    "string_type": ("Skal være tekst.", "Must be text."),
    "int_parsing": ("Skal være et helt tal.", "Must be a whole number."),
    "int_type": ("Skal være et helt tal.", "Must be a whole number."),
    "int_from_float": ("Skal være et helt tal.", "Must be a whole number."),
    "float_parsing": ("Skal være et tal.", "Must be a number."),
    "greater_than_equal": ("Skal være mindst {ge}.", "Must be at least {ge}."),
    "less_than_equal": ("Må højst være {le}.", "Must be at most {le}."),
    "enum": ("Vælg en af de mulige værdier.", "Choose one of the allowed values."),
    "literal_error": ("Vælg en af de mulige værdier.", "Choose one of the allowed values."),
    "union_tag_invalid": ("Ukendt type bestilling.", "Unknown kind of order."),
    "union_tag_not_found": ("Vælg hvad du vil bestille.", "Choose what you want to order."),
    "datetime_parsing": ("Skriv et gyldigt tidspunkt.", "Enter a valid date and time."),
    "datetime_from_date_parsing": ("Skriv et gyldigt tidspunkt.", "Enter a valid date and time."),
    "timezone_aware": ("Tidspunktet skal have en tidszone.", "The time must include a time zone."),
    "date_parsing": ("Skriv en gyldig dato.", "Enter a valid date."),
    "date_from_datetime_parsing": ("Skriv en gyldig dato.", "Enter a valid date."),
    "too_long": ("Højst {max_length} valg.", "At most {max_length} choices."),
    "bool_parsing": ("Skal være ja eller nej.", "Must be yes or no."),
    "model_type": ("Ugyldigt indhold.", "Invalid content."),
    "dict_type": ("Ugyldigt indhold.", "Invalid content."),
    "list_type": ("Skal være en liste.", "Must be a list."),
    "json_invalid": ("Forespørgslen er ikke gyldig JSON.", "The request is not valid JSON."),
    "json_too_deep": (
        "Forespørgslens JSON er indlejret for dybt.",
        "The request's JSON is nested too deeply.",
    ),
    "hidden_characters": (
        "Teksten indeholder usynlige tegn eller kontroltegn, fx fra en kopieret tekst. "
        "Skriv den igen uden dem.",
        "The text contains invisible or control characters, e.g. from copied text. "
        "Type it again without them.",
    ),
    "email": (
        "Skriv en gyldig e-mailadresse, fx navn@eksempel.dk.",
        "Enter a valid email address, e.g. name@example.com.",
    ),
    "postal_code": ("Postnummeret skal være 4 cifre.", "The postal code must be 4 digits."),
    "unknown_postal_code": (
        "Postnummeret findes ikke i Danmark. Skriv postnummeret for stedet, fx 8000.",
        "There is no such postal code in Denmark. Enter the place's postal code, e.g. 8000.",
    ),
    "postal_code_abroad": (
        "0960 er postnummeret for udlandet. Du kan kun bestille til et sted i Danmark: "
        "skriv postnummeret for stedet.",
        "0960 is the postal code for addresses abroad. You can only order for a place in "
        "Denmark: enter the place's postal code.",
    ),
    "municipality_code": ("Vælg en kommune fra listen.", "Choose a municipality from the list."),
    "phone": ("Skriv et gyldigt telefonnummer.", "Enter a valid phone number."),
    "unknown_municipality": ("Vælg en kommune fra listen.", "Choose a municipality from the list."),
    "outside_denmark": ("Stedet skal ligge i Danmark.", "The place must be in Denmark."),
    "consent_required": (
        "Du skal give samtykke, før vi kan behandle din bestilling.",
        "You must give your consent before we can process your order.",
    ),
    "in_the_past": ("Tidspunktet skal ligge i fremtiden.", "The time must be in the future."),
    "event_too_soon": (
        "Arrangementet starter om mindre end {hours} timer, så vi kan ikke nå at behandle bestillingen. Ring til politiet på 114.",
        "The event starts in less than {hours} hours, too soon for us to process the order. Please call the police on 114.",
    ),
    "event_end_before_start": (
        "Sluttidspunktet skal ligge efter starttidspunktet.",
        "The end must be after the start.",
    ),
    "coordinates_pair": (
        "Angiv både breddegrad og længdegrad.",
        "Give both latitude and longitude.",
    ),
    "details_mismatch": (
        "Detaljerne passer ikke til den valgte type.",
        "The details do not match the chosen kind.",
    ),
    "value_error": ("Ugyldig værdi.", "Invalid value."),
    # the web form's own rules
    "choose_one": ("Vælg en af mulighederne.", "Choose one of the options."),
    "municipality_required": (
        "Vælg den kommune, stedet ligger i.",
        "Choose the municipality the place is in.",
    ),
    "honeypot_filled": (
        "Lad dette felt stå tomt, og send igen.",
        "Leave this field empty and send again.",
    ),
}

_PATTERN_FIELDS = {
    "postal_code": "postal_code",
    "municipality_code": "municipality_code",
    "phone": "phone",
}


def _type_for(err: ErrorDetails) -> str:
    loc = [str(p) for p in err["loc"]]
    kind = err["type"]
    msg = str(err.get("msg", ""))
    if loc == ["consent"] and kind in {"missing", "bool_parsing", "bool_type"}:
        return "consent_required"
    if kind == "json_invalid" and "recursion limit" in str((err.get("ctx") or {}).get("error")):
        return "json_too_deep"
    if kind == "string_pattern_mismatch":
        return next(
            (_PATTERN_FIELDS[p] for p in reversed(loc) if p in _PATTERN_FIELDS), "value_error"
        )
    if kind == "value_error":
        if "email" in loc[-1:]:
            return "email"
        if "event_end must be after" in msg:
            return "event_end_before_start"
        if "lat and lon" in msg:
            return "coordinates_pair"
        if "do not match" in msg:
            return "details_mismatch"
    return kind


def _field_path(loc: tuple[Any, ...] | list[Any]) -> list[str | int]:
    """Drop pydantic's union-member tags so paths read like the JSON the citizen sent."""
    return [p for p in loc if p not in {"traffic_control", "talk", "event_presence"}]


def localized(kind: str, language: str, ctx: dict[str, Any] | None = None) -> str:
    """An error type's wording in `language`, filled from pydantic's context where it has one."""
    da, en = MESSAGES.get(kind, MESSAGES["value_error"])
    text = da if language == "da" else en
    try:
        return text.format(**(ctx or {}))
    except (KeyError, IndexError):
        return text


def _entry(
    loc: list[str | int], kind: str, language: str, ctx: dict[str, Any] | None
) -> dict[str, Any]:
    # The model-level validators report at the model; point them at the field they concern.
    if kind == "event_end_before_start":
        loc = [*loc, "event_end"] if loc[-1:] != ["event_end"] else loc
    elif kind == "coordinates_pair":
        loc = [*loc, "lat"]
    elif kind == "details_mismatch":
        loc = ["details"]
    return {
        "loc": loc,
        "field": ".".join(str(p) for p in loc),
        "type": kind,
        "msg": localized(kind, language, ctx),
    }


def from_validation_error(exc: ValidationError, language: str) -> list[dict[str, Any]]:
    """Pydantic's errors as the citizen reads them: our wording, the field's path, no input."""
    return from_error_details(exc.errors(include_input=False, include_url=False), language)


def from_error_details(errors: Sequence[ErrorDetails], language: str) -> list[dict[str, Any]]:
    """Error details (pydantic's, or FastAPI's for a request) in the citizen's words: only
    the path, the type and our message go out, never the input or pydantic's own message."""
    out = []
    for err in errors:
        kind = _type_for(err)
        out.append(_entry(_field_path(err["loc"]), kind, language, err.get("ctx")))
    return out


def from_field_errors(errors: list[FieldError], language: str) -> list[dict[str, Any]]:
    """Intake's own rule errors in the same shape as pydantic's."""
    return [_entry(list(e.loc), e.type, language, e.ctx) for e in errors]
