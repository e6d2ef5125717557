"""Intake's JSON API (DESIGN §4): translates HTTP to use cases and errors to the citizen's language."""

from __future__ import annotations

import hmac
import json
import uuid
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from services.intake import service
from services.intake.context import IntakeContext, ctx
from services.intake.domain import (
    Feedback,
    FieldError,
    InfoAnswer,
    OrderRequest,
    PostalCodes,
    check_order_rules,
)
from services.intake.errors import from_field_errors, from_validation_error, localized

router = APIRouter(prefix="/api/v1", tags=["orders"])
M = TypeVar("M", bound=BaseModel)

TEXT = {
    "invalid": (
        "Bestillingen indeholder fejl. Ret felterne og prøv igen.",
        "The order has errors. Correct the fields and try again.",
    ),
    "too_large": (
        "Bestillingen er for stor (højst 64 KiB).",
        "The order is too large (at most 64 KiB).",
    ),
    "rate_limited": (
        "Du har sendt mange bestillinger på kort tid. Vent lidt, og prøv igen.",
        "You have sent many orders in a short time. Please wait a little and try again.",
    ),
    "not_found": ("Bestillingen blev ikke fundet.", "The order was not found."),
    "cannot_cancel": (
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
    "idempotency_conflict": (
        "Idempotency-Key er allerede brugt til en anden bestilling.",
        "The Idempotency-Key was already used for a different order.",
    ),
}


def say(key: str, language: str) -> str:
    da, en = TEXT[key]
    return da if language == "da" else en


class BodyTooLargeError(Exception):
    pass


def request_language(request: Request, declared: object = None) -> str:
    """The language the citizen chose, else what the browser prefers, else Danish."""
    if declared in ("da", "en"):
        return str(declared)
    if request.query_params.get("lang") in ("da", "en"):
        return str(request.query_params["lang"])
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else "da"


async def read_limited_body(request: Request, limit: int) -> bytes:
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
    body: dict[str, Any] = {"message": message}
    if errors is not None:
        body["detail"] = errors
    return JSONResponse(body, status_code=status, headers=headers or None)


def correlation_id(request: Request) -> str:
    given = request.headers.get("x-correlation-id", "")
    return given[:100] if given else str(uuid.uuid4())


async def accept_order(
    c: IntakeContext,
    request: Request,
    data: Any,
    raw: bytes,
    language: str,
    *,
    channel: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """Validate and submit; returns the HTTP status and body. Shared by the API and the form."""
    if isinstance(data, dict) and channel:
        data = {**data, "channel": channel}
    try:
        order = OrderRequest.model_validate(data)
    except ValidationError as exc:
        errors = from_validation_error(exc, language)
        if (
            isinstance(data, dict)
            and data.get("consent") is not True
            and "consent" not in {e["field"] for e in errors}
        ):
            errors.append(
                from_field_errors([FieldError(("consent",), "consent_required")], language)[0]
            )
        return 422, {"message": say("invalid", language), "detail": errors}
    now = c.clock()
    rule_errors = check_order_rules(order, now, c.settings.deadlines)
    if rule_errors:
        return 422, {
            "message": say("invalid", language),
            "detail": from_field_errors(rule_errors, language),
        }
    key = request.headers.get("idempotency-key")
    try:
        result = await service.submit_order(
            c.db,
            order,
            settings=c.settings,
            now=now,
            correlation_id=correlation_id(request),
            idempotency_key=key[:200] if key else None,
            fingerprint=service.request_fingerprint(raw),
        )
    except service.IdempotencyConflictError:
        return 409, {"message": say("idempotency_conflict", language)}
    c.runtime.relay.wake()
    return result.status_code, result.body


def api_channel(c: IntakeContext, request: Request, data: Any) -> str:
    """ "phone" only for screening's officers (who hold the shared key); everyone else "api"."""
    key = request.headers.get("x-phone-channel-key", "")
    wants_phone = isinstance(data, dict) and data.get("channel") == "phone"
    if (
        wants_phone
        and key
        and hmac.compare_digest(key.encode(), c.settings.phone_channel_key.encode())
    ):
        return "phone"
    return "api"


@router.post(
    "/orders",
    status_code=201,
    summary="Submit an order",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": OrderRequest.model_json_schema()}},
        }
    },
)
async def create_order(request: Request) -> JSONResponse:
    c = ctx(request)
    language = request_language(request)
    try:
        raw = await read_limited_body(request, c.settings.max_body_bytes)
    except BodyTooLargeError:
        return error_response(413, say("too_large", language))
    try:
        data = json.loads(raw)
    except ValueError:
        return error_response(
            422,
            say("invalid", language),
            [
                {
                    "loc": [],
                    "field": "",
                    "type": "json_invalid",
                    "msg": localized("json_invalid", language),
                }
            ],
        )
    language = request_language(request, data.get("language") if isinstance(data, dict) else None)
    client = c.client_key(request)
    if not c.limiter.allow(client):
        return error_response(
            429,
            say("rate_limited", language),
            None,
            **{"Retry-After": str(c.limiter.retry_after(client))},
        )
    status, body = await accept_order(
        c, request, data, raw, language, channel=api_channel(c, request, data)
    )
    headers = {"Location": f"/api/v1/orders/{body['reference']}"} if status == 201 else None
    return JSONResponse(body, status_code=status, headers=headers)


@router.get("/orders/{reference}", summary="An order's status and history, for its citizen")
async def get_order(request: Request, reference: str, token: str = "") -> JSONResponse:
    c = ctx(request)
    try:
        return JSONResponse(
            await service.order_status(c.db, reference, token, c.settings.links.status_link_secret)
        )
    except service.OrderNotFoundError:
        return error_response(404, say("not_found", request_language(request)))


class CancelRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


@router.post("/orders/{reference}/cancel", summary="Withdraw an order, unless it was carried out")
async def cancel(
    request: Request, reference: str, token: str = "", body: CancelRequest | None = None
) -> JSONResponse:
    c = ctx(request)
    language = request_language(request)
    try:
        await service.cancel_order(
            c.db,
            reference,
            token,
            c.settings.links.status_link_secret,
            now=c.clock(),
            reason=body.reason if body else None,
        )
    except service.OrderNotFoundError:
        return error_response(404, say("not_found", language))
    except service.CannotCancelError:
        return error_response(409, say("cannot_cancel", language))
    c.runtime.relay.wake()
    return JSONResponse(
        await service.order_status(c.db, reference, token, c.settings.links.status_link_secret)
    )


def _json_body(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


async def _parse(request: Request, model: type[M], language: str) -> M | JSONResponse:
    """A small JSON body as `model`, or the localized 413/422 answer."""
    try:
        raw = await read_limited_body(request, ctx(request).settings.max_body_bytes)
        return model.model_validate_json(raw)
    except BodyTooLargeError:
        return error_response(413, say("too_large", language))
    except ValidationError as exc:
        return error_response(422, say("invalid", language), from_validation_error(exc, language))


async def _status_body(c: IntakeContext, reference: str, token: str) -> dict[str, Any]:
    return await service.order_status(c.db, reference, token, c.settings.links.status_link_secret)


@router.post(
    "/orders/{reference}/answer",
    summary="Answer the officer's question (publishes orders.info-provided.v1)",
    openapi_extra=_json_body(InfoAnswer),
)
async def answer_question(request: Request, reference: str, token: str = "") -> JSONResponse:
    c = ctx(request)
    language = request_language(request)
    body = await _parse(request, InfoAnswer, language)
    if isinstance(body, JSONResponse):
        return body
    try:
        await service.provide_info(
            c.db,
            reference,
            token,
            c.settings.links.status_link_secret,
            now=c.clock(),
            answer=body.answer,
        )
    except service.OrderNotFoundError:
        return error_response(404, say("not_found", language))
    except service.NoOpenQuestionError:
        return error_response(409, say("no_open_question", language))
    c.runtime.relay.wake()
    return JSONResponse(await _status_body(c, reference, token))


@router.post(
    "/orders/{reference}/feedback",
    summary="After completion: did the citizen see the police, did it help (orders.feedback-received.v1)",
    openapi_extra=_json_body(Feedback),
)
async def give_feedback(request: Request, reference: str, token: str = "") -> JSONResponse:
    c = ctx(request)
    language = request_language(request)
    body = await _parse(request, Feedback, language)
    if isinstance(body, JSONResponse):
        return body
    try:
        await service.record_feedback(
            c.db,
            reference,
            token,
            c.settings.links.status_link_secret,
            now=c.clock(),
            feedback=body,
        )
    except service.OrderNotFoundError:
        return error_response(404, say("not_found", language))
    except service.FeedbackNotOpenError:
        return error_response(409, say("feedback_not_open", language))
    c.runtime.relay.wake()
    return JSONResponse(await _status_body(c, reference, token))


@router.get(
    "/postal-codes/{code}",
    summary="A postal code's name and municipalities, when postal data is configured",
)
async def postal_code(request: Request, code: str) -> JSONResponse:
    postal_codes: PostalCodes | None = getattr(request.app.state, "postal_codes", None)
    area = postal_codes.lookup(code) if postal_codes else None
    if area is None:
        return error_response(404, say("postal_code_unknown", request_language(request)))
    return JSONResponse(
        {
            "postal_code": area.postal_code,
            "name": area.name,
            "municipality_codes": list(area.municipality_codes),
        },
        headers={"Cache-Control": "public, max-age=86400"},
    )
