"""The three categories as Open311 services, and each one's attributes (its service definition).

Every attribute is a field of the category's details in `shared/events.py`, or one of the few
order fields Open311 has no parameter for (postal code, municipality, organisation, language).
Names, questions and option names are the order form's own words (`templates/strings/`), so
an Open311 client asks the citizen exactly what the form asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from services.intake.web.common import strings
from shared import districts
from shared.vocabulary import Category, TalkTopic, TimeOfDay, TrafficProblem

Datatype = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]


@dataclass(frozen=True)
class Attribute:
    """One attribute of a service definition, and where its value goes in the order."""

    code: str
    datatype: Datatype
    required: bool
    #: "details" (the category's details) or "location", "requester", "order" (the order itself)
    target: str
    #: The option list's name in the strings' `options`, for the list datatypes.
    options: str | None = None
    #: What the form says of it (`fields.<words>`), when the words are not `details.<code>`.
    words: str | None = None

    @property
    def words_key(self) -> str:
        return self.words or f"details.{self.code}"


_COMMON = (
    Attribute("postal_code", "string", True, "location", words="location.postal_code"),
    Attribute(
        "municipality_code",
        "singlevaluelist",
        False,
        "location",
        options="municipality",
        words="location.municipality_code",
    ),
    Attribute("organisation", "string", False, "requester", words="requester.organisation"),
    Attribute("language", "singlevaluelist", False, "order", options="language"),
)

ATTRIBUTES: dict[Category, tuple[Attribute, ...]] = {
    Category.TRAFFIC_CONTROL: (
        Attribute("road", "string", True, "details"),
        Attribute("problem", "singlevaluelist", True, "details", options="problem"),
        Attribute("speed_limit_kmh", "number", False, "details"),
        Attribute("time_of_day", "multivaluelist", False, "details", options="time_of_day"),
        *_COMMON,
    ),
    Category.TALK: (
        Attribute("topic", "singlevaluelist", True, "details", options="topic"),
        Attribute("audience", "string", True, "details"),
        Attribute("expected_attendees", "number", True, "details"),
        Attribute("preferred_dates", "string", False, "details"),
        *_COMMON,
    ),
    Category.EVENT_PRESENCE: (
        Attribute("event_name", "string", True, "details"),
        Attribute("event_start", "datetime", True, "details"),
        Attribute("event_end", "datetime", True, "details"),
        Attribute("expected_attendees", "number", True, "details"),
        Attribute("venue", "string", True, "details"),
        *_COMMON,
    ),
}

#: The option lists' keys (the contract's values), in the form's order.
_OPTION_KEYS: dict[str, tuple[str, ...]] = {
    "problem": tuple(p.value for p in TrafficProblem),
    "topic": tuple(t.value for t in TalkTopic),
    "time_of_day": tuple(t.value for t in TimeOfDay),
    "language": ("da", "en"),
}

#: What Open311 calls the value types the form only explains in words.
_FORMATS = {
    "number": ("Et helt tal.", "A whole number."),
    "datetime": (
        "Dato og klokkeslæt i ISO 8601, fx 2026-12-20T17:00:00+01:00; uden tidszone: dansk tid.",
        "Date and time in ISO 8601, e.g. 2026-12-20T17:00:00+01:00; without a time zone: "
        "Danish time.",
    ),
    "preferred_dates": (
        "Op til tre datoer (ÅÅÅÅ-MM-DD), adskilt af komma.",
        "Up to three dates (YYYY-MM-DD), separated by commas.",
    ),
    "language": (
        "Sproget i svarene til borgeren.",
        "The language of the answers to the citizen.",
    ),
    "language_description": ("Sprog", "Language"),
    "group": ("Politi", "Police"),
}


def _say(key: str, language: str) -> str:
    da, en = _FORMATS[key]
    return da if language == "da" else en


def service_code(code: str) -> Category | None:
    """The category a service code names, or None for a code that is not one of ours."""
    try:
        return Category(code)
    except ValueError:
        return None


def attribute(category: Category, code: str) -> Attribute | None:
    return next((a for a in ATTRIBUTES[category] if a.code == code), None)


def option_keys(attribute: Attribute) -> tuple[str, ...]:
    if attribute.options == "municipality":
        return tuple(m.code for m in districts.municipalities_sorted())
    return _OPTION_KEYS[attribute.options or ""]


def _values(attribute: Attribute, language: str) -> list[dict[str, str]]:
    if attribute.options == "municipality":
        return [{"key": m.code, "name": m.name} for m in districts.municipalities_sorted()]
    if attribute.options == "language":
        return [{"key": lang, "name": strings(lang)["lang_name"]} for lang in ("da", "en")]
    names = strings(language)["options"][attribute.options or ""]
    return [{"key": key, "name": names[key]} for key in option_keys(attribute)]


def _field_words(category: Category, attribute: Attribute, language: str) -> dict[str, Any]:
    """The form's label and hint for the field, in the words the category's form uses."""
    t = strings(language)
    key = attribute.words_key
    return {
        **t["fields"].get(key, {}),
        **t["fields_by_category"].get(category.value, {}).get(key, {}),
    }


def definition(category: Category, language: str) -> dict[str, Any]:
    """The spec's service definition: every attribute with its question and options."""
    attributes = []
    for order, attr in enumerate(ATTRIBUTES[category], start=1):
        hint: str | None
        if attr.code == "language":
            description, hint = _say("language_description", language), _say("language", language)
        else:
            words = _field_words(category, attr, language)
            description, hint = words.get("label", attr.code), words.get("hint") or None
        if attr.code == "preferred_dates":
            hint = _say("preferred_dates", language)
        elif attr.datatype == "datetime" or (attr.datatype == "number" and not hint):
            hint = _say(attr.datatype, language)
        entry: dict[str, Any] = {
            "variable": True,
            "code": attr.code,
            "datatype": attr.datatype,
            "required": attr.required,
            "datatype_description": hint,
            "order": order,
            "description": description,
        }
        if attr.options:
            entry["values"] = _values(attr, language)
        attributes.append(entry)
    return {"service_code": category.value, "attributes": attributes}


def service_name(category: Category, language: str) -> str:
    return str(strings(language)["categories"][category.value]["name"])


def service_list(language: str) -> list[dict[str, Any]]:
    """The spec's service list: one realtime service per category, each with a definition."""
    t = strings(language)
    services = []
    for category in Category:
        words = t["categories"][category.value]
        keywords = [words["lower"]]
        for attr in ATTRIBUTES[category]:
            if attr.options in ("problem", "topic"):
                keywords += [
                    v["name"].lower() for v in _values(attr, language) if v["key"] != "other"
                ]
        services.append(
            {
                "service_code": category.value,
                "service_name": words["name"],
                "description": words["hint"],
                "metadata": True,
                "type": "realtime",
                "keywords": ", ".join(keywords),
                "group": _say("group", language),
            }
        )
    return services
