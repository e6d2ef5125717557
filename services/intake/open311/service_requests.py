"""Open311 POST requests: the spec's form fields become the order intake's JSON API takes, and
the order's field errors name the form's parameters. Also the words of every Open311 answer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.intake.domain import PostalCodes, fill_from_postal_code, local_datetime
from services.intake.open311.services_list import (
    ATTRIBUTES,
    Attribute,
    attribute,
    option_keys,
    service_code,
)
from shared.reference_data.boundaries import PolygonIndex
from shared.vocabulary import Category

_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_]{1,40})\](\[\])?$")
_POSTAL_CODE = re.compile(r"(?<!\d)(\d{4})(?!\d)")

TEXT = {
    "api_key": (
        "Manglende eller ugyldig api_key: bestillingen kan ikke modtages.",
        "Missing or invalid api_key: the request cannot be created.",
    ),
    "service_code_missing": ("service_code mangler.", "service_code was not provided."),
    "service_code_unknown": ("service_code findes ikke.", "service_code was not found."),
    "request_unknown": ("service_request_id findes ikke.", "service_request_id was not found."),
    "format": (
        "Formatet skal være .json eller .xml.",
        "The format must be .json or .xml.",
    ),
    "location": (
        "Angiv stedet med lat og long eller address_string.",
        "Give the place as lat and long, or as address_string.",
    ),
    "address_id": (
        "address_id kendes ikke her: angiv lat og long eller address_string.",
        "address_id is not known here: give lat and long, or address_string.",
    ),
    "coordinates": (
        "lat og long skal begge være tal i WGS84.",
        "lat and long must both be WGS84 numbers.",
    ),
    "attribute_unknown": (
        "{name}: tjenesten har ikke denne attribut.",
        "{name}: no such attribute.",
    ),
    "attribute_value": (
        "{name}: vælg en af de mulige værdier.",
        "{name}: choose an allowed value.",
    ),
    "attribute_repeated": ("{name}: kun én værdi.", "{name}: only one value."),
    "date": (
        "{name} skal være et tidspunkt i W3C-format med tidszone, fx 2026-01-01T00:00:00Z.",
        "{name} must be a W3C datetime with a time zone, e.g. 2026-01-01T00:00:00Z.",
    ),
    "span": (
        "start_date og end_date må højst ligge 90 dage fra hinanden, start før slut.",
        "start_date and end_date may span at most 90 days, start before end.",
    ),
    "status": ("status skal være open eller closed.", "status must be open or closed."),
    "too_large": ("Forespørgslen er for stor.", "The request is too large."),
    "rate_limited": (
        "For mange bestillinger på kort tid. Vent lidt, og prøv igen.",
        "Too many requests in a short time. Please wait a little and try again.",
    ),
    "idempotency_conflict": (
        "Idempotency-Key er allerede brugt til en anden bestilling.",
        "The Idempotency-Key was already used for a different request.",
    ),
    "notice": (
        "Politikredsen svarer senest {decision_due}. Borgeren får en kvittering med et link "
        "til bestillingens status på e-mail.",
        "The police district will answer by {decision_due}. The citizen receives a receipt "
        "with a link to the order's status by email.",
    ),
}


def say(key: str, language: str, **values: str) -> str:
    da, en = TEXT[key]
    return (da if language == "da" else en).format(**values)


class Open311Error(Exception):
    """A request the spec answers with errors: `status` (400, 403, 404) and descriptions."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(f"{status}: {'; '.join(descriptions)}")
        self.status = status
        self.descriptions = list(descriptions)


# --- POST requests: the form's fields as the API's order --------------------------------


@dataclass(frozen=True)
class Places:
    """What the reference data tells about a place: postal codes and municipality outlines."""

    postal_codes: PostalCodes | None = None
    municipalities: PolygonIndex | None = None


def _one(form: Mapping[str, list[str]], name: str) -> str:
    values = [v.strip() for v in form.get(name, []) if v.strip()]
    return values[0] if values else ""


def _attributes(
    category: Category, form: Mapping[str, list[str]], language: str
) -> dict[Attribute, list[str]]:
    """The `attribute[code]` (and `attribute[code][]`) values, each checked against the
    service's definition; unknown codes and values outside an option list are errors."""
    found: dict[Attribute, list[str]] = {}
    problems: list[str] = []
    for name, values in form.items():
        if not name.startswith("attribute"):
            continue
        match = _ATTRIBUTE.match(name)
        attr = attribute(category, match.group(1)) if match else None
        if attr is None:
            # Only a well-formed code is named: an error never repeats what was sent.
            shown = f"attribute[{match.group(1)}]" if match else "attribute"
            problems.append(say("attribute_unknown", language, name=shown))
            continue
        given = [v.strip() for v in values if v.strip()]
        if attr.datatype != "multivaluelist" and len(given) > 1:
            problems.append(say("attribute_repeated", language, name=f"attribute[{attr.code}]"))
        if attr.options and any(v not in option_keys(attr) for v in given):
            problems.append(say("attribute_value", language, name=f"attribute[{attr.code}]"))
        found.setdefault(attr, []).extend(given)
    if problems:
        raise Open311Error(400, *problems)
    return found


def _coordinates(form: Mapping[str, list[str]], language: str) -> tuple[float, float] | None:
    lat, lon = _one(form, "lat"), _one(form, "long")
    if not lat and not lon:
        return None
    try:
        return float(lat), float(lon)
    except ValueError:
        raise Open311Error(400, say("coordinates", language)) from None


def _postal_code_in(address: str, places: Places) -> str | None:
    """The postal code an address string ends with (the spec writes it most general last)."""
    for code in reversed(_POSTAL_CODE.findall(address)):
        if places.postal_codes is None or places.postal_codes.lookup(code):
            return code
    return None


def order_data(
    form: Mapping[str, list[str]], language: str, places: Places
) -> tuple[Category, dict[str, Any]]:
    """The category and the order as intake's JSON API takes it, from the spec's form fields.

    Consent is implied: an API key is given only to a partner who agreed to ask the citizen's
    consent before sending (docs: the Open311 terms). `media_url`, `device_id` and
    `account_id` are accepted and not kept: an order has no place for them.
    """
    code = _one(form, "service_code")
    if not code:
        raise Open311Error(400, say("service_code_missing", language))
    category = service_code(code)
    if category is None:
        raise Open311Error(404, say("service_code_unknown", language))
    attributes = _attributes(category, form, language)
    coordinates = _coordinates(form, language)
    address = _one(form, "address_string")
    if coordinates is None and not address:
        key = "address_id" if _one(form, "address_id") else "location"
        raise Open311Error(400, say(key, language))
    data: dict[str, Any] = {
        "category": category.value,
        "language": language,
        "requester": {},
        "location": {},
        "details": {},
        "consent": True,
        "channel": "api",
    }
    name = " ".join(p for p in (_one(form, "first_name"), _one(form, "last_name")) if p)
    for key, given in (
        ("name", name),
        ("email", _one(form, "email")),
        ("phone", _one(form, "phone")),
    ):
        if given:
            data["requester"][key] = given
    if description := "\n".join(v.strip() for v in form.get("description", []) if v.strip()):
        data["description"] = description
    location = data["location"]
    if address:
        location["address"] = address
    if coordinates:
        location["lat"], location["lon"] = coordinates
    for attr, values in attributes.items():
        if not values:
            continue
        value: Any = values if attr.datatype == "multivaluelist" else values[0]
        if attr.code == "preferred_dates":
            value = [d.strip() for d in value.split(",") if d.strip()]
        elif attr.datatype == "datetime":
            value = local_datetime(value)  # without a zone: Danish time, as on the form
        if attr.target == "order":
            data[attr.code] = value
        else:
            data[attr.target][attr.code] = value
    if "postal_code" not in location and address:
        if found := _postal_code_in(address, places):
            location["postal_code"] = found
    if coordinates and "municipality_code" not in location and places.municipalities:
        if at := places.municipalities.code_at(*coordinates):
            location["municipality_code"] = at
    fill_from_postal_code(data, places.postal_codes)
    return category, data


#: Where a field of the order came from in the spec's form, for its error's description.
_PARAMETERS = {
    "requester.name": "first_name/last_name",
    "requester.email": "email",
    "requester.phone": "phone",
    "description": "description",
    "location.address": "address_string",
    "location.lat": "lat",
    "location.lon": "long",
    "location.city": "address_string",
}


def parameter(field: str, category: Category) -> str:
    """The form parameter a field error of the order is about: `email`, `attribute[road]`…"""
    if field in _PARAMETERS:
        return _PARAMETERS[field]
    codes = {a.code for a in ATTRIBUTES[category]}
    parts = field.split(".")
    code = parts[1] if len(parts) > 1 and parts[0] != "description" else parts[0]
    return f"attribute[{code}]" if code in codes else field or "request"
