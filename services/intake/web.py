"""Intake's pages: the order form, the receipt and the status page (filled in by a later issue)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
