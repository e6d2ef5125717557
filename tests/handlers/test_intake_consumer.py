"""Intake's consumer: keeps the citizen's status and timeline current from other services' events."""

from __future__ import annotations

import uuid

from services.intake import follow_ups, service
from services.intake.domain import OrderRequest
from shared import events
from shared.clock import utcnow
from shared.references import status_token
from shared.vocabulary import Decision, ReasonCode, RoutingMethod
from tests.support import traffic_order


async def _submit(intake) -> tuple[str, str, uuid.UUID]:
    ctx = intake.app.state.ctx
    result = await service.submit_order(
        intake.db,
        OrderRequest.model_validate(traffic_order()),
        settings=ctx.settings,
        now=intake.clock(),
        correlation_id="c",
    )
    return result.body["reference"], result.body["status_token"], uuid.UUID(result.body["order_id"])


def _routed(order_id: uuid.UUID, reference: str) -> events.OrderRouted:
    return events.OrderRouted(
        order_id=order_id,
        reference=reference,
        district_code="1461",
        district_name="Østjyllands Politi",
        method=RoutingMethod.MUNICIPALITY,
        routed_at=utcnow(),
    )


def _accepted(order_id: uuid.UUID, reference: str) -> events.OrderScreened:
    return events.OrderScreened(
        order_id=order_id,
        reference=reference,
        district_code="1461",
        decision=Decision.ACCEPTED,
        reason_code=ReasonCode.ACCEPTED,
        message="Vi kommer forbi.",
        decided_at=utcnow(),
        decided_by="o-1",
    )


async def _status(intake, reference: str, token: str) -> dict:
    secret = intake.app.state.ctx.settings.links.status_link_secret
    return await follow_ups.order_status(intake.db, reference, token, secret)


async def test_routed_order_shows_its_district_to_the_citizen(harness) -> None:
    intake = await harness("intake")
    reference, token, order_id = await _submit(intake)
    await intake.deliver(_routed(order_id, reference))
    status = await _status(intake, reference, token)
    assert status["status"] == "routed"
    assert status["district"] == {"code": "1461", "name": "Østjyllands Politi"}
    assert [h["kind"] for h in status["history"]] == ["OrderSubmitted", "OrderRouted"]


async def test_bad_payload_is_dead_lettered(harness) -> None:
    intake = await harness("intake")
    await intake.deliver(b"{}", "orders.screened.v1")
    [(_, headers)] = intake.dead_letters
    assert headers["x-original-topic"] == "orders.screened.v1"
    assert "order_id" in headers["x-error-message"]


async def test_redelivered_event_adds_one_line_to_the_timeline(harness) -> None:
    intake = await harness("intake")
    reference, token, order_id = await _submit(intake)
    routed = _routed(order_id, reference)
    await intake.deliver(routed)
    await intake.deliver(routed)
    status = await _status(intake, reference, token)
    assert [h["kind"] for h in status["history"]] == ["OrderSubmitted", "OrderRouted"]


async def test_decision_arriving_before_the_routing_is_not_undone_by_it(harness) -> None:
    intake = await harness("intake")
    reference, token, order_id = await _submit(intake)
    await intake.deliver(_accepted(order_id, reference))
    await intake.deliver(_routed(order_id, reference))
    status = await _status(intake, reference, token)
    assert status["status"] == "accepted"
    assert status["district"]["code"] == "1461"


async def test_wrong_token_reveals_nothing(harness) -> None:
    intake = await harness("intake")
    reference, _token, _ = await _submit(intake)
    try:
        await _status(intake, reference, status_token(reference, "another secret"))
    except follow_ups.OrderNotFoundError:
        return
    raise AssertionError("a wrong token must not show the order")
