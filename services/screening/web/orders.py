"""An order's page: all it says, its history, the orders nearby, and the forms that act on it."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from services.screening import reading
from services.screening.context import ScreeningContext, ctx
from services.screening.domain import (
    COMPLETABLE,
    DECIDABLE,
    REROUTABLE,
    SCHEDULABLE,
)
from services.screening.models import QueuedOrder
from services.screening.queries import OrderNotVisibleError
from services.screening.replies import FIELDS
from services.screening.web.common import (
    WebUser,
    deadline_info,
    render,
    web_user,
)
from shared import districts
from shared.vocabulary import FINAL_STATUSES, Language, OrderStatus, ReasonCode

router = APIRouter(include_in_schema=False)

DONE = {
    "decided": "Afgørelsen er sendt",
    "scheduled": "Planlægningen er sendt",
    "scheduled_late": "Planlægningen er sendt – bemærk: efter fristen for udførelse",
    "completed": "Bestillingen er registreret som udført",
    "asked": "Spørgsmålet er sendt til borgeren",
    "rerouted": "Bestillingen er sendt til en anden kreds",
    "routed": "Bestillingen er sendt til den valgte kreds",
    "erased": "Borgerens personoplysninger er slettet i alle tjenester",
}


def _content_rows(order: QueuedOrder) -> dict[str, Any]:
    content = order.content or {}
    return {
        "requester": content.get("requester") or {},
        "location": content.get("location") or {},
        "details": content.get("details") or {},
        "description": content.get("description", ""),
        "language": content.get("language", "da"),
        "channel": content.get("channel", "web"),
    }


async def order_page(
    request: Request,
    user: WebUser,
    order_id: str,
    *,
    group_ids: list[str],
    reason: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    late: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    """The order's page; the viewing is recorded in the audit trail."""
    c = ctx(request)
    try:
        found = await reading.view_order(c.db, user.officer, order_id, now=c.clock(), via="web")
    except OrderNotVisibleError:
        raise HTTPException(404, "order not found") from None
    around = await reading.surroundings(
        c.db,
        user.officer,
        found,
        group_ids,
        days=c.settings.nearby_days,
        metres=c.settings.nearby_metres,
    )
    context = _page_context(c, found, around, reason=reason, form=form)
    context.update(
        errors=errors or {},
        problem=problem,
        late=late or [],
        done=DONE.get(request.query_params.get("done", "")),
        done_count=request.query_params.get("n", ""),
    )
    return render(request, "order.html", context, status_code=status_code)


def _page_context(
    c: ScreeningContext,
    found: reading.OrderFile,
    around: reading.Surroundings,
    *,
    reason: str | None,
    form: dict[str, Any] | None,
) -> dict[str, Any]:
    order, history, replies = found.order, found.history, around.replies
    everyone = [order, *around.group]
    languages = {(o.content or {}).get("language", "da") for o in everyone}
    chosen = reason if reason in {r.value for r in ReasonCode} else ReasonCode.ACCEPTED.value
    form = dict(form or {})
    form.setdefault("message_da", replies.get((chosen, "da"), ""))
    form.setdefault("message_en", replies.get((chosen, "en"), ""))
    return {
        "order": order,
        "o": _content_rows(order),
        "status": OrderStatus(order.status),
        "decision_info": deadline_info(c, order.decision_due),
        "execution_info": deadline_info(c, order.execution_due),
        "history": history,
        "names": around.names,
        "questions": [a for a in history if a.kind in ("InfoRequested", "InfoProvided")],
        "group": around.group,
        "group_ids": [o.order_id for o in around.group],
        "nearby": around.nearby,
        "nearby_selectable": {
            n.order.order_id
            for n in around.nearby
            if OrderStatus(n.order.status) not in FINAL_STATUSES
        },
        "can": _possible_actions(order),
        "reasons": list(ReasonCode),
        "chosen_reason": form.get("reason_code", chosen),
        "replies_json": _replies_json(replies),
        "needs_english": "en" in languages,
        "needs_danish": "en" not in languages or "da" in languages,
        "has_traffic": any(o.category == "traffic_control" for o in everyone),
        "merge_fields": FIELDS,
        "form": form,
        "other_districts": [
            d for d in districts.DISTRICTS.values() if d.code != order.district_code
        ],
    }


def _possible_actions(order: QueuedOrder) -> dict[str, bool]:
    """Which of the page's forms fit the order's status."""
    status = OrderStatus(order.status)
    return {
        "decide": status in DECIDABLE and order.district_code is not None,
        "schedule": status in SCHEDULABLE,
        "complete": status in COMPLETABLE,
        "ask": status in (DECIDABLE | SCHEDULABLE) and order.district_code is not None,
        "reroute": status in REROUTABLE,
    }


def _replies_json(replies: dict[tuple[str, str], str]) -> str:
    """The district's reply texts for the page's script, safe inside a <script> element."""
    texts = {
        r.value: {lang.value: replies.get((r.value, lang.value), "") for lang in Language}
        for r in ReasonCode
    }
    return json.dumps(texts, ensure_ascii=False).replace("</", "<\\/")


@router.get("/orders/{order_id}")
async def order_detail(
    request: Request, order_id: str, user: WebUser = Depends(web_user)
) -> Response:
    return await order_page(
        request,
        user,
        order_id,
        group_ids=request.query_params.getlist("group"),
        reason=request.query_params.get("svar"),
    )


# --- acting ------------------------------------------------------------------------------------
