"""The contract of public.orders.v1 (DESIGN §6, §7): orders whose every personal and free-text
field holds a distinctive value go through their whole lifecycle on a real broker, and no
record of the agencies' stream, body or header, carries any of those values, the citizen's
reference or the planned date; the facts an agency follows are there."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from services.screening import accounts
from services.screening.models import OrderActivity, QueuedOrder
from shared import events
from shared.public_ids import public_id
from shared.vocabulary import Role
from tests.conftest import bootstrap_of
from tests.integration.conftest import Running, read_all
from tests.support import event_order, eventually, requester, talk_order, traffic_order

PLANNED = (datetime.now(UTC) + timedelta(days=9)).replace(hour=6, minute=47, second=0)
CORRELATION = "corr-Plimsollmaerke-4711"

# Every value a citizen or an officer writes, each one found nowhere else.
SECRETS = {
    "name": "Zebulon Quarkfeld",
    "email": "zebulon.quarkfeld@example.dk",
    "phone": "+45 71 82 93 04",
    "organisation": "Quarkfelds Vejlaug",
    "address": "Qvistvej 4321K",
    "house_number": "4321K",
    "other_house_number": "4399K",
    "precise_lat": "56.163947",
    "precise_lon": "10.207531",
    "description": "Xylofonen i Wompelhuset larmer",
    "question": "Hvornår kører Fnordlingerne?",
    "answer": "Mest ved Snorkelbakken",
    "accept_message": "Vi sender Trompetbanden",
    "decline_message": "Afslag fra Bramsebassekontoret",
    "schedule_note": "Hold Gnavpot kommer i civil",
    "summary": "Kontrollen ved Jabberwockhegnet er udført",
    "feedback": "Tak til Gobbledygook",
    "cancel_reason": "Fortrudt efter Flummerisagen",
    "event_name": "Snurrebassefesten",
    "venue": "Pladsen ved Pjokkehuset",
    "audience": "Medlemmer af Kvidderklubben",
    "correlation_id": CORRELATION,
    "planned_date": PLANNED.date().isoformat(),
    "planned_start": PLANNED.isoformat()[:16],
}


def _person(**extra: str) -> dict[str, str]:
    return requester(
        name=SECRETS["name"],
        email=SECRETS["email"],
        phone=SECRETS["phone"],
        organisation=SECRETS["organisation"],
        **extra,
    )


def _orders() -> dict[str, dict[str, Any]]:
    location = {
        "address": SECRETS["address"],
        "postal_code": "8000",
        "city": "Aarhus C",
        "municipality_code": "751",
        "lat": float(SECRETS["precise_lat"]),
        "lon": float(SECRETS["precise_lon"]),
    }
    traffic = traffic_order(requester=_person(), location=location)
    traffic["description"] = SECRETS["description"]
    traffic["details"]["road"] = (
        f"Qvistvej mellem nr. {SECRETS['house_number']} og {SECRETS['other_house_number']}"
    )
    talk = talk_order(requester=_person(), description=SECRETS["description"])
    talk["details"]["audience"] = SECRETS["audience"]
    talk["location"] = {**location, "postal_code": "5000", "municipality_code": "461"}
    gathering = event_order(requester=_person(), description=SECRETS["description"])
    gathering["details"].update(event_name=SECRETS["event_name"], venue=SECRETS["venue"])
    gathering["location"] = {**location, "postal_code": "3700", "municipality_code": "400"}
    return {"completed": traffic, "declined": talk, "cancelled": gathering}


async def _officer_token(screening: Running, district: str) -> dict[str, str]:
    email = f"betjent.{district}@politi.dk"
    async with screening.db.transaction() as session:
        await accounts.add_officer(
            session,
            email=email,
            name=SECRETS["name"],  # an officer's name must not travel either
            district_code=district,
            role=Role.OFFICER,
            password="a long enough password",
            now=datetime.now(UTC),
        )
        token = await accounts.issue_token(session, email, datetime.now(UTC))
    return {"Authorization": f"Bearer {token}"}


async def _in_screening(screening: Running, order_id: str, status: str) -> bool:
    async with screening.db.reading() as session:
        row = await session.get(QueuedOrder, order_id)
    return row is not None and row.status == status and row.content is not None


async def _until(screening: Running, order_id: str, status: str) -> None:
    await eventually(
        lambda: _in_screening(screening, order_id, status), within=60, what=f"{order_id} {status}"
    )


async def _follow_up(intake: Running, body: dict[str, Any], action: str, payload: dict) -> None:
    """A citizen's follow-up, once intake knows the step it follows (it hears it by Kafka)."""

    async def accepted() -> bool:
        response = await intake.client.post(
            f"/api/v1/orders/{body['reference']}/{action}",
            params={"token": body["status_token"]},
            json=payload,
        )
        return response.status_code == 200

    await eventually(accepted, within=60, what=f"intake taking the {action}")


async def _officer(screening: Running, auth: dict, order_id: str, action: str, payload: dict):
    response = await screening.client.post(
        f"/api/v1/orders/{order_id}/{action}", headers=auth, json=payload
    )
    assert response.status_code == 200, response.text


async def test_no_public_message_carries_personal_data_or_the_plan(kafka, start_service) -> None:
    intake = await start_service("intake")
    await start_service("routing")
    screening = await start_service("screening")
    bodies: dict[str, dict[str, Any]] = {}
    for outcome, order in _orders().items():
        response = await intake.client.post(
            "/api/v1/orders", json=order, headers={"X-Correlation-ID": CORRELATION}
        )
        assert response.status_code == 201, response.text
        bodies[outcome] = response.json()
    done, declined, cancelled = (bodies[k]["order_id"] for k in bodies)
    for order_id in bodies.values():
        await _until(screening, order_id["order_id"], "routed")
    aarhus, fyn = await _officer_token(screening, "1461"), await _officer_token(screening, "1465")

    # The whole life of a traffic control: asked about, answered, accepted, planned, done.
    await _officer(screening, aarhus, done, "questions", {"question": SECRETS["question"]})
    await _follow_up(intake, bodies["completed"], "answer", {"answer": SECRETS["answer"]})
    await _until(screening, done, "routed")
    await _officer(screening, aarhus, done, "decision", {
        "decision": "accepted", "reason_code": "accepted", "message": SECRETS["accept_message"]})  # fmt: skip
    await _officer(screening, aarhus, done, "schedule", {
        "planned_start": PLANNED.isoformat(), "note": SECRETS["schedule_note"]})  # fmt: skip
    await _officer(screening, aarhus, done, "complete", {
        "summary": SECRETS["summary"], "vehicles_checked": 212, "violations": 9})  # fmt: skip
    await _follow_up(intake, bodies["completed"], "feedback",
                     {"carried_out_seen": True, "rating": 4, "comment": SECRETS["feedback"]})  # fmt: skip
    # A talk declined, an event's order withdrawn by its citizen.
    await _officer(screening, fyn, declined, "decision", {
        "decision": "declined", "reason_code": "no_capacity", "message": SECRETS["decline_message"]})  # fmt: skip
    await _follow_up(intake, bodies["cancelled"], "cancel", {"reason": SECRETS["cancel_reason"]})
    await _until(screening, cancelled, "cancelled")

    async def feedback_folded() -> bool:
        async with screening.db.reading() as session:
            query = select(OrderActivity.kind).where(OrderActivity.order_id == done)
            kinds = (await session.exec(query)).all()
            pending = await screening.runtime.relay.store.pending_count(session)
        return "FeedbackReceived" in kinds and pending == 0

    await eventually(feedback_folded, within=60, what="the feedback folded, the outbox empty")

    records = await read_all(bootstrap_of(kafka), "public.orders.v1", at_least=13, within=60)

    # Nothing personal, free or planned, in any body or header.
    secrets = {**SECRETS, **{f"reference {k}": b["reference"] for k, b in bodies.items()}}
    secrets.update({f"order_id {k}": b["order_id"] for k, b in bodies.items()})
    secrets.update({f"token {k}": b["status_token"] for k, b in bodies.items()})
    secrets["phone digits"] = SECRETS["phone"].replace(" ", "").removeprefix("+45")
    for record in records:
        headers = {k: v.decode() for k, v in record.headers}
        wire = " ".join([record.key.decode(), record.value.decode(), *headers, *headers.values()])
        leaked = [what for what, value in secrets.items() if value.casefold() in wire.casefold()]
        assert not leaked, f"{leaked} in {wire}"
        assert "correlation_id" not in headers and "traceparent" not in headers
        assert headers["ce_subject"] == record.key.decode() == json.loads(record.value)["public_id"]

    # The facts an agency follows, by public id, are there.
    by_order: dict[str, list[events.PublicOrderEvent]] = {}
    for record in records:
        message = events.PublicOrderEvent.model_validate_json(record.value)
        by_order.setdefault(str(message.public_id), []).append(message)
    stories = {k: by_order[str(public_id(b["order_id"]))] for k, b in bodies.items()}
    told = [m.status for m in stories["completed"]]
    # first "received", or "routed" when screening heard of the routing before the order itself;
    # then one message a step, and nothing for the citizen's feedback
    assert told[0] in ("received", "routed")
    assert told[1:] == ["routed", "info_requested", "routed", "accepted", "scheduled", "completed"]
    assert all(m.road is None and m.location is None for m in stories["completed"][:-1])
    last = stories["completed"][-1]
    assert (last.status, last.category, last.district_code, last.municipality_code) == (
        "completed", "traffic_control", "1461", "751")  # fmt: skip
    assert (last.road, last.location and last.location.model_dump()) == (
        "Qvistvej", {"lat": 56.16, "lon": 10.21})  # fmt: skip
    assert (last.decision, last.reason_code, last.vehicles_checked, last.violations) == (
        "accepted", "accepted", 212, 9)  # fmt: skip
    assert (last.decision_deadline_met, last.execution_deadline_met) == (True, True)
    assert last.completed_on is not None and last.decided_on is not None
    talk = stories["declined"][-1]
    assert (talk.status, talk.reason_code, talk.talk_topic, talk.district_code) == (
        "declined", "no_capacity", "burglary_prevention", "1465")  # fmt: skip
    assert talk.location is not None and talk.road is None
    withdrawn = stories["cancelled"][-1]
    assert (withdrawn.status, withdrawn.category, withdrawn.decision) == (
        "cancelled", "event_presence", None)  # fmt: skip
