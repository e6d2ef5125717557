"""Two notifications processes side by side (one consumer group, one PostgreSQL database):
every alert is raised once and every email sent once."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func
from sqlmodel import col, select

from services.notifications.models import OutgoingEmail
from shared import events
from shared.clock import FrozenClock, utcnow
from shared.vocabulary import RoutingMethod
from tests.conftest import bootstrap_of, use_postgres
from tests.e2e.conftest import Inbox
from tests.integration.conftest import read_all
from tests.support import eventually, free_port, submitted_event

pytestmark = pytest.mark.skipif(
    not use_postgres(), reason="two instances share one database through PostgreSQL's row locks"
)

ORDERS = 200


async def test_two_instances_raise_each_alert_and_send_each_email_exactly_once(
    kafka, start_service, raw_producer
) -> None:
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    clock = FrozenClock()
    settings = {
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "send_poll_ms": 100,
        "deadline_check_s": 3600,
        "clock": clock,
    }
    try:
        first = await start_service("notifications", **settings)
        second = await start_service("notifications", **settings)
        orders = [submitted_event(now=clock()) for _ in range(ORDERS)]
        for order in orders:
            key = str(order.order_id).encode()
            await raw_producer.send(
                "orders.submitted.v1", order.model_dump_json().encode(), key=key
            )
            routed = events.OrderRouted(
                order_id=order.order_id,
                reference=order.reference,
                district_code="1461",
                district_name="Østjyllands Politi",
                method=RoutingMethod.MUNICIPALITY,
                routed_at=utcnow(),
            )
            await raw_producer.send("orders.routed.v1", routed.model_dump_json().encode(), key=key)
        await raw_producer.flush()

        async def receipts_sent() -> bool:
            return len(inbox.messages) >= ORDERS

        await eventually(receipts_sent, within=240, what="all receipts")
        due = orders[0].decision_due
        for moment in (due - timedelta(days=2), due + timedelta(minutes=1)):
            clock.now = moment
            counts = await asyncio.gather(
                first.app.state.deadlines.check(), second.app.state.deadlines.check()
            )
            assert sum(counts) == ORDERS, counts

        async def all_emails_sent() -> bool:
            return (
                len(inbox.messages) >= 3 * ORDERS
            )  # receipts, citizens' breach, districts' breach

        await eventually(all_emails_sent, within=240, what="breach emails")

        async def none_left_pending() -> bool:
            # a row is pending until its delivery committed: then no repeat can still come
            async with first.app.state.db.reading() as session:
                query = (
                    select(func.count())
                    .select_from(OutgoingEmail)
                    .where(col(OutgoingEmail.status) == "pending")
                )
                return (await session.exec(query)).one() == 0

        await eventually(none_left_pending, within=60, what="no email left pending")
        ids = Counter(str(m["Message-ID"]) for m in inbox.messages)
        assert len(inbox.messages) == 3 * ORDERS and max(ids.values()) == 1
        alerts = await read_all(bootstrap_of(kafka), "orders.deadlines.v1", at_least=2 * ORDERS)
        kinds = Counter(
            (json.loads(r.value)["order_id"], json.loads(r.value)["state"]) for r in alerts
        )
        assert len(kinds) == 2 * ORDERS and max(kinds.values()) == 1
    finally:
        smtp.stop()
