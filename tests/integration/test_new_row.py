"""`shared.db.new_row` builds the row the model's constructor builds, and writes the same one.

The consumers create their queue and routing rows with it (the constructor's attribute hooks
cost more than the rest of an event); a difference would show only later, as a column
written empty or a default shared between rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import inspect
from sqlmodel import select

from services.routing.models import Routing
from services.screening.models import OrderActivity, QueuedOrder, QueueEntry, ScreeningBase
from shared.db import Database, new_row

NOW = datetime(2026, 5, 4, 8, 30, tzinfo=UTC)

ROWS: list[tuple[type[Any], dict[str, Any]]] = [
    (QueuedOrder, {"order_id": "o-1", "reference": "R-1", "status": "received", "updated_at": NOW}),
    (
        QueuedOrder,
        {
            "order_id": "o-2",
            "reference": "R-2",
            "status": "routed",
            "updated_at": NOW,
            "category": "traffic_control",
            "urgent": True,
            "content": {"details": {"road": "Skolevej"}},
        },
    ),
    (
        QueueEntry,
        {
            "order_id": "o-3",
            "reference": "R-3",
            "status": "received",
            "category": "talk",
            "submitted_at": NOW,
            "road_key": "",
            "subject": "Foredrag",
        },
    ),
    (OrderActivity, {"order_id": "o-4", "kind": "OrderSubmitted", "at": NOW}),
    (Routing, {"order_id": "o-5", "reference": "R-5", "routed_at": NOW}),
]


def fields_of(row: Any) -> dict[str, Any]:
    return {k: v for k, v in row.__dict__.items() if not k.startswith("_sa_")}


@pytest.mark.parametrize(("model", "values"), ROWS, ids=lambda v: getattr(v, "__name__", ""))
def test_the_row_is_the_constructors(model: type[Any], values: dict[str, Any]) -> None:
    built, constructed = new_row(model, **values), model(**values)
    assert fields_of(built) == fields_of(constructed)
    assert built.__pydantic_fields_set__ == constructed.__pydantic_fields_set__
    assert built.model_dump() == constructed.model_dump()
    assert inspect(built).transient


def test_defaults_made_by_a_factory_are_not_shared() -> None:
    first, second = (new_row(OrderActivity, order_id=str(i), kind="k", at=NOW) for i in (1, 2))
    first.facts["x"] = 1
    assert second.facts == {}


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(TypeError, match="no field colour"):
        new_row(QueuedOrder, order_id="o", reference="R", status="received", colour="blue")


async def test_it_writes_the_row_the_constructor_writes(
    database_url: Callable[..., Any],
) -> None:
    """Through a session on the real database (SQLite, or PostgreSQL in that run), then changed
    once more in the same transaction, as a later event of the batch would."""
    screening = [(m, v) for m, v in ROWS if issubclass(m, ScreeningBase)]
    db = Database(await database_url("screening"), ScreeningBase.metadata)
    await db.create_all()
    try:
        async with db.transaction() as session:
            for model, values in screening:
                built = new_row(model, **{**values, "order_id": f"new-{values['order_id']}"})
                session.add(built)
                session.add(model(**{**values, "order_id": f"old-{values['order_id']}"}))
                if model is QueuedOrder:
                    built.status = "screened"
        async with db.reading() as session:
            for model, values in screening:
                found = {
                    row.order_id.split("-", 1)[0]: row
                    for row in (await session.exec(select(model))).all()
                    if row.order_id.endswith(values["order_id"])
                }
                new, old = (fields_of(found[k]) for k in ("new", "old"))
                assert new.pop("order_id") == f"new-{values['order_id']}"
                assert old.pop("order_id") == f"old-{values['order_id']}"
                if model is QueuedOrder:
                    assert new.pop("status") == "screened"
                    old.pop("status")
                new.pop("id", None), old.pop("id", None)  # the database's own serial
                assert new == old
    finally:
        await db.dispose()
