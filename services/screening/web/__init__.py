"""The officers' workspace: server-rendered pages over the same use cases as the JSON API."""

from __future__ import annotations

from fastapi import APIRouter

from services.screening.web import admin, auth, erasure, order_forms, orders, phone, queue, stats

router = APIRouter(include_in_schema=False)
for module in (auth, queue, orders, order_forms, erasure, phone, stats, admin):
    router.include_router(module.router)

__all__ = ["router"]
