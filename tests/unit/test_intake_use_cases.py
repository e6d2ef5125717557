"""Intake's use cases and their HTTP mapping with fakes: no database, no broker, no app."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from services.intake import follow_ups, handlers, http, service
from services.intake.domain import FieldError, OrderRequest, check_order_rules
from services.intake.settings import IntakeSettings
from services.intake.web.common import strings
from shared import events
from shared.settings import DeadlineSettings
from shared.vocabulary import OrderStatus
from tests.support import talk_order, traffic_order

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


class UntouchableDatabase:
    """A database that fails the test if a use case reaches it."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the database was used ({name}) for an order that is not valid")


class FakeRelay:
    def __init__(self) -> None:
        self.woken = 0

    def wake(self) -> None:
        self.woken += 1


def fake_context() -> Any:
    links = SimpleNamespace(status_link_secret="s", verifying_secrets=["s", "retired"])
    settings = SimpleNamespace(links=links)
    return SimpleNamespace(
        db="the database",
        settings=settings,
        clock=lambda: NOW,
        runtime=SimpleNamespace(relay=FakeRelay()),
    )


def submission(data: Any, **kwargs: Any) -> service.Submission:
    return service.Submission(data, "da", "correlation", **kwargs)


async def test_an_invalid_order_is_refused_before_the_database_is_touched() -> None:
    order = traffic_order()
    del order["consent"]
    with pytest.raises(service.InvalidOrderError) as refused:
        await service.accept_order(
            UntouchableDatabase(),  # type: ignore[arg-type]
            submission(order),
            settings=IntakeSettings(),
            now=NOW,
        )
    assert [e["type"] for e in refused.value.errors] == ["consent_required"]


def test_the_channels_own_errors_come_after_the_orders() -> None:
    order = copy.deepcopy(traffic_order())
    order["location"]["municipality_code"] = "999"
    honeypot = FieldError(("website",), "honeypot_filled")
    with pytest.raises(service.InvalidOrderError) as refused:
        service.validated_order(
            submission(order, channel_errors=[honeypot]), NOW, DeadlineSettings()
        )
    assert [e["type"] for e in refused.value.errors] == ["unknown_municipality", "honeypot_filled"]


def test_a_valid_order_passes_validation_unchanged() -> None:
    order = service.validated_order(submission(traffic_order()), NOW, DeadlineSettings())
    assert order == OrderRequest.model_validate(traffic_order())


@pytest.mark.parametrize(
    "data",
    [traffic_order(), talk_order()],
    ids=["traffic-control-has-no-preferred-dates", "talk-without-preferred-dates"],
)
def test_orders_without_preferred_dates_break_no_date_rule(data: dict[str, Any]) -> None:
    assert check_order_rules(OrderRequest.model_validate(data), NOW, DeadlineSettings()) == []


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (follow_ups.OrderNotFoundError("BEB-1"), http.NOT_FOUND),
        (follow_ups.CannotCancelError(OrderStatus.COMPLETED), "cannot_withdraw"),
        (follow_ups.NoOpenQuestionError("BEB-1"), "no_open_question"),
        (follow_ups.FeedbackNotOpenError("BEB-1"), "feedback_not_open"),
    ],
    ids=["not-found", "cannot-withdraw", "no-open-question", "feedback-not-open"],
)
async def test_a_refused_follow_up_says_why_and_publishes_nothing(
    raised: Exception, expected: str
) -> None:
    c = fake_context()

    async def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise raised

    assert await http.follow_up(c, "BEB-1", "token", refuse) == expected
    assert c.runtime.relay.woken == 0


async def test_a_recorded_follow_up_wakes_the_relay() -> None:
    c = fake_context()
    calls: list[tuple[Any, ...]] = []

    async def record(*args: Any, **kwargs: Any) -> None:
        calls.append((*args, kwargs))

    assert await http.follow_up(c, "BEB-1", "token", record) is None
    # Every key that still opens a link: the current one, then those a rotation retired.
    assert calls == [("the database", "BEB-1", "token", ["s", "retired"], {"now": NOW})]
    assert c.runtime.relay.woken == 1


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_refusal_has_words_in_the_api_and_on_the_pages(language: str) -> None:
    for refusal in follow_ups.FollowUpRefusedError.__subclasses__():
        assert http.say(refusal.reason, language)
        assert strings(language)["status"][refusal.reason]


def test_each_fact_intake_follows_has_its_own_subscriber() -> None:
    subscribers = handlers.subscribers()
    assert set(subscribers) == {
        events.OrderRouted,
        events.OrderUnroutable,
        events.OrderScreened,
        events.OrderScheduled,
        events.OrderCompleted,
        events.InfoRequested,
        events.ErasureRequested,
        events.PublicOrderEvent,
    }
    assert len(set(subscribers.values())) == len(subscribers)
    assert all(handler.__name__.startswith("on_") for handler in subscribers.values())
