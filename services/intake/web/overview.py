"""The public overview, `/tal`: what citizens ordered and what the police did, per district and
month, as a page with a chart and as open data (CSV, JSON). No personal data: it is counted from
the agencies' stream (`public.orders.v1`), which carries none."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup

from services.intake.context import ctx
from services.intake.overview import summary
from services.intake.overview.reading import Overview, overview
from services.intake.web.common import message_page, page, query_language, strings, url
from shared import charts, districts
from shared.danish_time import format_month, local
from shared.vocabulary import Category

router = APIRouter(include_in_schema=False)

#: The figures change with each event, but not by much: a minute in a cache is honest.
CACHE = "public, max-age=60"
ATTRIBUTION = "Politiet, Bestil en betjent; counted from the public event stream public.orders.v1"


class BadFilterError(ValueError):
    """A district or year that does not exist: the citizen gets an error page, not figures."""


def _filters(request: Request) -> tuple[str | None, int | None]:
    district_code = request.query_params.get("district") or None
    if district_code is not None and districts.district(district_code) is None:
        raise BadFilterError("district")
    raw_year = request.query_params.get("year") or None
    if raw_year is None:
        return district_code, None
    if not (raw_year.isdigit() and len(raw_year) == 4 and 2010 <= int(raw_year) <= 2100):
        raise BadFilterError("year")
    return district_code, int(raw_year)


async def _read(request: Request, *, per_district: bool = True) -> Overview:
    district_code, year = _filters(request)
    c = ctx(request)
    return await overview(
        c.db,
        district_code=district_code,
        year=year,
        today_year=local(c.clock()).year,
        per_district=per_district,
    )


def _bad_filter(request: Request, language: str, exc: BadFilterError) -> HTMLResponse:
    t = strings(language)["overview"]
    return message_page(request, language, t["bad_filter_title"], t[f"bad_{exc}"], 400)


def percent(value: float | None, language: str) -> str:
    if value is None:
        return "–"
    number = round(100 * value)
    return f"{number} %" if language == "da" else f"{number}%"


def number(value: int, language: str) -> str:
    return f"{value:,}".replace(",", "." if language == "da" else ",")


@router.get("/tal", response_class=HTMLResponse)
async def overview_page(request: Request) -> Response:
    language = query_language(request)
    try:
        figures = await _read(request, per_district=False)
    except BadFilterError as exc:
        return _bad_filter(request, language, exc)
    t = strings(language)
    words = t["overview"]
    area = (
        districts.DISTRICTS[figures.district_code].name
        if figures.district_code
        else words["all_districts"]
    )
    chart = charts.stacked_columns(
        "orders-per-month",
        words["chart_title"].format(area=area, year=figures.year),
        [format_month(m.month, language)[:3] for m in figures.months],
        [
            (t["categories"][c.value]["name"], [m.received[c.value] for m in figures.months])
            for c in Category
        ],
    )
    params = {"district": figures.district_code, "year": str(figures.year)}
    return page(
        request,
        "overview.html",
        language,
        {
            "title": words["title"],
            "o": words,
            "figures": figures,
            "area": area,
            "chart": Markup(chart),
            "categories": [c.value for c in Category],
            "reasons": summary.DECLINE_REASONS,
            "district_options": sorted(districts.DISTRICTS.values(), key=lambda d: d.name),
            "month_name": lambda key: format_month(key, language).rsplit(" ", 1)[0].capitalize(),
            "percent": lambda v: percent(v, language),
            "number": lambda v: number(v, language),
            "csv_url": url("/tal.csv", **params),
            "json_url": url("/tal.json", **params),
        },
        cache=CACHE,
    )


def _open_data(figures: Overview) -> dict[str, Any]:
    return {
        "year": figures.year,
        "district_code": figures.district_code,
        "attribution": ATTRIBUTION,
        "columns": ["district_code", "district_name", "month", "category", *summary.COLUMNS],
        "records": summary.records(figures.rows),
    }


@router.get("/tal.json")
async def overview_json(request: Request) -> Response:
    try:
        figures = await _read(request)
    except BadFilterError as exc:
        words = strings(query_language(request))["overview"]
        return JSONResponse({"detail": words[f"bad_{exc}"]}, status_code=400)
    return JSONResponse(_open_data(figures), headers={"Cache-Control": CACHE})


@router.get("/tal.csv")
async def overview_csv(request: Request) -> Response:
    try:
        figures = await _read(request)
    except BadFilterError as exc:
        words = strings(query_language(request))["overview"]
        return Response(words[f"bad_{exc}"] + "\n", status_code=400, media_type="text/plain")
    data = _open_data(figures)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=data["columns"], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(data["records"])
    name = f"bestil-en-betjent-{figures.year}{'-' + figures.district_code if figures.district_code else ''}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": CACHE},
    )
