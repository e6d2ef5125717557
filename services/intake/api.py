"""Intake's JSON API (DESIGN §4): translates HTTP to use cases and errors to the citizen's language."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from services.intake import follow_ups, service
from services.intake.context import IntakeContext, ctx
from services.intake.domain import (
    DK_LAT,
    DK_LON,
    CancelRequest,
    Feedback,
    InfoAnswer,
    OrderRequest,
    PostalCodes,
)
from services.intake.field_errors import from_validation_error
from services.intake.http import (
    NOT_FOUND,
    BodyTooLargeError,
    FollowUp,
    correlation_id,
    error_response,
    follow_up,
    parse_json,
    read_limited_body,
    request_language,
    say,
)
from services.intake.schemas import MunicipalityFound, OrderStatusView, PostalArea, Receipt
from shared import districts
from shared.api_models import complete_openapi, error_responses, json_body
from shared.reference_data.boundaries import PolygonIndex

router = APIRouter(prefix="/api/v1", tags=["orders"])
M = TypeVar("M", bound=BaseModel)


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


#: What every error of this API means; each route lists the ones it can answer.
ERRORS = {
    404: "No order with this reference and token (a wrong token never reveals the order)",
    409: "The order's state does not allow it, or the Idempotency-Key was used for another body",
    413: "The body is over 64 KiB",
    422: "The body or a parameter is invalid: `detail` names every field's error",
    429: "Too many orders from this client: wait the Retry-After seconds",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait",
        "schema": {"type": "integer", "examples": [30]},
    }
}
ORDER_EXAMPLE = {
    "category": "traffic_control",
    "language": "da",
    "requester": {"name": "Mette Hansen", "email": "mette@example.dk", "phone": "+4512345678"},
    "location": {
        "address": "Skolevej 12",
        "postal_code": "8000",
        "city": "Aarhus C",
        "municipality_code": "751",
    },
    "description": "Bilerne kører alt for stærkt forbi skolen om morgenen.",
    "details": {
        "category": "traffic_control",
        "road": "Skolevej mellem nr. 2 og 40",
        "problem": "speeding",
        "speed_limit_kmh": 40,
        "time_of_day": ["morning"],
    },
    "consent": True,
}
TOKEN = Query("", description="The order's status token, from the receipt or the email's link")


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return error_responses({code: ERRORS[code] for code in codes}, headers={429: RETRY_AFTER})


@router.post(
    "/orders",
    status_code=201,
    summary="Submit an order",
    response_model=Receipt,
    responses={
        201: {
            "description": "The order is stored; a retry with the same Idempotency-Key answers the same",
            "headers": {
                "Location": {
                    "description": "The order's status resource (add `?token=`)",
                    "schema": {"type": "string", "examples": ["/api/v1/orders/BEB-7K3M9QXZ"]},
                }
            },
        },
        **_errors(409, 413, 422, 429),
    },
    openapi_extra=json_body(OrderRequest, example=ORDER_EXAMPLE),
)
async def create_order(
    request: Request,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description=(
            "Any unique string (a UUID, say; the first 200 characters count): a retry with the "
            "same key and body returns the first answer, never a second order"
        ),
        examples=["0d3c8f5e-2b71-4a8e-9f60-3c5d7e1a2b94"],
    ),
) -> JSONResponse:
    # Citizens', partners' and screening's phone orders. (A comment: FastAPI publishes docstrings.)
    c = ctx(request)
    language = request_language(request)
    try:
        raw = await read_limited_body(request, c.settings.max_body_bytes)
    except BodyTooLargeError:
        return error_response(413, say("too_large", language))
    data = parse_json(raw, language)
    if isinstance(data, JSONResponse):
        return data
    language = request_language(request, data.get("language") if isinstance(data, dict) else None)
    client = c.client_key(request)
    if not c.limiter.allow(client):
        retry_after = str(c.limiter.retry_after(client))
        return error_response(
            429, say("rate_limited", language), None, **{"Retry-After": retry_after}
        )
    if isinstance(data, dict):
        data = {**data, "channel": api_channel(c, request, data)}
    key = idempotency_key
    submission = service.Submission(
        data,
        language,
        correlation_id(request),
        idempotency_key=key[:200] if key else None,
        fingerprint=service.request_fingerprint(raw),
    )
    try:
        result = await service.accept_order(
            c.db,
            submission,
            settings=c.settings,
            now=c.clock(),
            postal_codes=getattr(request.app.state, "postal_codes", None),
        )
    except service.InvalidOrderError as exc:
        return error_response(422, say("invalid", language), exc.errors)
    except service.IdempotencyConflictError:
        return error_response(409, say("idempotency_conflict", language))
    c.runtime.relay.wake()
    location = f"/api/v1/orders/{result.body['reference']}"
    headers = {"Location": location} if result.status_code == 201 else None
    return JSONResponse(result.body, status_code=result.status_code, headers=headers)


@router.get(
    "/orders/{reference}",
    summary="An order's status and history, for its citizen",
    response_model=OrderStatusView,
    responses=_errors(404, 422),
)
async def get_order(request: Request, reference: str, token: str = TOKEN) -> JSONResponse:
    c = ctx(request)
    try:
        return JSONResponse(await _status_body(c, reference, token))
    except follow_ups.OrderNotFoundError:
        return error_response(404, say(NOT_FOUND, request_language(request)))


async def _parse(
    request: Request, model: type[M], language: str, empty: M | None = None
) -> M | JSONResponse:
    """A small JSON body as `model` (`empty` for no body, when it may be left out), or the
    localized 413/422 answer, which names fields and never repeats what was sent."""
    try:
        raw = await read_limited_body(request, ctx(request).settings.max_body_bytes)
    except BodyTooLargeError:
        return error_response(413, say("message_too_large", language))
    if empty is not None and not raw.strip():
        return empty
    try:
        # pydantic's JSON parser refuses deep nesting itself (json_invalid), no recursion.
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = from_validation_error(exc, language)
        return error_response(422, say("message_invalid", language), errors)


async def _status_body(c: IntakeContext, reference: str, token: str) -> dict[str, Any]:
    return await follow_ups.order_status(c.db, reference, token, c.settings.links.verifying_secrets)


async def _followed_up(
    request: Request,
    reference: str,
    token: str,
    model: type[M],
    action: Callable[[M], FollowUp],
    empty: M | None = None,
) -> JSONResponse:
    """A follow-up, in this order: the token (a wrong one is the same 404 as a wrong link,
    before a byte of the body is read), the body (limited, parsed as `model`), the use case;
    then the order's status, or 404/409 when it cannot be recorded."""
    c = ctx(request)
    language = request_language(request)
    try:
        follow_ups.check_status_token(reference, token, c.settings.links.verifying_secrets)
    except follow_ups.OrderNotFoundError:
        return error_response(404, say(NOT_FOUND, language))
    body = await _parse(request, model, language, empty)
    if isinstance(body, JSONResponse):
        return body
    refusal = await follow_up(c, reference, token, action(body))
    if refusal:
        return error_response(404 if refusal == NOT_FOUND else 409, say(refusal, language))
    return JSONResponse(await _status_body(c, reference, token))


@router.post(
    "/orders/{reference}/cancel",
    summary="Withdraw an order, unless it was carried out",
    response_model=OrderStatusView,
    responses=_errors(404, 409, 413, 422),
    openapi_extra=json_body(CancelRequest, required=False),
)
async def cancel(request: Request, reference: str, token: str = TOKEN) -> JSONResponse:
    def action(body: CancelRequest) -> FollowUp:
        return partial(follow_ups.cancel_order, reason=body.reason)

    return await _followed_up(request, reference, token, CancelRequest, action, CancelRequest())


@router.post(
    "/orders/{reference}/answer",
    summary="Answer the officer's question (publishes orders.info-provided.v1)",
    response_model=OrderStatusView,
    responses=_errors(404, 409, 413, 422),
    openapi_extra=json_body(InfoAnswer),
)
async def answer_question(request: Request, reference: str, token: str = TOKEN) -> JSONResponse:
    def action(body: InfoAnswer) -> FollowUp:
        return partial(follow_ups.provide_info, answer=body.answer)

    return await _followed_up(request, reference, token, InfoAnswer, action)


@router.post(
    "/orders/{reference}/feedback",
    summary="After completion: did the citizen see the police, did it help (orders.feedback-received.v1)",
    response_model=OrderStatusView,
    responses=_errors(404, 409, 413, 422),
    openapi_extra=json_body(Feedback),
)
async def give_feedback(request: Request, reference: str, token: str = TOKEN) -> JSONResponse:
    def action(body: Feedback) -> FollowUp:
        return partial(follow_ups.record_feedback, feedback=body)

    return await _followed_up(request, reference, token, Feedback, action)


@router.get(
    "/postal-codes/{code}",
    summary="A postal code's name and municipalities, when postal data is configured",
    response_model=PostalArea,
    responses=error_responses({404: "No such postal code", 422: ERRORS[422]}),
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


@router.get(
    "/municipalities/at",
    summary="The municipality a WGS84 point lies in, from the municipalities' boundaries",
    response_model=MunicipalityFound,
    responses=error_responses(
        {404: "Not in a Danish municipality, or near a border", 422: ERRORS[422]}
    ),
)
async def municipality_at(
    request: Request,
    lat: float = Query(ge=DK_LAT[0], le=DK_LAT[1], description="Latitude, WGS84"),
    lon: float = Query(ge=DK_LON[0], le=DK_LON[1], description="Longitude, WGS84"),
) -> JSONResponse:
    # The map pin's suggestion on the form; near a border (500 m) nothing is suggested.
    boundaries: PolygonIndex | None = getattr(request.app.state, "municipality_boundaries", None)
    code = boundaries.code_at(lat, lon) if boundaries else None
    found = districts.municipality(code) if code else None
    if found is None:
        return error_response(404, say("no_municipality_here", request_language(request)))
    return JSONResponse(
        {"municipality_code": found.code, "name": found.name},
        headers={"Cache-Control": "public, max-age=86400"},
    )


PHONE_CHANNEL_KEY = {
    "type": "apiKey",
    "in": "header",
    "name": "X-Phone-Channel-Key",
    "description": (
        "Screening's shared key: with it (and `channel: phone` in the body) an order counts as "
        "taken by phone. Everyone else sends no key: the API is open to citizens and partners."
    ),
}


def _public_operations(document: dict[str, Any]) -> None:
    """Intake's API is open: every operation says so (`security: []`); a new order may carry
    screening's phone-channel key."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation.setdefault("security", [])
    document["paths"]["/api/v1/orders"]["post"]["security"] = [{}, {"PhoneChannelKey": []}]


def publish_openapi(app: FastAPI) -> None:
    """The published OpenAPI document of intake (docs/openapi/intake.json)."""
    complete_openapi(
        app,
        models=[OrderRequest, CancelRequest, InfoAnswer, Feedback],
        security_schemes={"PhoneChannelKey": PHONE_CHANNEL_KEY},
        servers=[{"url": "http://127.0.0.1:8001", "description": "A local run (`bestil dev`)"}],
        finish=_public_operations,
    )
