"""Intake's pages for citizens: the order form, the receipt and the status page (DESIGN §4).

Server-rendered and complete without JavaScript (script only adds a map pin, fills the
municipality from the postal code or the pin, and shows the receipt's print button). The
words come from one strings table per language, `templates/strings/<language>.json`, so each
page is written once for both languages.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.intake.web import actions, form, overview, status

router = APIRouter(include_in_schema=False)
for module in (form, status, actions, overview):
    router.include_router(module.router)

__all__ = ["router"]
