"""What the Open311 routes answer, as models for the published OpenAPI document only.

The answers themselves are written by `formats` (JSON and the spec's XML from one content);
these models describe the JSON, so that the document, and tests against it, say what comes.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: Every Open311 route's path ends in `.json` or `.xml`.
FORMAT_PARAMETER = {"enum": ["json", "xml"], "description": "The answer's format"}


class _Open311(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Open311Service(_Open311):
    """One service: a category of order."""

    service_code: str = Field(description="The category", examples=["traffic_control"])
    service_name: str = Field(description="Its name", examples=["Færdselskontrol"])
    description: str = Field(description="What it is for")
    metadata: bool = Field(description="Always true: every service has attributes")
    type: Literal["realtime"] = Field(description="The id is returned at once")
    keywords: str = Field(description="Comma-separated words that find it")
    group: str = Field(description="The group of services", examples=["Politi"])


class Open311Value(_Open311):
    key: str = Field(description="The value to send", examples=["speeding"])
    name: str = Field(description="What the citizen reads", examples=["Bilister kører for stærkt"])


class Open311Attribute(_Open311):
    """One question of a service: sent as `attribute[code]=value`."""

    variable: bool
    code: str = Field(examples=["road"])
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str | None
    order: int = Field(ge=1)
    description: str
    values: list[Open311Value] | None = Field(
        default=None, description="The allowed values of a singlevaluelist or multivaluelist"
    )


class Open311ServiceDefinition(_Open311):
    """A service's attributes."""

    service_code: str = Field(examples=["traffic_control"])
    attributes: list[Open311Attribute]


class Open311Created(_Open311):
    """The answer to a new request: its public id, never the citizen's reference."""

    service_request_id: str = Field(description="The order's public id (a UUID)")
    service_notice: str = Field(description="When the police district answers")
    account_id: None = None


class Open311Request(_Open311):
    """An order as the public may see it: no personal data, no free text."""

    service_request_id: str = Field(description="The order's public id (a UUID)")
    status: Literal["open", "closed"]
    status_notes: str = Field(description="The order's status in words", examples=["Modtaget"])
    service_name: str
    service_code: str
    description: str = Field(description="The service and the problem or topic chosen")
    agency_responsible: str | None = Field(description="The police district, once routed")
    service_notice: None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str | None = Field(description="The municipality, never the address")
    address_id: None
    zipcode: None
    lat: float | None = Field(description="Rounded to 0.01°, and only once closed")
    long: float | None = Field(description="Rounded to 0.01°, and only once closed")
    media_url: None


class Open311Error(_Open311):
    code: int = Field(description="The HTTP status", examples=[403])
    description: str = Field(description="What is wrong, in the caller's language")


def responses(ok: Any, *errors: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for an Open311 route: its answer and errors, each in JSON and XML."""
    xml = {"text/xml": {"schema": {"type": "string", "description": "The spec's XML"}}}
    described = {
        400: "The request cannot be fulfilled (the spec's 400)",
        403: "Missing or wrong api_key",
        404: "No such service, request or format",
        429: "Too many requests with this key a minute",
    }
    answers: dict[int | str, dict[str, Any]] = {200: {"model": ok, "content": xml}}
    for code in errors:
        answers[code] = {
            "model": list[Open311Error],
            "description": described[code],
            "content": xml,
        }
    return answers
