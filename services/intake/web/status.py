"""The receipt and the status page: what was ordered, the deadlines, and the timeline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.intake import follow_ups
from services.intake.context import IntakeContext, ctx
from services.intake.web.common import (
    field_texts,
    not_found,
    options,
    other_language,
    page,
    place_errors,
    query_language,
    strings,
    url,
)
from shared import districts
from shared.danish_time import format_date, format_datetime, format_period
from shared.references import status_url
from shared.vocabulary import OrderStatus

router = APIRouter(include_in_schema=False)

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
_DONE = {"withdrawn", "answered", "feedback"}


async def find_order(c: IntakeContext, reference: str, token: str) -> dict[str, Any] | None:
    """The order as its citizen sees it, or None for a wrong reference or token."""
    try:
        return await follow_ups.order_status(
            c.db, reference, token, c.settings.links.verifying_secrets
        )
    except follow_ups.OrderNotFoundError:
        return None


# --- what was ordered -------------------------------------------------------------------


def _detail_values(order: Mapping[str, Any], language: str) -> list[tuple[str, Any]]:
    """The category's details as (field, shown value) pairs."""
    t = strings(language)
    words = t["options"]
    details = order.get("details") or {}
    match order["category"]:
        case "traffic_control":
            speed = details.get("speed_limit_kmh")
            times = details.get("time_of_day") or []
            return [
                ("details.road", details.get("road")),
                ("details.problem", words["problem"].get(details.get("problem"), "")),
                ("details.speed_limit_kmh", t["order"]["km_h"].format(n=speed) if speed else None),
                ("details.time_of_day", ", ".join(words["time_of_day"][v] for v in times)),
            ]
        case "talk":
            dates = details.get("preferred_dates") or []
            return [
                ("details.topic", words["topic"].get(details.get("topic"), "")),
                ("details.audience", details.get("audience")),
                (
                    "details.expected_attendees",
                    t["order"]["people"].format(n=details.get("expected_attendees")),
                ),
                ("details.preferred_dates", ", ".join(format_date(d, language) for d in dates)),
            ]
        case "event_presence":
            return [
                ("details.event_name", details.get("event_name")),
                ("details.event_start", format_datetime(details["event_start"], language)),
                ("details.event_end", format_datetime(details["event_end"], language)),
                (
                    "details.expected_attendees",
                    t["order"]["people"].format(n=details.get("expected_attendees")),
                ),
                ("details.venue", details.get("venue")),
            ]
    return []


def order_rows(order: Mapping[str, Any], language: str) -> list[tuple[str, str]]:
    """What was ordered, as label/value rows: category, its details, the place, the description."""
    t = strings(language)
    texts = field_texts(language, order["category"])
    location = order.get("location") or {}
    rows: list[tuple[str, str]] = [
        (t["order"]["category"], t["categories"][order["category"]]["name"])
    ]
    for name, value in _detail_values(order, language):
        if value not in (None, "", []):
            rows.append((texts[name].get("summary") or texts[name]["label"], str(value)))
    town = " ".join(filter(None, [location.get("postal_code"), location.get("city")]))
    rows.append((t["order"]["place"], ", ".join(filter(None, [location.get("address"), town]))))
    municipality = districts.municipality(location.get("municipality_code") or "")
    if municipality:
        rows.append((t["order"]["municipality"], municipality.name))
    rows.append((texts["description"]["summary"], order.get("description") or ""))
    return rows


@router.get("/receipt/{reference}", response_class=HTMLResponse)
async def receipt(request: Request, reference: str, token: str = "") -> Response:
    """The receipt: the reference, what was ordered, the two deadlines and the status link."""
    c = ctx(request)
    order = await find_order(c, reference, token)
    if order is None:
        return not_found(request, query_language(request))
    language = query_language(request, order["language"])
    links = c.settings.links
    return page(
        request,
        "receipt.html",
        language,
        {
            "title": strings(language)["receipt"]["title"],
            "order": order,
            "rows": order_rows(order, language),
            "again": request.query_params.get("again") == "1",
            "decision_due": format_date(order["decision_due"], language),
            "execution_due": format_date(order["execution_due"], language),
            "event_start": format_datetime(order["execution_due"], language),
            "status_link": status_url(links.public_url, reference, links.status_link_secret),
            "status_path": url(f"/status/{reference}", token=token, lang=language),
        },
    )


# --- the timeline -----------------------------------------------------------------------


def _line(
    title: str,
    lines: Sequence[str] = (),
    notes: Sequence[str] = (),
    quote: str | None = None,
    quote_label: str | None = None,
) -> dict[str, Any]:
    return {
        "title": title,
        "lines": [line for line in lines if line],
        "notes": list(notes),
        "quote": quote,
        "quote_label": quote_label,
    }


def _district_step(h: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The district's decision, plan or result, with its message to the citizen."""
    t = strings(language)
    words = t["timeline"]
    from_district = words["message_from_district"]
    match h["kind"]:
        case "OrderScreened":
            if h.get("decision") == "accepted":
                return _line(words["accepted"], quote=h.get("message"), quote_label=from_district)
            reason = t["reasons"].get(h.get("reason_code", "other"), "")
            return _line(words["declined"], [reason], [], h.get("message"), from_district)
        case "OrderScheduled":
            period = format_period(h["planned_start"], h.get("planned_end"), language)
            title = words["scheduled"].format(period=period)
            return _line(title, quote=h.get("note") or None, quote_label=from_district)
    title = words["completed"].format(date=format_date(h["completed_at"], language))
    notes = [
        words[key].format(n=h[key])
        for key in ("vehicles_checked", "violations")
        if h.get(key) is not None
    ]
    return _line(title, notes=notes, quote=h.get("summary"), quote_label=from_district)


def _told(h: Mapping[str, Any], language: str) -> dict[str, Any] | None:
    """How one timeline line reads: its title, lines, notes and quote; None: not shown."""
    words = strings(language)["timeline"]
    match h["kind"]:
        case "OrderSubmitted":
            return _line(words["submitted"])
        case "OrderRouted":
            return _line(words["routed"].format(district=h.get("district_name", "")))
        case "OrderUnroutable":
            return _line(words["unroutable"], [words["unroutable_text"]])
        case "InfoRequested":
            return _line(words["info_requested"], [], [], h.get("question"), words["question"])
        case "InfoProvided":
            return _line(words["info_provided"], [], [], h.get("answer"), words["your_answer"])
        case "OrderScreened" | "OrderScheduled" | "OrderCompleted":
            return _district_step(h, language)
        case "OrderCancelled":
            reason = h.get("reason") or None
            return _line(words["cancelled"], quote=reason, quote_label=words["your_reason"])
        case "FeedbackReceived":
            return _line(words["feedback"])
    return None


def timeline(history: Sequence[Mapping[str, Any]], language: str) -> list[dict[str, Any]]:
    """The order's history as the citizen reads it, oldest first."""
    entries = []
    for h in history:
        told = _told(h, language)
        if told is not None:
            when = format_datetime(h["at"], language)
            entries.append({"kind": h["kind"], "at": h["at"], "when": when, **told})
    return entries


# --- the status page --------------------------------------------------------------------


def _explain(order: Mapping[str, Any], language: str) -> str:
    """What the status means for the citizen, with the district and the deadlines."""
    t = strings(language)
    district = (order.get("district") or {}).get("name") or t["status"]["district_unknown"]
    return t["status"]["explain"][order["status"]].format(
        district=district,
        decision_due=format_date(order["decision_due"], language),
        execution_due=format_date(order["execution_due"], language),
    )


def status_page(
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
    """The status page, with a notice or the errors of a follow-up form where there are any."""
    status = OrderStatus(order["status"])
    texts = field_texts(language, order["category"])
    by_field, summary = place_errors(errors, language, texts)
    reference = order["reference"]
    context = {
        "title": strings(language)["status"]["title"].format(reference=reference),
        "order": order,
        "token": token,
        "status": status.value,
        "badge": _BADGES[status],
        "explain": _explain(order, language),
        "timeline": timeline(order["history"], language),
        "rows": order_rows(order, language),
        "final": status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.DECLINED),
        "submitted": format_datetime(order["submitted_at"], language),
        "decision_due": format_date(order["decision_due"], language),
        "execution_due": format_date(order["execution_due"], language),
        "event_start": format_datetime(order["execution_due"], language),
        "errors": by_field,
        "summary": summary,
        "fields": texts,
        "values": values or {},
        "options": options(language),
        "notice": notice,
        "withdraw_path": url(f"/status/{reference}/withdraw", token=token, lang=language),
    }
    switch = url(f"/status/{reference}", token=token, lang=other_language(language))
    return page(
        request, "status.html", language, context, status_code=status_code, switch_url=switch
    )


@router.get("/status/{reference}", response_class=HTMLResponse)
async def show_status(request: Request, reference: str, token: str = "") -> Response:
    """The order's status and timeline; its questions, feedback and withdrawal (DESIGN §4)."""
    order = await find_order(ctx(request), reference, token)
    if order is None:
        return not_found(request, query_language(request))
    language = query_language(request, order["language"])
    done = request.query_params.get("done")
    notice = ("success", strings(language)["status"][f"done_{done}"]) if done in _DONE else None
    return status_page(request, order, token, language, notice=notice)
