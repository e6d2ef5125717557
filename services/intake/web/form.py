"""The start page and the order form: showing it, and handing a posted form to `accept_order`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.intake import service
from services.intake.context import ctx
from services.intake.domain import (
    HONEYPOT,
    PREFERRED_DATES,
    PostalCodes,
    check_form_rules,
    fill_from_postal_code,
    order_data_from_form,
)
from services.intake.field_errors import localized
from services.intake.http import BodyTooLargeError, correlation_id
from services.intake.settings import PageSettings
from services.intake.web.common import (
    CATEGORIES,
    LANGUAGES,
    Form,
    field_texts,
    first,
    options,
    other_language,
    page,
    place_errors,
    query_language,
    read_form,
    strings,
    too_large,
    url,
)
from shared import districts
from shared.references import is_uuid

router = APIRouter(include_in_schema=False)

_PLACE_FIELDS = (
    "location.address",
    "location.postal_code",
    "location.city",
    "location.municipality_code",
)
_YOU_FIELDS = (
    "requester.name",
    "requester.email",
    "requester.phone",
    "requester.organisation",
    HONEYPOT,
    "consent",
)
_DATES = tuple(f"details.preferred_dates.{i}" for i in range(PREFERRED_DATES))
#: Each form's inputs in the order the page shows them, which the error summary follows.
FORM_FIELDS: dict[str, tuple[str, ...]] = {
    "traffic_control": (
        "details.road",
        *_PLACE_FIELDS,
        "details.problem",
        "details.speed_limit_kmh",
        "details.time_of_day",
        "description",
        *_YOU_FIELDS,
    ),
    "talk": (
        "details.topic",
        "details.audience",
        "details.expected_attendees",
        "details.preferred_dates",
        *_DATES,
        "description",
        *_PLACE_FIELDS,
        *_YOU_FIELDS,
    ),
    "event_presence": (
        "details.event_name",
        "details.event_start",
        "details.event_end",
        "details.expected_attendees",
        "description",
        "details.venue",
        *_PLACE_FIELDS,
        *_YOU_FIELDS,
    ),
}


def _input_for(field: str, category: str, form: Form) -> str:
    """Which of the form's inputs an error about `field` (a path in the order) belongs to."""
    parts = field.split(".")
    if field.startswith("details.time_of_day"):
        return "details.time_of_day"
    if field.startswith("details.preferred_dates.") and len(parts) == 3 and parts[2].isdigit():
        filled = [i for i in range(PREFERRED_DATES) if first(form, f"details.preferred_dates.{i}")]
        index = int(parts[2])
        return f"details.preferred_dates.{filled[index]}" if index < len(filled) else field
    if field in ("location.lat", "location.lon"):
        return "details.road" if category == "traffic_control" else "location.postal_code"
    return field if field in FORM_FIELDS.get(category, ()) else ""


def _municipalities() -> list[tuple[str, str]]:
    return [(m.code, m.name) for m in districts.municipalities_sorted() if m.is_municipality]


def _map_config(request: Request) -> dict[str, str] | None:
    pages: PageSettings = request.app.state.pages
    if not pages.map_tile_url or "leaflet" not in request.app.state.vendor_versions:
        return None
    return {"tiles": pages.map_tile_url, "attribution": pages.map_attribution}


def _form_page(
    request: Request,
    language: str,
    category: str,
    form: Form,
    errors: Sequence[Mapping[str, Any]] = (),
    *,
    status_code: int = 200,
    rate_limited: int | None = None,
) -> HTMLResponse:
    texts = field_texts(language, category)
    by_field, summary = place_errors(
        errors,
        language,
        texts,
        lambda field: _input_for(field, category, form),
        FORM_FIELDS[category],
    )
    form_id = first(form, "form_id")
    map_config = _map_config(request) if category == "traffic_control" else None
    headers = {"Retry-After": str(rate_limited)} if rate_limited else None
    context = {
        "title": strings(language)["categories"][category]["form_title"],
        "category": category,
        "values": {name: values[0] if values else "" for name, values in form.items()},
        "chosen": {name: list(values) for name, values in form.items()},
        "errors": by_field,
        "summary": summary,
        "fields": texts,
        "form_id": form_id if is_uuid(form_id) else str(uuid.uuid4()),
        "honeypot": HONEYPOT,
        "options": options(language),
        "municipalities": _municipalities(),
        "preferred_dates": PREFERRED_DATES,
        "map": map_config,
        "municipality_lookup": map_config is not None
        and request.app.state.municipality_boundaries is not None,
        "postal_lookup": request.app.state.postal_codes is not None,
        "rate_limited": rate_limited,
        "deadlines": ctx(request).settings.deadlines,
        "scripts": ["leaflet"] if map_config else [],
    }
    return page(
        request,
        "form.html",
        language,
        context,
        status_code=status_code,
        switch_url=url("/", category=category, lang=other_language(language)),
        headers=headers,
        cache="private, no-cache" if not form else "no-store",
    )


@router.get("/", response_class=HTMLResponse)
async def order_form(request: Request) -> Response:
    """The start page (what can be ordered), or with `?category=` that category's form."""
    language = query_language(request)
    category = request.query_params.get("category")
    if category in CATEGORIES:
        return _form_page(request, language, category, {})
    errors: list[dict[str, Any]] = []
    # "Continue" pressed without a choice: an unchecked radio sends nothing, so the start
    # page's form also sends `choose`, which a first visit's address does not have.
    if category is not None or "choose" in request.query_params:
        errors = [{"field": "category", "type": "missing", "msg": localized("missing", language)}]
    by_field, summary = place_errors(errors, language, field_texts(language))
    t = strings(language)
    return page(
        request,
        "start.html",
        language,
        {
            "title": t["start"]["title"],
            "errors": by_field,
            "summary": summary,
            "categories": CATEGORIES,
            "deadlines": ctx(request).settings.deadlines,
        },
        status_code=422 if errors else 200,
    )


@router.get("/was")
async def accessibility_statement(request: Request) -> Response:
    """The accessibility statement, at the address Danish public websites give it (/was)."""
    pages: PageSettings = request.app.state.pages
    return RedirectResponse(pages.accessibility_statement_url, status_code=302)


@router.post("/", response_class=HTMLResponse)
async def submit_form(request: Request) -> Response:
    """Validate the posted form; a valid order is stored and the citizen sent to the receipt.

    An invalid form comes back with every error next to its field and the input kept; nothing
    of it is stored or logged. The form's hidden `form_id` is its idempotency key, so the same
    form posted twice (a double click, the back button) makes one order.
    """
    c = ctx(request)
    try:
        form = await read_form(request)
    except BodyTooLargeError:
        return too_large(request)
    language = first(form, "language")
    language = language if language in LANGUAGES else query_language(request)
    category = first(form, "category")
    if category not in CATEGORIES:
        return RedirectResponse(url("/", lang=language), status_code=303)
    client = c.client_key(request)
    if not c.limiter.allow(client):
        retry_after = c.limiter.retry_after(client)
        return _form_page(
            request, language, category, form, status_code=429, rate_limited=retry_after
        )
    submission = _submission(request, form, category, language)
    try:
        result = await service.accept_order(
            c.db,
            submission,
            settings=c.settings,
            now=c.clock(),
            postal_codes=request.app.state.postal_codes,
        )
    except service.InvalidOrderError as exc:
        return _form_page(request, language, category, form, exc.errors, status_code=422)
    c.runtime.relay.wake()
    return RedirectResponse(
        url(
            f"/receipt/{result.body['reference']}",
            token=result.body["status_token"],
            lang=language,
            again="1" if result.replayed else None,
        ),
        status_code=303,
    )


def _submission(request: Request, form: Form, category: str, language: str) -> service.Submission:
    """The form as the API's JSON, with the form's own checks and its idempotency key."""
    data = order_data_from_form(form, category, language)
    postal_codes: PostalCodes | None = request.app.state.postal_codes
    fill_from_postal_code(data, postal_codes)
    form_id = first(form, "form_id")
    key = f"form:{form_id}" if is_uuid(form_id) else None
    return service.Submission(
        data,
        language,
        correlation_id(request),
        idempotency_key=key,
        # The key alone identifies the form: a re-post after an edit still makes no second order.
        fingerprint=service.request_fingerprint(key.encode()) if key else "",
        channel_errors=check_form_rules(data, first(form, HONEYPOT)),
    )
