"""The district queue: open orders, the most urgent deadline first; and the manual-routing queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.screening import reading
from services.screening.context import ScreeningContext, ctx
from services.screening.domain import may_route_manually, next_deadline
from services.screening.models import QueueEntry
from services.screening.queries import QueueFilter
from services.screening.web.common import WebUser, deadline_info, forbid_unless, render, web_user
from shared import districts
from shared.clock import as_utc
from shared.vocabulary import Category, OrderStatus

router = APIRouter(include_in_schema=False)

STATUS_CHOICES = ["open", "all", *[s.value for s in OrderStatus]]


def queue_row(c: ScreeningContext, row: QueueEntry) -> dict[str, Any]:
    """What a queue line shows: the next deadline, how near it is, and the deadline alerts."""
    deadline = next_deadline(
        OrderStatus(row.status),
        as_utc(row.decision_due) if row.decision_due else None,
        as_utc(row.execution_due) if row.execution_due else None,
    )
    info = deadline_info(c, deadline.due) if deadline else None
    alert = None
    if "breached" in (row.decision_alert, row.execution_alert):
        alert = "breached"
    elif "warning" in (row.decision_alert, row.execution_alert):
        alert = "warning"
    return {"row": row, "deadline": deadline, "info": info, "alert": alert}


def queue_filter(
    user: WebUser, status: str, category: str, q: str, district: str, alerts: bool
) -> QueueFilter:
    """The queue's filter from the query string; anything unknown falls back to the default."""
    return QueueFilter(
        status=status if status in STATUS_CHOICES else "open",
        category=category if category in {x.value for x in Category} else None,
        reference=q[:40] or None,
        district_code=district if user.is_admin and districts.district(district) else None,
        alerts_only=alerts,
    )


@router.get("/")
async def queue(
    request: Request,
    status: str = "open",
    category: str = "",
    q: str = "",
    district: str = "",
    alerts: bool = False,
    page: int = 1,
    user: WebUser = Depends(web_user),
) -> Response:
    c = ctx(request)
    wanted = queue_filter(user, status, category, q, district, alerts)
    page = max(1, min(page, 100_000))
    size = c.settings.page_size
    found = await reading.queue(
        c.db,
        user.officer,
        wanted,
        page=page - 1,
        page_size=size,
        since=c.clock() - timedelta(days=c.settings.nearby_days),
        count_unroutable=user.is_admin,
    )
    total = found.total
    filters = {
        "status": wanted.status,
        "category": wanted.category or "",
        "q": q,
        "district": wanted.district_code or "",
    }
    if alerts:
        filters["alerts"] = "1"
    return render(
        request,
        "queue.html",
        {
            "rows": [queue_row(c, row) for row in found.rows],
            "neighbours": found.neighbours,
            "total": total,
            "more": found.more,
            "total_text": f"{total:,}".replace(",", "."),
            "page": page,
            "pages": max(1, -(-total // size)),
            "has_next": len(found.rows) == size,
            "first": (page - 1) * size + 1 if total else 0,
            "last": min(page * size, total),
            "filters": filters,
            "alerts": alerts,
            "status_choices": STATUS_CHOICES,
            "categories": list(Category),
            "unroutable": found.unroutable,
            "searched": bool(q.strip()),
        },
    )


@router.get("/routing")
async def routing_queue(request: Request, user: WebUser = Depends(web_user)) -> Response:
    """National admins' queue of orders no rule could route, each with a form to route it."""
    forbid_unless(may_route_manually(user.role))
    c = ctx(request)
    waiting = await reading.unroutable_orders(c.db)
    return render(
        request,
        "routing.html",
        {
            "waiting": [
                {"order": order, "reason": reason, "info": deadline_info(c, order.decision_due)}
                for order, reason in waiting
            ],
        },
    )
