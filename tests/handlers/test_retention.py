"""Retention and erasure in each service, on the selected database, with the clock moved on.

Every test reads every row of every table of the service (and, for notifications, the `.eml`
files) and looks for the citizen's words: after anonymisation none may be left, the deletion
log says what went without saying what it was, and an order not yet due keeps its data.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.intake import service as intake_service
from services.intake.domain import OrderRequest
from services.screening import erasure
from services.screening.accounts import officer_by_email
from services.screening.models import Officer
from shared import events, migrations
from shared.db import execute
from shared.retention import BY_RETENTION, Rule
from shared.vocabulary import Decision, ReasonCode, Role, RoutingMethod
from tests.handlers.test_screening_web import add_officer, queued, sign_in
from tests.support import submitted_event, traffic_order

YEAR = timedelta(days=365)
#: What the citizen and the officers wrote: none of it may survive anonymisation.
PERSONAL = (
    "Mette Hansen",
    "mette.hansen@example.dk",
    "20 30 40 50",
    "Skovvejen 12",
    "Bilerne kører alt for stærkt",
    "56.156712",
    "Kære Mette",
    "Mette flytter",
    "Tak fra Mette",
)


def _order(**requester: str) -> dict[str, Any]:
    order = traffic_order()
    order["requester"].update(requester)
    order["location"].update(lat=56.156712, lon=10.210845)
    return order


async def _rows(db: Any) -> dict[str, list[str]]:
    """Every row of every table, as text."""
    found: dict[str, list[str]] = {}
    async with db.reading() as session:
        for table in db.metadata.sorted_tables:
            rows = (await execute(session, select(table))).all()
            found[table.name] = [json.dumps(list(r), default=str, ensure_ascii=False) for r in rows]
    return found


async def _personal_left(db: Any, marks: tuple[str, ...] = PERSONAL) -> list[tuple[str, str]]:
    rows = await _rows(db)
    return [(t, m) for t, texts in rows.items() for text in texts for m in marks if m in text]


async def _log(h: Any, order_id: Any) -> list[dict[str, Any]]:
    """The service's deletion-log entries of the order, oldest first."""
    deletions = importlib.import_module(f"services.{h.name}.models").deletions
    async with h.db.reading() as session:
        return await deletions.entries(session, str(order_id))


def _declined(
    order: events.OrderSubmitted, at: Any, name: str = "Mette Hansen"
) -> events.OrderScreened:
    return events.OrderScreened(
        order_id=order.order_id,
        reference=order.reference,
        occurred_at=at,
        district_code="1461",
        decision=Decision.DECLINED,
        reason_code=ReasonCode.NOT_A_POLICE_TASK,
        message=f"Kære {name}, det er kommunens opgave.",
        decided_at=at,
        decided_by="o-1",
    )


def _cancelled(order: events.OrderSubmitted, at: Any) -> events.OrderCancelled:
    return events.OrderCancelled(
        order_id=order.order_id,
        reference=order.reference,
        occurred_at=at,
        cancelled_at=at,
        reason="Mette flytter",
    )


def _routed(order: events.OrderSubmitted, at: Any) -> events.OrderRouted:
    return events.OrderRouted(
        order_id=order.order_id,
        reference=order.reference,
        occurred_at=at,
        district_code="1461",
        district_name="Østjyllands Politi",
        method=RoutingMethod.MUNICIPALITY,
        routed_at=at,
    )


def _erasure(order: events.OrderSubmitted, by: str = "admin-1") -> events.ErasureRequested:
    return events.ErasureRequested(
        order_id=order.order_id,
        reference=order.reference,
        requested_by=by,
        requested_at=order.submitted_at,
    )


def _assert_log_has_no_values(entries: list[dict[str, Any]]) -> None:
    text = json.dumps(entries, default=str, ensure_ascii=False)
    assert not [m for m in PERSONAL if m in text], text


# --- intake ----------------------------------------------------------------------------------


async def _submit(intake: Any, key: str, **requester: str) -> events.OrderSubmitted:
    ctx = intake.app.state.ctx
    result = await intake_service.submit_order(
        intake.db,
        OrderRequest.model_validate(_order(**requester)),
        settings=ctx.settings,
        now=intake.clock(),
        correlation_id="c",
        idempotency_key=key,
        fingerprint=key,
    )
    order_id = uuid.UUID(result.body["order_id"])
    [submitted] = [e for e in await intake.staged(events.OrderSubmitted) if e.order_id == order_id]
    return submitted


async def test_intake_anonymises_a_declined_order_five_years_on_and_keeps_a_younger_one(
    harness,
) -> None:
    intake = await harness("intake")
    old = await _submit(intake, "key-old")
    await intake.deliver(_declined(old, intake.clock()))
    intake.clock.advance(4 * YEAR)
    young = await _submit(intake, "key-young", name="Jens Jensen", email="jens@example.dk")
    await intake.deliver(_declined(young, intake.clock(), "Jens Jensen"))
    intake.clock.advance(YEAR + timedelta(days=2))

    assert await intake.app.state.retention.run_until_done() == 1

    left = await _personal_left(intake.db, PERSONAL)
    # the younger order keeps its data: its description and address are the same words
    assert {table for table, _ in left} <= {"orders", "order_history", "outbox"}
    assert await _personal_left(intake.db, ("Mette Hansen", "mette.hansen@example.dk")) == []
    assert await _personal_left(intake.db, ("Jens Jensen", "jens@example.dk"))
    [entry] = await _log(intake, old.order_id)
    assert entry["rule"] == Rule.CLOSED.value and entry["actor"] == BY_RETENTION
    assert {"orders.event.requester.name", "idempotency_keys"} <= set(entry["what"])
    assert any(w.startswith("order_history.facts") for w in entry["what"])
    assert any(w.startswith("outbox.orders.submitted.v1") for w in entry["what"])
    _assert_log_has_no_values([entry])
    assert await _log(intake, young.order_id) == []
    # the statistics' facts stay
    async with intake.db.reading() as session:
        from services.intake.models import Order

        row = await session.get(Order, str(old.order_id))
        assert row is not None and (row.status, row.category) == ("declined", "traffic_control")
    assert await intake.app.state.retention.run_once() == 0  # done once, not again


async def test_intake_erases_on_request_and_a_late_event_brings_nothing_back(harness) -> None:
    intake = await harness("intake")
    order = await _submit(intake, "key-1")
    erased = _erasure(order)
    await intake.deliver(erased)
    await intake.deliver(_declined(order, intake.clock()))  # arrives after the erasure
    assert await _personal_left(intake.db) == []
    entries = await _log(intake, order.order_id)
    assert entries[0]["rule"] == Rule.ERASURE.value and entries[0]["actor"] == "admin-1"
    assert entries[-1]["actor"] == "late:OrderScreened"
    _assert_log_has_no_values(entries)
    await intake.deliver(erased)  # redelivered: the same event id, nothing twice
    assert len(await _log(intake, order.order_id)) == len(entries)


async def test_an_erased_order_takes_no_follow_up_from_its_status_link(harness, client_for) -> None:
    intake = await harness("intake")
    result = await intake_service.submit_order(
        intake.db,
        OrderRequest.model_validate(_order()),
        settings=intake.app.state.ctx.settings,
        now=intake.clock(),
        correlation_id="c",
        idempotency_key="key-follow-up",
        fingerprint="key-follow-up",
    )
    reference, token = result.body["reference"], result.body["status_token"]
    [order] = await intake.staged(events.OrderSubmitted)
    await intake.deliver(_erasure(order))

    client = client_for(intake)
    refused = await client.post(
        f"/api/v1/orders/{reference}/cancel", params={"token": token}, json={"reason": "Ny tekst"}
    )
    assert refused.status_code == 404
    assert await intake.staged(events.OrderCancelled) == []
    assert await _personal_left(intake.db, ("Ny tekst",)) == []


# --- screening -------------------------------------------------------------------------------


async def test_screening_anonymises_a_withdrawn_order_after_a_year(harness) -> None:
    screening = await harness("screening")
    old = await queued(screening, **_order())
    await screening.deliver(_cancelled(old, screening.clock()))
    screening.clock.advance(YEAR - timedelta(days=30))
    young = await queued(screening, **_order(name="Jens Jensen", email="jens@example.dk"))
    await screening.deliver(_cancelled(young, screening.clock()))
    screening.clock.advance(timedelta(days=31))

    assert await screening.app.state.retention.run_until_done() == 1

    assert await _personal_left(screening.db, ("Mette Hansen", "mette.hansen@example.dk")) == []
    assert await _personal_left(screening.db, ("Jens Jensen",))
    [entry] = await _log(screening, old.order_id)
    assert entry["rule"] == Rule.CANCELLED.value
    assert "queued_orders.content.requester.name" in entry["what"]
    assert "order_activity.OrderCancelled.reason" in entry["what"]
    assert "queue_entries.lat" in entry["what"]
    _assert_log_has_no_values([entry])
    from services.screening.models import QueueEntry

    async with screening.db.reading() as session:
        queue_entry = await session.get(QueueEntry, str(old.order_id))
        assert queue_entry is not None and queue_entry.status == "cancelled"
        assert (queue_entry.lat, queue_entry.lon) == (56.16, 10.21)


async def _admin(h: Any) -> tuple[Any, Officer]:
    email = await add_officer(h, Role.NATIONAL_ADMIN, None)
    browser = await sign_in(h, email)
    async with h.db.reading() as session:
        officer = await officer_by_email(session, email)
    assert officer is not None
    return browser, officer


async def test_a_national_admin_erases_after_confirming_the_reference(harness) -> None:
    screening = await harness("screening")
    order = await queued(screening, **_order())
    browser, admin = await _admin(screening)
    page = await browser.get(f"/orders/{order.order_id}")
    assert f'href="/orders/{order.order_id}/erase"' in page.text
    confirm = await browser.get(f"/orders/{order.order_id}/erase")
    assert confirm.status_code == 200 and "kan ikke fortrydes" in confirm.text

    wrong = await browser.post(f"/orders/{order.order_id}/erase", {"confirm_reference": "BEB-X"})
    assert wrong.status_code == 422
    assert await screening.staged(events.ErasureRequested) == []

    done = await browser.post(
        f"/orders/{order.order_id}/erase", {"confirm_reference": order.reference.lower()}
    )
    assert done.status_code == 303 and done.headers["location"].endswith("done=erased")
    [sent] = await screening.staged(events.ErasureRequested)
    assert (sent.order_id, sent.requested_by) == (order.order_id, admin.id)
    marks = ("Mette Hansen", "mette.hansen@example.dk", "Skovvejen 12", "56.156712")
    assert await _personal_left(screening.db, marks) == []
    [entry] = await _log(screening, order.order_id)
    assert (entry["rule"], entry["actor"]) == (Rule.ERASURE.value, admin.id)
    page = await browser.get(f"/orders/{order.order_id}?done=erased")
    assert "Personoplysninger slettet" in page.text and "Mette" not in page.text


@pytest.mark.parametrize("role", [Role.OFFICER, Role.COORDINATOR], ids=["officer", "coordinator"])
async def test_officers_and_coordinators_cannot_erase(harness, role: Role) -> None:
    screening = await harness("screening")
    order = await queued(screening, **_order())
    email = await add_officer(screening, role, "1461")
    browser = await sign_in(screening, email)
    page = await browser.get(f"/orders/{order.order_id}")
    assert page.status_code == 200 and "/erase" not in page.text
    assert (await browser.get(f"/orders/{order.order_id}/erase")).status_code == 403
    posted = await browser.post(
        f"/orders/{order.order_id}/erase", {"confirm_reference": order.reference}
    )
    assert posted.status_code == 403
    async with screening.db.reading() as session:
        officer = await officer_by_email(session, email)
    with pytest.raises(erasure.ErasureNotAllowedError):
        await erasure.erase_order(screening.db, officer, order.reference, now=screening.clock())
    assert await screening.staged(events.ErasureRequested) == []
    assert await _personal_left(screening.db, ("Mette Hansen",))


async def test_erasing_needs_the_sessions_form_token(harness) -> None:
    screening = await harness("screening")
    order = await queued(screening, **_order())
    browser, _ = await _admin(screening)
    refused = await browser.post(
        f"/orders/{order.order_id}/erase", {"confirm_reference": order.reference}, csrf=False
    )
    assert refused.status_code == 403
    assert await screening.staged(events.ErasureRequested) == []


async def test_bestil_erase_goes_through_screening_and_names_cli(harness, monkeypatch) -> None:
    from bestil import cli

    screening = await harness("screening")
    order = await queued(screening, **_order())
    monkeypatch.setenv("BESTIL_SCREENING_DATABASE_URL", screening.db.url)

    async def at_head(*_args: Any) -> None:  # the harness made the tables with create_all
        return None

    monkeypatch.setattr(migrations, "upgrade", at_head)
    assert await asyncio.to_thread(cli.main, ["erase", order.reference]) == 0
    [sent] = await screening.staged(events.ErasureRequested)
    assert sent.requested_by == erasure.CLI
    assert await _personal_left(screening.db, ("Mette Hansen", "Skovvejen 12")) == []
    assert await asyncio.to_thread(cli.main, ["erase", "BEB-00000000"]) == 2


# --- notifications ---------------------------------------------------------------------------


def _mail_dir(h: Any) -> Path:
    return Path(h.app.state.mailer.settings.resolved_mail_dir())


def _mail_texts(h: Any) -> list[str]:
    directory = _mail_dir(h)
    return [p.read_text() for p in sorted(directory.glob("*.eml"))] if directory.exists() else []


async def test_notifications_anonymises_contact_emails_and_files_five_years_on(harness) -> None:
    notifications = await harness("notifications")
    old = submitted_event(_order(), now=notifications.clock())
    await notifications.deliver(old)
    await notifications.deliver(_declined(old, notifications.clock()))
    notifications.clock.advance(4 * YEAR)
    young = submitted_event(_order(name="Jens Jensen", email="jens@example.dk"))
    await notifications.deliver(young)
    assert await notifications.app.state.mailer.send_due() == 3
    assert any(old.reference in name.name for name in _mail_dir(notifications).glob("*.eml"))
    notifications.clock.advance(YEAR + timedelta(days=2))

    assert await notifications.app.state.retention.run_until_done() == 1

    assert await _personal_left(notifications.db, ("Mette Hansen", "mette.hansen@example.dk")) == []
    assert await _personal_left(notifications.db, ("Jens Jensen",))
    names = [p.name for p in _mail_dir(notifications).glob("*.eml")]
    assert names and not any(old.reference in n for n in names)
    assert any(young.reference in n for n in names)
    [entry] = await _log(notifications, old.order_id)
    assert entry["rule"] == Rule.CLOSED.value
    assert {"contacts.name", "contacts.email", "mail_files.eml"} <= set(entry["what"])
    _assert_log_has_no_values([entry])


async def test_notifications_keeps_a_withdrawn_order_until_its_year_is_up(harness) -> None:
    notifications = await harness("notifications")
    order = submitted_event(_order(), now=notifications.clock())
    await notifications.deliver(order)
    await notifications.deliver(_cancelled(order, notifications.clock()))
    notifications.clock.advance(YEAR - timedelta(days=1))
    assert await notifications.app.state.retention.run_until_done() == 0
    assert await _personal_left(notifications.db, ("Mette Hansen",))
    notifications.clock.advance(timedelta(days=2))
    assert await notifications.app.state.retention.run_until_done() == 1
    [entry] = await _log(notifications, order.order_id)
    assert entry["rule"] == Rule.CANCELLED.value


async def test_an_erasure_before_the_order_arrives_means_no_email_at_all(harness) -> None:
    notifications = await harness("notifications")
    order = submitted_event(_order())
    await notifications.deliver(_erasure(order))
    await notifications.deliver(order)
    assert await notifications.app.state.mailer.send_due() == 0
    assert _mail_texts(notifications) == []
    assert await _personal_left(notifications.db) == []


# --- routing ---------------------------------------------------------------------------------


async def test_routing_holds_nothing_personal_and_logs_the_erasure_and_the_job(harness) -> None:
    routing = await harness("routing")
    order = submitted_event(_order())
    await routing.deliver(order)
    await routing.deliver(_erasure(order))
    assert await _personal_left(routing.db) == []
    [entry] = await _log(routing, order.order_id)
    assert (entry["rule"], entry["what"]) == (Rule.ERASURE.value, [])

    other = submitted_event(_order())
    await routing.deliver(other)
    assert await routing.app.state.retention.run_until_done() == 0
    routing.clock.advance(5 * YEAR + timedelta(days=1))
    assert await routing.app.state.retention.run_until_done() == 1
    [entry] = await _log(routing, other.order_id)
    assert entry["rule"] == Rule.OPEN.value


# --- across the services ---------------------------------------------------------------------


async def test_an_erasure_in_the_workspace_reaches_every_service(harness) -> None:
    intake, routing, screening, notifications = [
        await harness(name) for name in ("intake", "routing", "screening", "notifications")
    ]
    order = await _submit(intake, "key-everywhere")
    for h in (routing, screening, notifications):
        await h.deliver(order)
    [routed] = await routing.staged(events.OrderRouted)
    for h in (intake, screening, notifications):
        await h.deliver(routed)
    await notifications.deliver(_declined(order, notifications.clock()))
    await intake.deliver(_declined(order, intake.clock()))
    assert await notifications.app.state.mailer.send_due() == 2
    assert any("Mette Hansen" in text for text in _mail_texts(notifications))

    browser, admin = await _admin(screening)
    done = await browser.post(
        f"/orders/{order.order_id}/erase", {"confirm_reference": order.reference}
    )
    assert done.status_code == 303
    [sent] = await screening.staged(events.ErasureRequested)
    for h in (intake, routing, notifications):
        await h.deliver(sent)

    for h in (intake, routing, screening, notifications):
        assert await _personal_left(h.db) == [], h.name
        [entry] = await _log(h, order.order_id)
        assert (entry["rule"], entry["actor"]) == (Rule.ERASURE.value, admin.id), h.name
        _assert_log_has_no_values([entry])
    assert _mail_texts(notifications) == []
    # the citizen's late feedback is anonymised in screening as it arrives
    await screening.deliver(
        events.FeedbackReceived(
            order_id=order.order_id,
            reference=order.reference,
            carried_out_seen=True,
            rating=5,
            comment="Tak fra Mette",
            received_at=screening.clock(),
        )
    )
    assert await _personal_left(screening.db) == []


async def test_a_bad_erasure_payload_is_dead_lettered_and_changes_nothing(harness) -> None:
    intake = await harness("intake")
    order = await _submit(intake, "key-bad")
    await intake.deliver(b'{"order_id": "not-a-uuid"}', "orders.erasure-requested.v1")
    assert len(intake.dead_letters) == 1
    assert await _personal_left(intake.db, ("Mette Hansen",))
    assert await _log(intake, order.order_id) == []
