"""HTTP helpers shared by intake's JSON API and its pages: language, body limits, answers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from services.intake import follow_ups
from services.intake.context import IntakeContext
from services.intake.field_errors import from_error_details, localized
from shared import logs
from shared.http import correlation_id_from

#: Why a follow-up was not recorded when no order matches the reference and token.
NOT_FOUND = "not_found"

TEXT = {
    "invalid": (
        "Bestillingen indeholder fejl. Ret felterne og prøv igen.",
        "The order has errors. Correct the fields and try again.",
    ),
    "too_large": (
        "Bestillingen er for stor (højst 64 KiB).",
        "The order is too large (at most 64 KiB).",
    ),
    "message_invalid": (
        "Beskeden indeholder fejl. Ret felterne, og prøv igen.",
        "The message has errors. Correct the fields and try again.",
    ),
    "message_too_large": (
        "Beskeden er for stor (højst 64 KiB).",
        "The message is too large (at most 64 KiB).",
    ),
    "rate_limited": (
        "Du har sendt mange bestillinger på kort tid. Vent lidt, og prøv igen.",
        "You have sent many orders in a short time. Please wait a little and try again.",
    ),
    NOT_FOUND: ("Bestillingen blev ikke fundet.", "The order was not found."),
    "cannot_withdraw": (
        "Bestillingen kan ikke længere trækkes tilbage.",
        "The order can no longer be withdrawn.",
    ),
    "no_open_question": (
        "Politiet venter ikke på et svar fra dig lige nu.",
        "The police are not waiting for an answer from you right now.",
    ),
    "feedback_not_open": (
        "Du kan give en tilbagemelding én gang, når bestillingen er udført.",
        "You can give feedback once, after the order has been carried out.",
    ),
    "postal_code_unknown": ("Postnummeret kendes ikke.", "The postal code is not known."),
    "no_municipality_here": (
        "Stedet ligger ikke i en dansk kommune, eller tæt på en kommunegrænse.",
        "The place is not in a Danish municipality, or is close to a municipal border.",
    ),
    "idempotency_conflict": (
        "Idempotency-Key er allerede brugt til en anden bestilling.",
        "The Idempotency-Key was already used for a different order.",
    ),
}


def say(key: str, language: str) -> str:
    """One of the API's messages in the citizen's language."""
    da, en = TEXT[key]
    return da if language == "da" else en


class BodyTooLargeError(Exception):
    """The request body is over intake's limit; nothing of it is read further."""


def request_language(request: Request, declared: object = None) -> str:
    """The language the citizen chose, else what the browser prefers, else Danish."""
    if declared in ("da", "en"):
        return str(declared)
    if request.query_params.get("lang") in ("da", "en"):
        return str(request.query_params["lang"])
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else "da"


async def read_limited_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to be over `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError
        chunks.append(chunk)
    return b"".join(chunks)


def error_response(
    status: int, message: str, errors: list[dict[str, Any]] | None = None, **headers: str
) -> JSONResponse:
    """The API's error body: a message for people, field errors under `detail`."""
    body: dict[str, Any] = {"message": message}
    if errors is not None:
        body["detail"] = errors
    return JSONResponse(body, status_code=status, headers=headers or None)


def correlation_id(request: Request) -> str:
    """The request's correlation id, as `ObservedRequests` chose and echoes it (the caller's
    when it is a plain token, else a new one), so one order's events can be traced."""
    return logs.correlation_id.get() or correlation_id_from(
        request.headers.get("x-correlation-id", "")
    )


def json_error(kind: str, language: str) -> JSONResponse:
    """The 422 for a body that is no JSON we can read (`json_invalid`, `json_too_deep`)."""
    error = {"loc": [], "field": "", "type": kind, "msg": localized(kind, language)}
    return error_response(422, say("invalid", language), [error])


def parse_json(raw: bytes, language: str) -> Any | JSONResponse:
    """The body's JSON, or the localized 422: nesting beyond Python's recursion limit is a
    client's error like any other malformed body, never a 500."""
    try:
        return json.loads(raw)
    except RecursionError:
        return json_error("json_too_deep", language)
    except ValueError:
        return json_error("json_invalid", language)


async def request_validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own 422 (a parameter it validated), in the shape and the words of intake's
    errors; unlike FastAPI's default answer it never echoes the input."""
    language = request_language(request)
    details = exc.errors() if isinstance(exc, RequestValidationError) else []
    return error_response(422, say("invalid", language), from_error_details(details, language))


#: A citizen's follow-up use case with its own arguments bound (`functools.partial`):
#: called as `(db, reference, token, secrets, now=...)`.
FollowUp = Callable[..., Awaitable[object]]


async def follow_up(c: IntakeContext, reference: str, token: str, action: FollowUp) -> str | None:
    """Run a withdrawal, answer or feedback for the API and the pages alike.

    None when it was recorded; else why not: `NOT_FOUND`, or the refusal's reason, a key of
    the API's `TEXT` and of the pages' `status` words.
    """
    try:
        await action(c.db, reference, token, c.settings.links.verifying_secrets, now=c.clock())
    except follow_ups.OrderNotFoundError:
        return NOT_FOUND
    except follow_ups.FollowUpRefusedError as exc:
        return exc.reason
    c.runtime.relay.wake()
    return None
