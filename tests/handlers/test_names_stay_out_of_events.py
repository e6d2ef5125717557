"""The citizen's name stays out of the events: `{navn}` travels as written, the email fills it in,
and the status page (which shows no name) leaves it out (issue 13, item 2)."""

from __future__ import annotations

import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from services.screening.models import AuditEntry, OrderActivity
from services.screening.replies import default_template, merge_values
from shared import events
from shared.clock import utcnow
from shared.merge_fields import fill
from shared.vocabulary import Decision, Language, ReasonCode, RoutingMethod
from tests.handlers.test_screening_web import officer_browser, queued
from tests.support import requester, submitted_event, traffic_order

NAME = "Mette Hansen"
DISTRICT = "Østjyllands Politi"


def _names_in(text: str) -> list[str]:
    return [part for part in NAME.split() if part in text]


def _mails(h: Any) -> list[EmailMessage]:
    directory = Path(h.app.state.mailer.settings.resolved_mail_dir())
    return [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(directory.glob("*.eml"))
    ]


def _bodies(mail: EmailMessage) -> tuple[str, str]:
    plain, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def _screened(
    order_id: uuid.UUID, reference: str, message: str, decision: Decision = Decision.DECLINED
) -> events.OrderScreened:
    return events.OrderScreened(
        order_id=order_id,
        reference=reference,
        district_code="1461",
        decision=decision,
        reason_code=ReasonCode.ACCEPTED
        if decision == Decision.ACCEPTED
        else ReasonCode.NO_CAPACITY,
        message=message,
        decided_at=utcnow(),
        decided_by="officer-1",
    )


#: The default texts greet no one (the email does); an officer may add a greeting by name.
SALUTATION = {Language.DA: "Kære {navn}\n\n", Language.EN: "Dear {navn}\n\n"}


def _as_screening_sends(
    reason: ReasonCode, language: Language, reference: str, *, greeting: str = ""
) -> str:
    """The district's default text (with an officer's `greeting` before it) as screening puts it
    on the topic: all but {navn} filled."""
    content = {"category": "traffic_control", "details": {"road": "Skovvejen"}}
    values = merge_values(content, reference, DISTRICT, language)
    return fill(greeting + default_template(reason, language), values)


# --- screening: the event carries the placeholder, never the name -------------------------------


async def test_a_decision_made_with_a_template_publishes_no_name(harness) -> None:
    screening = await harness("screening")
    order = await queued(screening, requester=requester(name=NAME))
    browser = await officer_browser(screening)
    response = await browser.post(
        f"/orders/{order.order_id}/decision",
        {
            "reason_code": "no_capacity",
            "message_da": SALUTATION[Language.DA]
            + default_template(ReasonCode.NO_CAPACITY, Language.DA),
        },
    )
    assert response.status_code == 303, response.text
    [screened] = await screening.staged(events.OrderScreened)
    assert screened.message.startswith("Kære {navn}\n\nTak for din bestilling " + order.reference)
    assert "en færdselskontrol på" in screened.message  # the non-personal fields are filled
    assert _names_in(screened.model_dump_json()) == []
    async with screening.db.reading() as session:
        kept = (await session.exec(select(OrderActivity))).all()
        trail = (await session.exec(select(AuditEntry))).all()
    decided = [a for a in kept if a.kind == "OrderScreened"]
    assert decided and "{navn}" in decided[0].facts["message"]
    assert _names_in(str([a.facts for a in decided] + [a.facts for a in trail])) == []


async def test_a_question_to_a_group_keeps_the_name_a_placeholder(harness) -> None:
    screening = await harness("screening")
    order = await queued(screening, requester=requester(name=NAME))
    browser = await officer_browser(screening)
    response = await browser.post(
        f"/orders/{order.order_id}/question",
        {"question": "Hej {navn}, hvornår på dagen er trafikken værst ved {reference}?"},
    )
    assert response.status_code == 303, response.text
    [asked] = await screening.staged(events.InfoRequested)
    assert asked.question == (
        f"Hej {{navn}}, hvornår på dagen er trafikken værst ved {order.reference}?"
    )


async def test_a_question_with_an_unknown_merge_field_is_caught_before_anything_is_sent(
    harness,
) -> None:
    screening = await harness("screening")
    order = await queued(screening)
    browser = await officer_browser(screening)
    response = await browser.post(f"/orders/{order.order_id}/question", {"question": "Hej {nvan}"})
    assert response.status_code == 422 and "Ukendte flettefelter: {nvan}" in response.text
    assert await screening.staged(events.InfoRequested) == []


# --- notifications: the email greets by name ---------------------------------------------------


def _mail_about(h: Any, subject_word: str) -> EmailMessage:
    [mail] = [m for m in _mails(h) if subject_word in str(m["Subject"])]
    return mail


LANGUAGES = pytest.mark.parametrize(
    ("language", "salutation", "opening", "declined"),
    [
        (Language.DA, "Kære", "Tak for din bestilling", "afvist"),
        (Language.EN, "Dear", "Thank you for your order", "declined"),
    ],
    ids=["da", "en"],
)


@LANGUAGES
async def test_the_email_fills_in_the_name_from_the_placeholder(
    harness, language: Language, salutation: str, opening: str, declined: str
) -> None:
    notifications = await harness("notifications")
    order = submitted_event(traffic_order(language=language.value, requester=requester(name=NAME)))
    message = _as_screening_sends(
        ReasonCode.NO_CAPACITY, language, order.reference, greeting=SALUTATION[language]
    )
    assert message.startswith(salutation + " {navn}\n")
    await notifications.deliver(order)
    await notifications.deliver(_screened(order.order_id, order.reference, message))
    assert await notifications.app.state.mailer.send_due() == 2
    text, html = _bodies(_mail_about(notifications, declined))
    assert f"  {salutation} {NAME}\n\n  {opening} {order.reference}" in text
    assert f"{salutation} {NAME}<br>\n<br>\n{opening} {order.reference}" in html
    assert "{navn}" not in text and "{navn}" not in html
    # the officer's greeting is the email's only one
    assert text.count(salutation) == 1 and html.count(salutation) == 1


@LANGUAGES
async def test_the_default_text_reads_with_the_emails_one_greeting(
    harness, language: Language, salutation: str, opening: str, declined: str
) -> None:
    notifications = await harness("notifications")
    order = submitted_event(traffic_order(language=language.value, requester=requester(name=NAME)))
    message = _as_screening_sends(ReasonCode.NO_CAPACITY, language, order.reference)
    assert message.startswith(f"{opening} {order.reference}")
    await notifications.deliver(order)
    await notifications.deliver(_screened(order.order_id, order.reference, message))
    assert await notifications.app.state.mailer.send_due() == 2
    text, html = _bodies(_mail_about(notifications, declined))
    assert text.count(salutation) == 1 and html.count(salutation) == 1
    assert text.index(f"{salutation} {NAME}") < text.index(f"  {opening} {order.reference}")
    assert f"<p>{salutation} {NAME}" in html


async def test_a_name_is_escaped_where_the_email_fills_it_into_html(harness) -> None:
    notifications = await harness("notifications")
    order = submitted_event(traffic_order(requester=requester(name="Mette & Søn")))
    await notifications.deliver(order)
    await notifications.deliver(_screened(order.order_id, order.reference, "Kære {navn}."))
    await notifications.app.state.mailer.send_due()
    text, html = _bodies(_mail_about(notifications, "afvist"))
    assert "Kære Mette & Søn." in text
    assert "Kære Mette &amp; Søn." in html and "Kære Mette & Søn." not in html


async def test_from_screening_to_the_inbox_the_name_appears_only_in_the_email(harness) -> None:
    screening, notifications = await harness("screening"), await harness("notifications")
    order = await queued(screening, requester=requester(name=NAME))
    await notifications.deliver(order)
    browser = await officer_browser(screening)
    await browser.post(
        f"/orders/{order.order_id}/decision",
        {
            "reason_code": "accepted",
            "message_da": default_template(ReasonCode.ACCEPTED, Language.DA),
        },
    )
    [screened] = await screening.staged(events.OrderScreened)
    assert _names_in(screened.message) == []
    await notifications.deliver(screened)
    assert await notifications.app.state.mailer.send_due() == 2
    text, html = _bodies(_mail_about(notifications, "imødekommet"))
    assert f"\nKære {NAME}\n" in text and text.count("Kære") == 1
    assert f"  Tak for din bestilling {order.reference}" in text
    assert f"<p>Kære {NAME}</p>" in html and html.count("Kære") == 1


# --- intake: the status page shows no name ------------------------------------------------------


@pytest.fixture
async def intake(harness, client_for):
    h = await harness("intake", rate_limit_per_minute=1000)
    return h, client_for(h)


async def _order(client: Any, language: str = "da") -> tuple[str, str, uuid.UUID]:
    order = traffic_order(language=language, requester=requester(name=NAME))
    body = (await client.post("/api/v1/orders", json=order)).json()
    return body["reference"], body["status_token"], uuid.UUID(body["order_id"])


def _routed(order_id: uuid.UUID, reference: str) -> events.OrderRouted:
    return events.OrderRouted(
        order_id=order_id,
        reference=reference,
        district_code="1461",
        district_name=DISTRICT,
        method=RoutingMethod.MUNICIPALITY,
        routed_at=utcnow(),
    )


@pytest.mark.parametrize(
    ("language", "opening"),
    [("da", "Tak for din bestilling"), ("en", "Thank you for your order")],
    ids=["da", "en"],
)
async def test_the_status_page_leaves_the_name_out_of_the_districts_message(
    intake, language: str, opening: str
) -> None:
    h, client = intake
    reference, token, order_id = await _order(client, language)
    await h.deliver(_routed(order_id, reference))
    message = _as_screening_sends(
        ReasonCode.NO_CAPACITY,
        Language(language),
        reference,
        greeting=SALUTATION[Language(language)],
    )
    await h.deliver(_screened(order_id, reference, message))
    page = (await client.get(f"/status/{reference}", params={"token": token})).text
    assert f'<blockquote class="quote">{opening} {reference}' in page
    assert "{navn}" not in page and "Kære" not in page and "Dear" not in page
    assert _names_in(page) == []
    api = await client.get(f"/api/v1/orders/{reference}", params={"token": token})
    [told] = [h for h in api.json()["history"] if h["kind"] == "OrderScreened"]
    assert told["message"].startswith(f"{opening} {reference}")
    assert _names_in(api.text) == []


async def test_an_open_question_on_the_status_page_reads_without_the_name(intake) -> None:
    h, client = intake
    reference, token, order_id = await _order(client)
    await h.deliver(_routed(order_id, reference))
    await h.deliver(
        events.InfoRequested(
            order_id=order_id,
            reference=reference,
            district_code="1461",
            question="Hej {navn}, hvornår på dagen er trafikken værst?",
            asked_at=utcnow(),
            asked_by="officer-1",
        )
    )
    page = (await client.get(f"/status/{reference}", params={"token": token})).text
    assert 'id="open-question">Hvornår på dagen er trafikken værst?</blockquote>' in page
    assert "{navn}" not in page and _names_in(page) == []


async def test_neither_receipt_nor_status_page_shows_the_citizens_contact_details(intake) -> None:
    h, client = intake
    reference, token, order_id = await _order(client)
    await h.deliver(_routed(order_id, reference))
    receipt = (await client.get(f"/receipt/{reference}", params={"token": token})).text
    status = (await client.get(f"/status/{reference}", params={"token": token})).text
    for page in (receipt, status):
        assert _names_in(page) == []
        assert requester()["email"] not in page and requester()["phone"] not in page
