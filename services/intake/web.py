"""Intake's pages for citizens: the order form, the receipt and the status page (DESIGN §4).

Server-rendered and complete without JavaScript (script only adds a map pin and fills the
municipality from the postal code). The words come from one strings table per language,
`templates/strings/<language>.json`, so each page is written once for both languages.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.intake import service
from services.intake.api import (
    BodyTooLargeError,
    CancelRequest,
    correlation_id,
    read_limited_body,
)
from services.intake.assets import TEMPLATES_DIR
from services.intake.context import IntakeContext, ctx
from services.intake.domain import (
    HONEYPOT,
    PREFERRED_DATES,
    Feedback,
    FieldError,
    InfoAnswer,
    OrderRequest,
    PostalCodes,
    check_form_rules,
    check_order_rules,
    fill_from_postal_code,
    order_data_from_form,
)
from services.intake.errors import from_field_errors, from_validation_error, localized
from shared import districts
from shared.clock import as_utc
from shared.deadlines import COPENHAGEN
from shared.references import status_url
from shared.settings import ReferenceDataSettings
from shared.vocabulary import (
    Category,
    OrderStatus,
    TalkTopic,
    TimeOfDay,
    TrafficProblem,
)

LANGUAGES = ("da", "en")
CATEGORIES = tuple(c.value for c in Category)


class PageSettings(BaseSettings):
    """What the citizens' pages need besides intake's settings (`BESTIL_INTAKE_…`)."""

    model_config = SettingsConfigDict(env_prefix="BESTIL_INTAKE_", extra="ignore")

    map_tile_url: str = Field(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        description="Leaflet tile URL template for the road-stretch map; empty: no map",
    )
    map_attribution: str = Field(
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
        description="The tile provider's attribution (HTML), shown on the map",
    )
    node_modules: Path | None = Field(
        None, description="Where `npm ci` installed the front-end packages (default: the repo's)"
    )
    reference: ReferenceDataSettings = Field(default_factory=ReferenceDataSettings)


# --- words and dates --------------------------------------------------------------------


@cache
def strings(language: str) -> dict[str, Any]:
    """The words of every page in one language."""
    path = TEMPLATES_DIR / "strings" / f"{language}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _local(moment: datetime | str) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return as_utc(moment).astimezone(COPENHAGEN)


def format_date(moment: datetime | date | str, t: Mapping[str, Any]) -> str:
    """A date as people write it: "9. december 2026" / "9 December 2026" (Danish time)."""
    if isinstance(moment, str) and len(moment) == 10:
        moment = date.fromisoformat(moment)
    day = moment if isinstance(moment, date) and not isinstance(moment, datetime) else None
    day = day or _local(moment).date()  # type: ignore[arg-type]
    words = t["dates"]
    return words["date"].format(day=day.day, month=words["months"][day.month - 1], year=day.year)


def _clock(local: datetime, t: Mapping[str, Any]) -> str:
    return f"{local.hour:02d}{t['dates']['time_separator']}{local.minute:02d}"


def format_datetime(moment: datetime | str, t: Mapping[str, Any]) -> str:
    """A moment in Danish time: "9. december 2026 kl. 14.00" / "9 December 2026 at 14:00"."""
    local = _local(moment)
    return t["dates"]["datetime"].format(date=format_date(local, t), time=_clock(local, t))


def format_period(start: datetime | str, end: datetime | str | None, t: Mapping[str, Any]) -> str:
    """A planned time; one day reads "9. december 2026 kl. 14.00–16.00"."""
    if not end:
        return format_datetime(start, t)
    first, last = _local(start), _local(end)
    if first.date() == last.date():
        return t["dates"]["same_day_period"].format(
            date=format_date(first, t), start=_clock(first, t), end=_clock(last, t)
        )
    return f"{format_datetime(first, t)} – {format_datetime(last, t)}"


def field_id(name: str) -> str:
    """An input's id from its name: "requester.email" -> "requester-email"."""
    return name.replace(".", "-")


_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["fid"] = field_id
templates = Jinja2Templates(env=_env)
router = APIRouter(include_in_schema=False)


# --- rendering --------------------------------------------------------------------------


def _tile_origin(url: str) -> str:
    netloc = urlsplit(url).netloc
    if not netloc:
        return ""
    return f"{urlsplit(url).scheme}://{netloc.replace('{s}', '*')}"


def _security_headers(pages: PageSettings, cache: str) -> dict[str, str]:
    images = " ".join(filter(None, ["'self'", "data:", _tile_origin(pages.map_tile_url)]))
    return {
        # Status links carry their token: no page may leak its address to a tile server.
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": (
            f"default-src 'self'; img-src {images}; script-src 'self'; "
            "style-src 'self'; font-src 'self'; connect-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Cache-Control": cache,
    }


def _query_language(request: Request, fallback: str = "da") -> str:
    lang = request.query_params.get("lang")
    return lang if lang in LANGUAGES else fallback


def _url(path: str, **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{path}?{query}" if query else path


def _page(
    request: Request,
    template: str,
    language: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    switch_url: str | None = None,
    headers: Mapping[str, str] | None = None,
    cache: str = "no-store",
) -> HTMLResponse:
    """A page in `language`. Pages showing what a citizen typed or ordered are never stored
    (`no-store`); an empty form may be, so that the back button brings back the same form."""
    other = "en" if language == "da" else "da"
    if switch_url is None:
        params = dict(request.query_params)
        params["lang"] = other
        switch_url = _url(request.url.path, **params)
    full = {
        "t": strings(language),
        "lang": language,
        "other_lang": other,
        "other_lang_name": strings(other)["lang_name"],
        "switch_url": switch_url,
        "vendor": request.app.state.vendor_versions,
        "summary": [],
        "scripts": [],
        **context,
    }
    response = templates.TemplateResponse(request, template, full, status_code=status_code)
    response.headers.update(_security_headers(request.app.state.pages, cache))
    if headers:
        response.headers.update(headers)
    return response


def _message_page(
    request: Request, language: str, title: str, text: str, status_code: int
) -> HTMLResponse:
    return _page(
        request, "message.html", language, {"title": title, "text": text}, status_code=status_code
    )


def _not_found(request: Request, language: str) -> HTMLResponse:
    t = strings(language)
    return _message_page(
        request, language, t["errors"]["not_found_title"], t["errors"]["not_found"], 404
    )


async def _read_form(request: Request) -> dict[str, list[str]]:
    """The posted form (application/x-www-form-urlencoded), within intake's size limit."""
    raw = await read_limited_body(request, ctx(request).settings.max_body_bytes)
    try:
        return parse_qs(
            raw.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=200
        )
    except ValueError as exc:  # more fields than any form of ours has
        raise BodyTooLargeError from exc


def _first(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


# --- the order form ---------------------------------------------------------------------

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
#: Radio and checkbox groups: the value whose input an error link jumps to.
_GROUPS = {
    "details.problem": TrafficProblem.SPEEDING.value,
    "details.topic": TalkTopic.BURGLARY_PREVENTION.value,
    "details.time_of_day": TimeOfDay.MORNING.value,
    "carried_out_seen": "yes",
    "rating": "1",
    "category": CATEGORIES[0],
}


def field_texts(language: str, category: str | None = None) -> dict[str, dict[str, str]]:
    """Each field's label and hint, with the category's own wording where it has one."""
    t = strings(language)
    texts = {name: dict(text) for name, text in t["fields"].items()}
    for name, text in t["fields_by_category"].get(category or "", {}).items():
        texts[name] = {**texts.get(name, {}), **text}
    return texts


def anchor(name: str) -> str:
    """The id an error-summary link jumps to: the field's input, or a group's first one."""
    if name in _GROUPS:
        return f"{field_id(name)}-{_GROUPS[name]}"
    if name == "details.preferred_dates":
        return field_id(f"{name}.0")
    return field_id(name)


def _input_for(field: str, category: str, form: Mapping[str, Sequence[str]]) -> str:
    """Which of the form's inputs an error about `field` (a path in the order) belongs to."""
    parts = field.split(".")
    if field.startswith("details.time_of_day"):
        return "details.time_of_day"
    if field.startswith("details.preferred_dates.") and len(parts) == 3 and parts[2].isdigit():
        filled = [i for i in range(PREFERRED_DATES) if _first(form, f"details.preferred_dates.{i}")]
        index = int(parts[2])
        return f"details.preferred_dates.{filled[index]}" if index < len(filled) else field
    if field in ("location.lat", "location.lon"):
        return "details.road" if category == "traffic_control" else "location.postal_code"
    return field if field in FORM_FIELDS.get(category, ()) else ""


def place_errors(
    errors: Sequence[Mapping[str, Any]],
    language: str,
    texts: Mapping[str, Mapping[str, str]],
    input_for: Any = None,
    order: Sequence[str] = (),
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Each error next to its field, and the summary's links to them in the page's order."""
    by_field: dict[str, str] = {}
    summary: list[dict[str, str]] = []
    position = {name: i for i, name in enumerate(order)}
    for error in sorted(
        errors,
        key=lambda e: position.get(input_for(e["field"]) if input_for else e["field"], len(order)),
    ):
        name = input_for(error["field"]) if input_for else error["field"]
        message = error["msg"]
        if error["type"] == "missing" and name in _GROUPS:
            message = localized("choose_one", language)
        if name in by_field:
            continue
        by_field[name] = message
        text = texts.get(name, {}) if name else {}
        label = text.get("summary") or text.get("label")
        if label:
            message = f"{label}{' ' if label.endswith('?') else ': '}{message}"
        summary.append({"href": f"#{anchor(name)}" if name else "#main-form", "text": message})
    return by_field, summary


def _options(language: str) -> dict[str, list[tuple[str, str]]]:
    words = strings(language)["options"]
    return {
        "problem": [(p.value, words["problem"][p.value]) for p in TrafficProblem],
        "topic": [(p.value, words["topic"][p.value]) for p in TalkTopic],
        "time_of_day": [(p.value, words["time_of_day"][p.value]) for p in TimeOfDay],
        "rating": [(str(n), words["rating"][str(n)]) for n in range(1, 6)],
        "yes_no": [("yes", words["yes"]), ("no", words["no"])],
    }


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
    form: Mapping[str, Sequence[str]],
    errors: Sequence[Mapping[str, Any]] = (),
    *,
    status_code: int = 200,
    rate_limited: int | None = None,
) -> HTMLResponse:
    c = ctx(request)
    texts = field_texts(language, category)
    by_field, summary = place_errors(
        errors,
        language,
        texts,
        lambda field: _input_for(field, category, form),
        FORM_FIELDS[category],
    )
    form_id = _first(form, "form_id")
    map_config = _map_config(request) if category == "traffic_control" else None
    headers = {"Retry-After": str(rate_limited)} if rate_limited else None
    return _page(
        request,
        "form.html",
        language,
        {
            "title": strings(language)["categories"][category]["form_title"],
            "category": category,
            "values": {name: values[0] if values else "" for name, values in form.items()},
            "chosen": {name: list(values) for name, values in form.items()},
            "errors": by_field,
            "summary": summary,
            "fields": texts,
            "form_id": form_id if _is_uuid(form_id) else str(uuid.uuid4()),
            "honeypot": HONEYPOT,
            "options": _options(language),
            "municipalities": _municipalities(),
            "preferred_dates": PREFERRED_DATES,
            "map": map_config,
            "postal_lookup": request.app.state.postal_codes is not None,
            "rate_limited": rate_limited,
            "deadlines": c.settings.deadlines,
            "scripts": ["leaflet"] if map_config else [],
        },
        status_code=status_code,
        switch_url=_url("/", category=category, lang="en" if language == "da" else "da"),
        headers=headers,
        cache="private, no-cache" if not form else "no-store",
    )


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@router.get("/", response_class=HTMLResponse)
async def order_form(request: Request) -> Response:
    """The start page (what can be ordered), or with `?category=` that category's form."""
    language = _query_language(request)
    category = request.query_params.get("category")
    if category in CATEGORIES:
        return _form_page(request, language, category, {})
    errors: list[dict[str, Any]] = []
    if category is not None:  # "Continue" pressed without a choice
        errors = [{"field": "category", "type": "missing", "msg": localized("missing", language)}]
    by_field, summary = place_errors(errors, language, field_texts(language))
    t = strings(language)
    return _page(
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


@router.post("/", response_class=HTMLResponse)
async def submit_form(request: Request) -> Response:
    """Validate the posted form; a valid order is stored and the citizen sent to the receipt.

    An invalid form comes back with every error next to its field and the input kept; nothing
    of it is stored or logged. The form's hidden `form_id` is its idempotency key, so the same
    form posted twice (a double click, the back button) makes one order.
    """
    c = ctx(request)
    language = _query_language(request)
    try:
        form = await _read_form(request)
    except BodyTooLargeError:
        t = strings(language)
        return _message_page(
            request, language, t["errors"]["too_large_title"], t["errors"]["too_large"], 413
        )
    language = _first(form, "language") if _first(form, "language") in LANGUAGES else language
    category = _first(form, "category")
    if category not in CATEGORIES:
        return RedirectResponse(_url("/", lang=language), status_code=303)
    client = c.client_key(request)
    if not c.limiter.allow(client):
        return _form_page(
            request,
            language,
            category,
            form,
            status_code=429,
            rate_limited=c.limiter.retry_after(client),
        )
    result = await _submit(c, request, form, category, language)
    if isinstance(result, list):
        return _form_page(request, language, category, form, result, status_code=422)
    c.runtime.relay.wake()
    body = result.body
    return RedirectResponse(
        _url(
            f"/receipt/{body['reference']}",
            token=body["status_token"],
            lang=language,
            again="1" if result.replayed else None,
        ),
        status_code=303,
    )


async def _submit(
    c: IntakeContext,
    request: Request,
    form: Mapping[str, Sequence[str]],
    category: str,
    language: str,
) -> service.Submitted | list[dict[str, Any]]:
    """The form as an order: the submitted order, or every field error found."""
    data = order_data_from_form(form, category, language)
    postal_codes: PostalCodes | None = request.app.state.postal_codes
    fill_from_postal_code(data, postal_codes)
    errors: list[dict[str, Any]] = []
    now = c.clock()
    try:
        order = OrderRequest.model_validate(data)
    except ValidationError as exc:
        errors = from_validation_error(exc, language)
        if not data["consent"] and "consent" not in {e["field"] for e in errors}:
            errors += from_field_errors([FieldError(("consent",), "consent_required")], language)
    else:
        errors = from_field_errors(check_order_rules(order, now, c.settings.deadlines), language)
    errors += from_field_errors(check_form_rules(data, _first(form, HONEYPOT)), language)
    if errors:
        return errors
    form_id = _first(form, "form_id")
    key = f"form:{form_id}" if _is_uuid(form_id) else None
    return await service.submit_order(
        c.db,
        order,
        settings=c.settings,
        now=now,
        correlation_id=correlation_id(request),
        idempotency_key=key,
        # The key alone identifies the form: a re-post after an edit still makes no second order.
        fingerprint=service.request_fingerprint(key.encode()) if key else "",
    )


# --- the receipt and the status page ----------------------------------------------------


def _order_rows(order: Mapping[str, Any], language: str) -> list[tuple[str, str]]:
    """What was ordered, as label/value rows: category, its details, the place, the description."""
    t = strings(language)
    texts = field_texts(language, order["category"])
    words = t["options"]
    details = order.get("details") or {}
    location = order.get("location") or {}
    rows: list[tuple[str, str]] = [
        (t["order"]["category"], t["categories"][order["category"]]["name"])
    ]

    def add(name: str, value: Any) -> None:
        if value not in (None, "", []):
            rows.append((texts[name].get("summary") or texts[name]["label"], str(value)))

    match order["category"]:
        case "traffic_control":
            add("details.road", details.get("road"))
            add("details.problem", words["problem"].get(details.get("problem"), ""))
            if details.get("speed_limit_kmh"):
                add(
                    "details.speed_limit_kmh",
                    t["order"]["km_h"].format(n=details["speed_limit_kmh"]),
                )
            add(
                "details.time_of_day",
                ", ".join(words["time_of_day"][v] for v in details.get("time_of_day") or []),
            )
        case "talk":
            add("details.topic", words["topic"].get(details.get("topic"), ""))
            add("details.audience", details.get("audience"))
            add(
                "details.expected_attendees",
                t["order"]["people"].format(n=details.get("expected_attendees")),
            )
            add(
                "details.preferred_dates",
                ", ".join(format_date(d, t) for d in details.get("preferred_dates") or []),
            )
        case "event_presence":
            add("details.event_name", details.get("event_name"))
            add("details.event_start", format_datetime(details["event_start"], t))
            add("details.event_end", format_datetime(details["event_end"], t))
            add(
                "details.expected_attendees",
                t["order"]["people"].format(n=details.get("expected_attendees")),
            )
            add("details.venue", details.get("venue"))
    place = ", ".join(
        filter(
            None,
            [
                location.get("address"),
                " ".join(filter(None, [location.get("postal_code"), location.get("city")])),
            ],
        )
    )
    rows.append((t["order"]["place"], place))
    municipality = districts.municipality(location.get("municipality_code") or "")
    if municipality:
        rows.append((t["order"]["municipality"], municipality.name))
    rows.append((texts["description"]["summary"], order.get("description") or ""))
    return rows


async def _order(c: IntakeContext, reference: str, token: str) -> dict[str, Any] | None:
    try:
        return await service.order_status(
            c.db, reference, token, c.settings.links.status_link_secret
        )
    except service.OrderNotFoundError:
        return None


@router.get("/receipt/{reference}", response_class=HTMLResponse)
async def receipt(request: Request, reference: str, token: str = "") -> Response:
    """The receipt: the reference, what was ordered, the two deadlines and the status link."""
    c = ctx(request)
    order = await _order(c, reference, token)
    if order is None:
        return _not_found(request, _query_language(request))
    language = _query_language(request, order["language"])
    t = strings(language)
    return _page(
        request,
        "receipt.html",
        language,
        {
            "title": t["receipt"]["title"],
            "order": order,
            "rows": _order_rows(order, language),
            "again": request.query_params.get("again") == "1",
            "decision_due": format_date(order["decision_due"], t),
            "execution_due": format_date(order["execution_due"], t),
            "event_start": format_datetime(order["execution_due"], t),
            "status_link": status_url(
                c.settings.links.public_url, reference, c.settings.links.status_link_secret
            ),
            "status_path": _url(f"/status/{reference}", token=token, lang=language),
        },
    )


_BADGES = {
    OrderStatus.RECEIVED: "info",
    OrderStatus.ROUTED: "info",
    OrderStatus.NEEDS_ROUTING: "info",
    OrderStatus.INFO_REQUESTED: "warning",
    OrderStatus.ACCEPTED: "success",
    OrderStatus.DECLINED: "error",
    OrderStatus.SCHEDULED: "success",
    OrderStatus.COMPLETED: "success",
    OrderStatus.CANCELLED: "error",
}


def timeline(history: Sequence[Mapping[str, Any]], language: str) -> list[dict[str, Any]]:
    """The order's history as the citizen reads it, oldest first."""
    t = strings(language)
    words = t["timeline"]
    entries = []
    for h in history:
        title, lines, notes, quote, quote_label = "", [], [], None, None
        match h["kind"]:
            case "OrderSubmitted":
                title = words["submitted"]
            case "OrderRouted":
                title = words["routed"].format(district=h.get("district_name", ""))
            case "OrderUnroutable":
                title, lines = words["unroutable"], [words["unroutable_text"]]
            case "InfoRequested":
                title, quote, quote_label = (
                    words["info_requested"],
                    h.get("question"),
                    words["question"],
                )
            case "InfoProvided":
                title, quote, quote_label = (
                    words["info_provided"],
                    h.get("answer"),
                    words["your_answer"],
                )
            case "OrderScreened":
                accepted = h.get("decision") == "accepted"
                title = words["accepted"] if accepted else words["declined"]
                if not accepted:
                    lines = [t["reasons"].get(h.get("reason_code", "other"), "")]
                quote, quote_label = h.get("message"), words["message_from_district"]
            case "OrderScheduled":
                title = words["scheduled"].format(
                    period=format_period(h["planned_start"], h.get("planned_end"), t)
                )
                quote, quote_label = h.get("note") or None, words["message_from_district"]
            case "OrderCompleted":
                title = words["completed"].format(date=format_date(h["completed_at"], t))
                quote, quote_label = h.get("summary"), words["message_from_district"]
                for key in ("vehicles_checked", "violations"):
                    if h.get(key) is not None:
                        notes.append(words[key].format(n=h[key]))
            case "OrderCancelled":
                title = words["cancelled"]
                quote, quote_label = h.get("reason") or None, words["your_reason"]
            case "FeedbackReceived":
                title = words["feedback"]
            case _:
                continue
        entries.append(
            {
                "kind": h["kind"],
                "title": title,
                "at": h["at"],
                "when": format_datetime(h["at"], t),
                "lines": [line for line in lines if line],
                "notes": notes,
                "quote": quote,
                "quote_label": quote_label,
            }
        )
    return entries


def _status_page(
    request: Request,
    order: Mapping[str, Any],
    token: str,
    language: str,
    *,
    errors: Sequence[Mapping[str, Any]] = (),
    values: Mapping[str, str] | None = None,
    notice: tuple[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    t = strings(language)
    status = OrderStatus(order["status"])
    district = (order.get("district") or {}).get("name") or t["status"]["district_unknown"]
    explain = t["status"]["explain"][status.value].format(
        district=district,
        decision_due=format_date(order["decision_due"], t),
        execution_due=format_date(order["execution_due"], t),
    )
    texts = field_texts(language, order["category"])
    by_field, summary = place_errors(errors, language, texts)
    reference = order["reference"]
    return _page(
        request,
        "status.html",
        language,
        {
            "title": t["status"]["title"].format(reference=reference),
            "order": order,
            "token": token,
            "status": status.value,
            "badge": _BADGES[status],
            "explain": explain,
            "timeline": timeline(order["history"], language),
            "rows": _order_rows(order, language),
            "final": status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.DECLINED),
            "submitted": format_datetime(order["submitted_at"], t),
            "decision_due": format_date(order["decision_due"], t),
            "execution_due": format_date(order["execution_due"], t),
            "event_start": format_datetime(order["execution_due"], t),
            "errors": by_field,
            "summary": summary,
            "fields": texts,
            "values": values or {},
            "options": _options(language),
            "notice": notice,
            "withdraw_path": _url(f"/status/{reference}/withdraw", token=token, lang=language),
        },
        status_code=status_code,
        switch_url=_url(
            f"/status/{reference}", token=token, lang="en" if language == "da" else "da"
        ),
    )


_DONE = {"withdrawn", "answered", "feedback"}


@router.get("/status/{reference}", response_class=HTMLResponse)
async def status_page(request: Request, reference: str, token: str = "") -> Response:
    """The order's status and timeline; its questions, feedback and withdrawal (DESIGN §4)."""
    order = await _order(ctx(request), reference, token)
    if order is None:
        return _not_found(request, _query_language(request))
    language = _query_language(request, order["language"])
    done = request.query_params.get("done")
    notice = ("success", strings(language)["status"][f"done_{done}"]) if done in _DONE else None
    return _status_page(request, order, token, language, notice=notice)


def _back_to_status(reference: str, token: str, language: str, done: str) -> RedirectResponse:
    return RedirectResponse(
        _url(f"/status/{reference}", token=token, lang=language, done=done), status_code=303
    )


async def _posted(request: Request) -> tuple[dict[str, list[str]], str, str]:
    """A status-page form: its fields, the status token and the page's language."""
    form = await _read_form(request)
    lang = _first(form, "lang")
    return form, _first(form, "token"), lang if lang in LANGUAGES else "da"


@router.get("/status/{reference}/withdraw", response_class=HTMLResponse)
async def withdraw_page(request: Request, reference: str, token: str = "") -> Response:
    """Asks the citizen to confirm the withdrawal: a page, so no script is needed."""
    order = await _order(ctx(request), reference, token)
    if order is None:
        return _not_found(request, _query_language(request))
    language = _query_language(request, order["language"])
    if not order["can_cancel"]:
        return _back_to_status(reference, token, language, "")
    return _withdraw_page(request, order, token, language)


def _withdraw_page(
    request: Request,
    order: Mapping[str, Any],
    token: str,
    language: str,
    errors: Sequence[Mapping[str, Any]] = (),
    values: Mapping[str, str] | None = None,
) -> HTMLResponse:
    t = strings(language)
    texts = field_texts(language, order["category"])
    by_field, summary = place_errors(errors, language, texts)
    return _page(
        request,
        "withdraw.html",
        language,
        {
            "title": t["withdraw"]["title"],
            "order": order,
            "token": token,
            "errors": by_field,
            "summary": summary,
            "fields": texts,
            "values": values or {},
            "status_path": _url(f"/status/{order['reference']}", token=token, lang=language),
        },
        status_code=422 if errors else 200,
    )


@router.post("/status/{reference}/withdraw", response_class=HTMLResponse)
async def withdraw(request: Request, reference: str) -> Response:
    c = ctx(request)
    try:
        form, token, language = await _posted(request)
    except BodyTooLargeError:
        return _too_large(request)
    reason = _first(form, "reason").strip()
    try:
        CancelRequest(reason=reason or None)
    except ValidationError as exc:
        order = await _order(c, reference, token)
        if order is None:
            return _not_found(request, language)
        return _withdraw_page(
            request, order, token, language, from_validation_error(exc, language), form_values(form)
        )
    try:
        await service.cancel_order(
            c.db,
            reference,
            token,
            c.settings.links.status_link_secret,
            now=c.clock(),
            reason=reason or None,
        )
    except service.OrderNotFoundError:
        return _not_found(request, language)
    except service.CannotCancelError:
        return await _refused(request, reference, token, language, "cannot_withdraw")
    c.runtime.relay.wake()
    return _back_to_status(reference, token, language, "withdrawn")


def form_values(form: Mapping[str, Sequence[str]]) -> dict[str, str]:
    return {name: values[0] if values else "" for name, values in form.items()}


def _too_large(request: Request) -> HTMLResponse:
    language = _query_language(request)
    t = strings(language)
    return _message_page(
        request, language, t["errors"]["too_large_title"], t["errors"]["too_large"], 413
    )


async def _refused(
    request: Request, reference: str, token: str, language: str, key: str
) -> HTMLResponse:
    order = await _order(ctx(request), reference, token)
    if order is None:
        return _not_found(request, language)
    notice = ("error", strings(language)["status"][key])
    return _status_page(request, order, token, language, notice=notice, status_code=409)


async def _invalid(
    request: Request,
    reference: str,
    token: str,
    language: str,
    exc: ValidationError,
    form: Mapping[str, Sequence[str]],
) -> HTMLResponse:
    order = await _order(ctx(request), reference, token)
    if order is None:
        return _not_found(request, language)
    return _status_page(
        request,
        order,
        token,
        language,
        errors=from_validation_error(exc, language),
        values=form_values(form),
        status_code=422,
    )


@router.post("/status/{reference}/answer", response_class=HTMLResponse)
async def answer(request: Request, reference: str) -> Response:
    """The citizen's answer to the officer's question becomes `InfoProvided`."""
    c = ctx(request)
    try:
        form, token, language = await _posted(request)
    except BodyTooLargeError:
        return _too_large(request)
    try:
        body = InfoAnswer(answer=_first(form, "answer"))
    except ValidationError as exc:
        return await _invalid(request, reference, token, language, exc, form)
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
        return _not_found(request, language)
    except service.NoOpenQuestionError:
        return await _refused(request, reference, token, language, "no_open_question")
    c.runtime.relay.wake()
    return _back_to_status(reference, token, language, "answered")


@router.post("/status/{reference}/feedback", response_class=HTMLResponse)
async def feedback(request: Request, reference: str) -> Response:
    """After completion: did the citizen see the police, did it help; becomes `FeedbackReceived`."""
    c = ctx(request)
    try:
        form, token, language = await _posted(request)
    except BodyTooLargeError:
        return _too_large(request)
    seen = {"yes": True, "no": False}.get(_first(form, "carried_out_seen"))
    data: dict[str, Any] = {"comment": _first(form, "comment").strip() or None}
    if seen is not None:
        data["carried_out_seen"] = seen
    if _first(form, "rating"):
        data["rating"] = _first(form, "rating")
    try:
        body = Feedback.model_validate(data)
    except ValidationError as exc:
        return await _invalid(request, reference, token, language, exc, form)
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
        return _not_found(request, language)
    except service.FeedbackNotOpenError:
        return await _refused(request, reference, token, language, "feedback_not_open")
    c.runtime.relay.wake()
    return _back_to_status(reference, token, language, "feedback")
