"""The district map: open orders by deadline state, and the traffic-control hotspots.

`GET /map` renders the filter form, the list of the same orders and the hotspots' table (all
of it works without JavaScript); `GET /map/data` answers the same question as JSON, from which
static/map.js draws the Leaflet map. Both carry what the queue shows and nothing more: no
name, contact or address, and coordinates rounded to about 100 m (`map_data.coarse`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from services.screening import labels, map_reading
from services.screening.context import ScreeningContext, ctx
from services.screening.domain import OPEN_STATUSES, next_deadline
from services.screening.map_data import Hotspot, coarse, deadline_state, find_hotspots
from services.screening.map_reading import MapFilter
from services.screening.models import QueueEntry
from services.screening.web.common import (
    WebUser,
    deadline_info,
    format_date,
    municipality_name,
    query_string,
    render,
    templates,
    web_user,
)
from shared import districts
from shared.clock import as_utc
from shared.vocabulary import Category, OrderStatus

router = APIRouter(include_in_schema=False)

STATUS_CHOICES = ["open", *[s.value for s in OrderStatus if s in OPEN_STATUSES]]


def _wanted(user: WebUser, status: str, category: str, district: str) -> MapFilter:
    """The map's filter from the query string; anything unknown falls back to the default,
    and a district is a national admin's choice only (everyone else sees their own)."""
    return MapFilter(
        status=status if status in STATUS_CHOICES else "open",
        category=category if category in {x.value for x in Category} else None,
        district_code=district if user.is_admin and districts.district(district) else None,
    )


def _marker(c: ScreeningContext, row: QueueEntry, hot: set[str]) -> dict[str, Any]:
    """One order as the map and its list show it: what the queue shows, and where."""
    deadline = next_deadline(
        OrderStatus(row.status),
        as_utc(row.decision_due) if row.decision_due else None,
        as_utc(row.execution_due) if row.execution_due else None,
    )
    info = deadline_info(c, deadline.due) if deadline else None
    district = districts.district(row.district_code or "")
    state = deadline_state(
        info["urgency"] if info else None, (row.decision_alert, row.execution_alert)
    )
    kind = None
    if deadline:
        kind = "Afgørelse" if deadline.kind == "decision" else "Udførelse"
    return {
        "order_id": row.order_id,
        "reference": row.reference,
        "url": f"/orders/{row.order_id}",
        "category": row.category,
        "category_label": labels.label(labels.CATEGORY, row.category),
        "status": row.status,
        "status_label": labels.label(labels.STATUS, row.status),
        "subject": row.subject or "",
        "municipality": municipality_name(row.municipality_code),
        "district": district.short_name if district else "Mangler kreds",
        "urgent": row.urgent,
        "deadline_kind": kind,
        "deadline_date": format_date(deadline.due) if deadline else None,
        "deadline_text": info["text"] if info else None,
        "state": state,
        "state_label": labels.DEADLINE_STATE[state],
        "lat": coarse(row.lat) if row.lon is not None else None,
        "lon": coarse(row.lon) if row.lat is not None else None,
        "hotspot": row.order_id in hot,
    }


def _hotspot(spot: Hotspot) -> dict[str, Any]:
    municipality = municipality_name(spot.municipality_code)
    return {
        "kind": spot.kind,
        "road": spot.road,
        "municipality": municipality,
        "count": spot.count,
        "open_count": spot.open_count,
        "lat": coarse(spot.lat),
        "lon": coarse(spot.lon),
        "radius_m": round(spot.radius_m),
        "label": f"Brændpunkt: {spot.road}, {municipality}: {spot.count} bestillinger af "
        f"færdselskontrol de seneste 12 måneder, heraf {spot.open_count} åbne",
    }


async def _map_view(request: Request, user: WebUser, wanted: MapFilter) -> dict[str, Any]:
    c = ctx(request)
    found = await map_reading.map_orders(c.db, user.officer, wanted, now=c.clock())
    spots = find_hotspots(found.hotspot_candidates)
    hot = {order_id for spot in spots for order_id in spot.order_ids}
    markers = [_marker(c, row, hot) for row in found.rows]
    return {
        "orders": markers,
        "hotspots": [_hotspot(s) for s in spots],
        "truncated": found.truncated,
        "limit": map_reading.MAP_LIMIT,
        "placed": sum(1 for m in markers if m["lat"] is not None),
    }


def _filters(wanted: MapFilter) -> dict[str, str]:
    return {
        "status": wanted.status,
        "category": wanted.category or "",
        "district": wanted.district_code or "",
    }


@router.get("/map")
async def map_page(
    request: Request,
    status: str = "open",
    category: str = "",
    district: str = "",
    user: WebUser = Depends(web_user),
) -> Response:
    """The map's page: filters, the list of the orders, the hotspots; the map itself is drawn
    by static/map.js from `/map/data` with the same filters."""
    wanted = _wanted(user, status, category, district)
    view = await _map_view(request, user, wanted)
    filters = _filters(wanted)
    if wanted.district_code:
        area = districts.district(wanted.district_code).name  # type: ignore[union-attr]
    elif user.is_admin:
        area = "Alle politikredse"
    else:
        area = districts.district(user.officer.district_code or "")
        area = area.name if area else "Ingen kreds"
    return render(
        request,
        "map.html",
        {
            **view,
            "area": area,
            "filters": filters,
            "status_choices": STATUS_CHOICES,
            "categories": list(Category),
            "data_url": "/map/data"
            + query_string(
                **{**filters, "status": "" if wanted.status == "open" else wanted.status}
            ),
        },
    )


@router.get("/map/data")
async def map_data(
    request: Request,
    status: str = "open",
    category: str = "",
    district: str = "",
    user: WebUser = Depends(web_user),
) -> JSONResponse:
    """The same orders and hotspots as the page, for the map's script."""
    view = await _map_view(request, user, _wanted(user, status, category, district))
    for marker in view["orders"]:
        marker.pop("order_id")
    return JSONResponse(view)


def map_config(request: Request) -> dict[str, Any] | None:
    """What a page needs to draw a map (tile URL, attribution, asset versions), or None when
    no tiles are configured or Leaflet is not installed: the page then shows text only."""
    settings = request.app.state.ctx.settings
    versions: dict[str, str] = getattr(request.app.state, "vendor_versions", {})
    if not settings.map_tile_url or "leaflet" not in versions:
        return None
    return {
        "tiles": settings.map_tile_url,
        "attribution": settings.map_attribution,
        "leaflet": versions["leaflet"],
        "markercluster": versions.get("markercluster"),
    }


templates.env.globals.update(map_config=map_config)
