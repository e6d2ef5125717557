"""Erasure across four processes: `bestil erase` in screening, and the citizen's data is gone
from every service's database, carried there by `orders.erasure-requested.v1`."""

from __future__ import annotations

import importlib

import httpx
import pytest

from shared.db import Database
from shared.settings import sqlite_url
from tests.e2e.conftest import PREFIX, System, officer
from tests.handlers.test_retention import _personal_left
from tests.support import eventually, traffic_order

pytestmark = pytest.mark.e2e

MARKS = ("Mette Hansen", "mette.hansen@example.dk", "Skovvejen 12", "Bilerne kører alt for stærkt")
BASES = {
    "intake": "IntakeBase",
    "routing": "RoutingBase",
    "screening": "ScreeningBase",
    "notifications": "NotificationsBase",
}


def _database(system: System, service: str) -> Database:
    models = importlib.import_module(f"services.{service}.models")
    url = system.env.get(f"BESTIL_{PREFIX[service]}_DATABASE_URL") or sqlite_url(
        system.root / "var", service
    )
    return Database(url, getattr(models, BASES[service]).metadata)


async def test_bestil_erase_removes_the_citizens_data_from_every_service(system: System) -> None:
    national = officer(system, None, "national_admin")
    async with httpx.AsyncClient(timeout=10) as http:
        placed = await http.post(f"{system.url('intake')}/api/v1/orders", json=traffic_order())
        assert placed.status_code == 201, placed.text
        order_id, reference = placed.json()["order_id"], placed.json()["reference"]

        async def queued() -> bool:
            answer = await http.get(
                f"{system.url('screening')}/api/v1/orders/{order_id}", headers=national
            )
            return answer.status_code == 200 and answer.json().get("district_code") is not None

        await eventually(queued, what="the order in its district's queue")
        await eventually(lambda: _received(system, reference), what="the receipt")

        out = system.bestil("erase", reference)
        assert reference in out

        databases = {service: _database(system, service) for service in BASES}
        try:

            async def erased_everywhere() -> bool:
                for db in databases.values():
                    if await _personal_left(db, MARKS):
                        return False
                return True

            await eventually(erased_everywhere, within=60, what="no personal data left")

            async def logged_everywhere() -> bool:
                for service, db in databases.items():
                    deletions = importlib.import_module(f"services.{service}.models").deletions
                    async with db.reading() as session:
                        if not await deletions.entries(session, order_id):
                            return False
                return True

            await eventually(logged_everywhere, within=60, what="every service's deletion log")
            answer = await http.get(
                f"{system.url('screening')}/api/v1/orders/{order_id}", headers=national
            )
            assert "Mette" not in answer.text
        finally:
            for db in databases.values():
                await db.dispose()


async def _received(system: System, reference: str) -> bool:
    return bool(system.inbox.about(reference))
