"""Downloads for the districts' spreadsheets: the queue as filtered, and the statistics.

The queue's file takes the queue page's query string and shows the queue's columns, no more;
the statistics' file takes the statistics page's. Both are audited (`exporting`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.screening import exporting, labels
from services.screening.context import ctx
from services.screening.web.common import (
    WebUser,
    district_name,
    municipality_name,
    render,
    web_user,
)
from services.screening.web.queue import queue_filter, queue_row
from services.screening.web.stats import PERIODS, last_months
from shared import districts
from shared.danish_time import local
from shared.vocabulary import Category, OrderStatus

router = APIRouter(include_in_schema=False)


def _file(text: str, name: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _day(moment: datetime | None) -> str:
    """A deadline as an ISO date in Danish time."""
    return local(moment).date().isoformat() if moment else ""


@router.get("/export/queue.csv")
async def queue_csv(
    request: Request,
    status: str = "open",
    category: str = "",
    q: str = "",
    district: str = "",
    alerts: bool = False,
    user: WebUser = Depends(web_user),
) -> Response:
    """The queue as the same filter shows it, every page of it, in the queue's order."""
    c = ctx(request)
    now = c.clock()
    wanted = queue_filter(user, status, category, q, district, alerts)
    try:
        rows = await exporting.export_queue(c.db, user.officer, wanted, now=now)
    except exporting.ExportTooLargeError:
        limit = f"{exporting.QUEUE_EXPORT_LIMIT:,}".replace(",", ".")
        message = (
            f"En fil kan rumme højst {limit} bestillinger, og filteret giver flere. "
            "Afgræns med status eller kategori, og prøv igen."
        )
        title = "For mange bestillinger til én fil"
        return render(request, "error.html", {"title": title, "message": message}, 413)
    header = [
        "Reference",
        "Næste frist",
        "Fristdato",
        "Dage tilbage",
        "Kategori",
        "Emne",
        "Kommune",
        "Status",
        "Haster",
        "Fristvarsel",
    ]
    if user.is_admin:
        header.append("Kreds")
    lines = []
    for entry in rows:
        item = queue_row(c, entry)
        kind = item["deadline"].kind if item["deadline"] else None
        info = item["info"]
        line = [
            entry.reference,
            {"decision": "Afgørelse", "execution": "Udførelse"}.get(kind or "", ""),
            _day(item["deadline"].due) if item["deadline"] else "",
            info["days"] if info else "",
            labels.label(labels.CATEGORY, entry.category),
            entry.subject,
            municipality_name(entry.municipality_code),
            labels.label(labels.STATUS, entry.status),
            entry.urgent,
            {"breached": "Frist overskredet", "warning": "Frist nær"}.get(item["alert"] or "", ""),
        ]
        if user.is_admin:
            line.append(
                district_name(entry.district_code, short=True)
                if entry.district_code
                else "Mangler kreds"
            )
        lines.append(line)
    scope = wanted.district_code or user.officer.district_code or "alle"
    name = f"koe-{scope}-{local(now):%Y-%m-%d}.csv"
    return _file(exporting.as_csv(header, lines), name)


@router.get("/export/stats.csv")
async def stats_csv(
    request: Request, period: str = "12", district: str = "", user: WebUser = Depends(web_user)
) -> Response:
    """The statistics page's figures (same period and district choice) as rows of numbers."""
    c = ctx(request)
    now = c.clock()
    period = period if period in PERIODS else "12"
    chosen = district if user.is_admin and districts.district(district) else ""
    first = last_months(now, 12)[0]
    since = datetime(int(first[:4]), int(first[5:]), 1, tzinfo=UTC) if period == "12" else None
    figures = await exporting.export_statistics(
        c.db,
        user.officer,
        district_code=chosen or (None if user.is_admin else user.officer.district_code),
        since=since,
        period=period,
        now=now,
    )
    header = ["Tal", "Nøgle", "Betegnelse", "Værdi"]
    lines = [
        (figure, key, _meaning(figure, key), value)
        for figure, key, value in exporting.flat_figures(figures)
    ]
    scope = chosen or user.officer.district_code or "alle"
    name = f"statistik-{scope}-{'12-mdr' if period == '12' else 'alt'}-{local(now):%Y-%m-%d}.csv"
    return _file(exporting.as_csv(header, lines), name)


FIGURES = {
    "total": "Bestillinger i alt",
    "by_category": "Efter kategori",
    "by_district": "Efter politikreds",
    "by_status": "Efter status",
    "by_month": "Efter måned (indsendt, UTC)",
    "by_month_and_category": "Efter måned og kategori",
    "decisions": "Afgørelser",
    "executions": "Udførelser",
    "open_decisions_overdue": "Åbne bestillinger over svarfristen",
}
CATEGORIES = {c.value for c in Category}
STATUSES = {s.value for s in OrderStatus}
PARTS = {
    "count": "antal",
    "within_deadline": "inden for fristen",
    "share_within_deadline": "andel inden for fristen (%)",
}


def _meaning(figure: str, key: str) -> str:
    """The row's Danish words: the figure, and what its key names."""
    words = [FIGURES.get(figure, figure)]
    for part in key.split("/") if key else []:
        if part in CATEGORIES:
            words.append(labels.label(labels.CATEGORY, part))
        elif part in STATUSES:
            words.append(labels.label(labels.STATUS, part))
        elif districts.district(part):
            words.append(district_name(part))
        else:
            words.append(PARTS.get(part) or ("uden kreds" if part == "unrouted" else part))
    return ": ".join([words[0], ", ".join(words[1:])]) if len(words) > 1 else words[0]
