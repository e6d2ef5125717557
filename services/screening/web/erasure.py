"""The workspace's erasure of one order's personal data: a confirmation page, then the action.

National admins only (anyone else gets 403); the admin confirms by typing the order's
reference, and the form carries the session's CSRF token like every other.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from services.screening import erasure
from services.screening.context import ctx
from services.screening.models import QueuedOrder
from services.screening.queries import OrderNotVisibleError, visible_order
from services.screening.web.common import WebUser, forbid_unless, form_user, render, web_user

router = APIRouter(include_in_schema=False)

TEXT = {
    "title": "Slet personoplysninger",
    "confirm_missing": "Skriv bestillingens reference for at bekræfte sletningen.",
    "confirm_wrong": "Referencen passer ikke med bestillingen. Intet er slettet.",
}


async def _order(request: Request, user: WebUser, order_id: str) -> QueuedOrder:
    forbid_unless(erasure.may_erase(user.role))
    async with ctx(request).db.reading() as session:
        try:
            return await visible_order(session, user.officer, order_id)
        except OrderNotVisibleError:
            raise HTTPException(404, "order not found") from None


def _page(
    request: Request, order: QueuedOrder, *, error: str | None = None, status_code: int = 200
) -> Response:
    return render(
        request,
        "erase.html",
        {"order": order, "text": TEXT, "error": error},
        status_code=status_code,
    )


@router.get("/orders/{order_id}/erase")
async def confirm_erasure(
    request: Request, order_id: str, user: WebUser = Depends(web_user)
) -> Response:
    return _page(request, await _order(request, user, order_id))


@router.post("/orders/{order_id}/erase")
async def erase_order(
    request: Request, order_id: str, user: WebUser = Depends(form_user)
) -> Response:
    order = await _order(request, user, order_id)
    typed = str((await request.form()).get("confirm_reference", "")).strip().upper()
    if typed != order.reference:
        error = TEXT["confirm_wrong"] if typed else TEXT["confirm_missing"]
        return _page(request, order, error=error, status_code=422)
    c = ctx(request)
    try:
        await erasure.erase_order(c.db, user.officer, order.order_id, now=c.clock(), via="web")
    except OrderNotVisibleError:
        raise HTTPException(404, "order not found") from None
    c.runtime.relay.wake()
    return RedirectResponse(f"/orders/{order.order_id}?done=erased", status_code=303)
