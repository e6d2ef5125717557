"""Open311 GeoReport v2 under /open311/v2/: translates the spec's requests to intake's use cases.

Every route answers in the format its suffix names (`.json`, `.xml`) and every error as the
spec's list of {code, description}: 400 for a request that cannot be fulfilled, 403 for a
missing or wrong API key, 404 for what does not exist.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from services.intake import service
from services.intake.context import IntakeContext, ctx
from services.intake.http import (
    BodyTooLargeError,
    correlation_id,
    read_limited_body,
    request_language,
)
from services.intake.open311 import formats
from services.intake.open311.formats import Format
from services.intake.open311.reading import PublicIds, find_orders, parse_query, public_request
from services.intake.open311.schemas import (
    FORMAT_PARAMETER,
    Open311Created,
    Open311Request,
    Open311Service,
    Open311ServiceDefinition,
    responses,
)
from services.intake.open311.service_requests import (
    Open311Error,
    Places,
    order_data,
    parameter,
    say,
)
from services.intake.open311.services_list import definition, service_code, service_list
from shared.danish_time import COPENHAGEN
from shared.public_ids import public_id

router = APIRouter(prefix="/open311/v2", tags=["open311"], default_response_class=Response)
#: GET requests' filters, read by the route itself so that a bad one is the spec's 400.
QUERY_PARAMETERS = [
    {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
    for name in ("service_request_id", "service_code", "start_date", "end_date", "status")
]
#: The `.json` or `.xml` every path ends in (anything else: 404, in XML).
FMT = Path(json_schema_extra=FORMAT_PARAMETER)

#: Form fields one request may have: the spec's dozen and the attributes, with room to spare.
MAX_FIELDS = 100
#: The services change only with a release.
CACHE = "public, max-age=3600"


def _format(fmt: str) -> Format | None:
    return "json" if fmt == "json" else "xml" if fmt == "xml" else None


def _failed(fmt: Format, exc: Open311Error, **headers: str) -> Response:
    return formats.errors_answer(fmt, exc.status, exc.descriptions, **headers)


def _bad_format(request: Request) -> Response:
    # XML is the format every GeoReport client reads.
    return formats.errors_answer("xml", 404, [say("format", request_language(request))])


@router.get(
    "/services.{fmt}",
    summary="Open311: the services (the three categories)",
    responses=responses(list[Open311Service], 404),
)
async def get_services(request: Request, fmt: str = FMT) -> Response:
    f = _format(fmt)
    if f is None:
        return _bad_format(request)
    return formats.answer(f, "services", service_list(request_language(request)), cache=CACHE)


@router.get(
    "/services/{code}.{fmt}",
    summary="Open311: a service's definition (its attributes)",
    responses=responses(Open311ServiceDefinition, 404),
)
async def get_service_definition(request: Request, code: str, fmt: str = FMT) -> Response:
    f = _format(fmt)
    if f is None:
        return _bad_format(request)
    language = request_language(request)
    category = service_code(code)
    if category is None:
        return formats.errors_answer(f, 404, [say("service_code_unknown", language)])
    return formats.answer(
        f,
        "service_definition",
        definition(category, language),
        cache=CACHE,
    )


def _key_accepted(c: IntakeContext, given: str) -> bool:
    # Every key is compared, in constant time, so the answer's timing tells nothing.
    matched = False
    for key in c.settings.open311_keys:
        matched |= hmac.compare_digest(given.encode(), key.encode())
    return bool(given) and matched


def _form(raw: bytes) -> dict[str, list[str]]:
    return parse_qs(
        raw.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=MAX_FIELDS
    )


@router.post(
    "/requests.{fmt}",
    summary="Open311: create a service request (an order)",
    description="Form-encoded (application/x-www-form-urlencoded), as GeoReport v2 says: "
    "`api_key`, `service_code`, `lat` and `long` or `address_string`, `first_name`, "
    "`last_name`, `email`, `phone`, `description` and `attribute[code]=value` for the "
    "service definition's attributes (`attribute[code][]=…` for a multivaluelist). An "
    "`Idempotency-Key` header makes a retry return the first answer.",
    responses=responses(list[Open311Created], 400, 403, 404, 429),
)
async def post_request(request: Request, fmt: str = FMT) -> Response:
    # Form-encoded as the spec says; an API key (in the form or the query) is required.
    f = _format(fmt)
    if f is None:
        return _bad_format(request)
    c = ctx(request)
    language = request_language(request)
    try:
        raw = await read_limited_body(request, c.settings.max_body_bytes)
        form = _form(raw)
    except (BodyTooLargeError, ValueError):
        return formats.errors_answer(f, 400, [say("too_large", language)])
    given = (form.get("api_key") or [request.query_params.get("api_key", "")])[0]
    if not _key_accepted(c, given):
        return formats.errors_answer(f, 403, [say("api_key", language)])
    if (form.get("attribute[language]") or [""])[0] in ("da", "en"):
        language = form["attribute[language]"][0]
    limit_key = "open311:" + hashlib.sha256(given.encode()).hexdigest()[:16]
    if not c.limiter.allow(limit_key):
        retry_after = str(c.limiter.retry_after(limit_key))
        return formats.errors_answer(
            f, 429, [say("rate_limited", language)], **{"Retry-After": retry_after}
        )
    places = Places(
        getattr(request.app.state, "postal_codes", None),
        getattr(request.app.state, "municipality_boundaries", None),
    )
    try:
        category, data = order_data(form, language, places)
    except Open311Error as exc:
        return _failed(f, exc)
    key = request.headers.get("idempotency-key")
    submission = service.Submission(
        data,
        language,
        correlation_id(request),
        idempotency_key=f"open311:{key[:190]}" if key else None,
        fingerprint=service.request_fingerprint(raw),
    )
    try:
        result = await service.accept_order(
            c.db, submission, settings=c.settings, now=c.clock(), postal_codes=places.postal_codes
        )
    except service.InvalidOrderError as exc:
        described = [f"{parameter(e['field'], category)}: {e['msg']}" for e in exc.errors]
        return formats.errors_answer(f, 400, list(dict.fromkeys(described)))
    except service.IdempotencyConflictError:
        return formats.errors_answer(f, 400, [say("idempotency_conflict", language)])
    c.runtime.relay.wake()
    return formats.answer(f, "service_requests", [_created(result.body, language)])


def _created(receipt: dict[str, Any], language: str) -> dict[str, Any]:
    """The spec's answer to a POST: the public id (never the citizen's reference) and a notice."""
    due = datetime.fromisoformat(receipt["decision_due"]).astimezone(COPENHAGEN)
    return {
        "service_request_id": str(public_id(receipt["order_id"])),
        "service_notice": say("notice", language, decision_due=due.strftime("%d.%m.%Y")),
        "account_id": None,
    }


def _public_ids(request: Request) -> PublicIds:
    ids: PublicIds | None = getattr(request.app.state, "open311_public_ids", None)
    if ids is None:
        ids = request.app.state.open311_public_ids = PublicIds()
    return ids


@router.get(
    "/requests.{fmt}",
    summary="Open311: service requests, by the spec's filters",
    description="Filters: `service_request_id` (comma-separated; overrides the others), "
    "`service_code`, `start_date`, `end_date` (W3C, at most 90 days apart; default the last "
    "90 days), `status` (`open`, `closed`). At most 1000, newest first.",
    responses=responses(list[Open311Request], 400, 404),
    openapi_extra={"parameters": QUERY_PARAMETERS},
)
async def get_requests(request: Request, fmt: str = FMT) -> Response:
    f = _format(fmt)
    if f is None:
        return _bad_format(request)
    c = ctx(request)
    language = request_language(request)
    try:
        query = parse_query(request.query_params, c.clock(), language)
    except Open311Error as exc:
        return _failed(f, exc)
    async with c.db.reading() as session:
        if query.ids is None:
            orders = await find_orders(session, query)
        else:
            ids = await _public_ids(request).order_ids(session, query.ids) if query.ids else []
            orders = await find_orders(session, query, ids) if ids else []
    return formats.answer(f, "service_requests", [public_request(o, language) for o in orders])


@router.get(
    "/requests/{request_id}.{fmt}",
    summary="Open311: one service request",
    responses=responses(list[Open311Request], 404),
)
async def get_request(request: Request, request_id: str, fmt: str = FMT) -> Response:
    f = _format(fmt)
    if f is None:
        return _bad_format(request)
    c = ctx(request)
    language = request_language(request)
    query = parse_query({"service_request_id": request_id}, c.clock(), language)
    orders = []
    if query.ids:
        async with c.db.reading() as session:
            ids = await _public_ids(request).order_ids(session, query.ids[:1])
            orders = await find_orders(session, query, ids) if ids else []
    if not orders:
        return formats.errors_answer(f, 404, [say("request_unknown", language)])
    return formats.answer(f, "service_requests", [public_request(orders[0], language)])
