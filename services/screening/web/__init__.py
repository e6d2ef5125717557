"""The officers' workspace: server-rendered pages over the same use cases as the JSON API."""

from __future__ import annotations

from fastapi import APIRouter

from services.screening.web import (
    admin,
    auth,
    erasure,
    exports,
    map,
    order_forms,
    orders,
    phone,
    plan,
    queue,
    stats,
)

router = APIRouter(include_in_schema=False)
for module in (
    auth,
    queue,
    map,
    orders,
    order_forms,
    erasure,
    phone,
    plan,
    stats,
    exports,
    admin,
):
    router.include_router(module.router)

__all__ = ["router"]
