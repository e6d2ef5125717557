"""The statistics page: the same figures as GET /api/v1/stats, drawn as charts and tables."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup

from services.screening import labels, monthly, statistics
from services.screening.context import ctx
from services.screening.domain import share
from services.screening.statistics import Statistics
from services.screening.web.common import WebUser, district_name, render, web_user
from shared import charts, districts
from shared.danish_time import format_month, local
from shared.vocabulary import Category, OrderStatus

router = APIRouter(include_in_schema=False)

PERIODS = {"12": "De seneste 12 måneder", "all": "Hele perioden"}


def last_months(now: datetime, count: int) -> list[str]:
    """The `count` months up to and including now's (in Danish time), oldest first, as
    "YYYY-MM"."""
    here = local(now)
    year, month = here.year, here.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return keys[::-1]


@router.get("/stats")
async def stats_page(
    request: Request, period: str = "12", district: str = "", user: WebUser = Depends(web_user)
) -> Response:
    c = ctx(request)
    now = c.clock()
    period = period if period in PERIODS else "12"
    district = district if user.is_admin and districts.district(district) else ""
    months = last_months(now, 12)
    since = monthly.month_start(months[0]) if period == "12" else None
    figures = await statistics.statistics(
        c.db, user.officer, district_code=district or None, since=since, now=now
    )
    if period == "all" and figures.by_month:
        months = sorted(figures.by_month)
    scope = (
        district_name(district)
        if district
        else ("Alle politikredse" if user.is_admin else district_name(user.officer.district_code))
    )
    context = {"stats": figures, "scope": scope, "period": period, "periods": PERIODS}
    context.update(district=district, **_tables(figures, months))
    return render(request, "stats.html", context)


def _tables(figures: Statistics, months: list[str]) -> dict[str, Any]:
    """The page's tables, and the same figures drawn as charts."""
    by_category = [
        (labels.label(labels.CATEGORY, cat), figures.by_category.get(cat, 0)) for cat in Category
    ]
    by_status = [
        (labels.label(labels.STATUS, s), figures.by_status.get(s, 0))
        for s in OrderStatus
        if figures.by_status.get(s, 0)
    ]
    by_district = sorted(
        ((district_name(code, short=True), n) for code, n in figures.by_district.items()),
        key=lambda item: -item[1],
    )
    month_labels = [format_month(m) for m in months]
    series = [
        (
            labels.label(labels.CATEGORY, cat),
            [figures.by_month_and_category.get(m, Counter()).get(cat, 0) for m in months],
        )
        for cat in Category
    ]
    decided_share = share(figures.decided_in_time, figures.decided)
    executed_share = share(figures.executed_in_time, figures.executed)
    return {
        "by_category": by_category,
        "by_status": by_status,
        "by_district": by_district,
        "months": list(zip(month_labels, months, strict=True)),
        "series": series,
        "decided_share": decided_share,
        "executed_share": executed_share,
        "chart_months": Markup(
            charts.stacked_columns(
                "chart-months",
                "Bestillinger pr. måned",
                [label[:3] for label in month_labels],
                series,
                sublabels=[
                    key[:4] if i == 0 or key.endswith("-01") else "" for i, key in enumerate(months)
                ],
            )
        ),
        "chart_category": Markup(
            charts.bar_chart("chart-category", "Bestillinger efter kategori", by_category)
        ),
        "chart_status": Markup(
            charts.bar_chart("chart-status", "Bestillinger efter status", by_status)
        ),
        "chart_district": Markup(
            charts.bar_chart("chart-district", "Bestillinger efter politikreds", by_district)
        ),
        "meter_decided": Markup(
            charts.share_meter("meter-decided", "Afgørelser inden for fristen", decided_share)
        ),
        "meter_executed": Markup(
            charts.share_meter("meter-executed", "Udførelser inden for fristen", executed_share)
        ),
    }
