"""Intake against hostile input: deep JSON, hidden characters, big follow-ups, forged
X-Forwarded-For, rotated link keys and correlation ids. Each refusal is a 4xx in the
citizen's language that names fields, never repeats what was sent, and changes nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request

from services.intake.http import request_validation_error
from shared import events
from shared.references import status_token
from shared.settings import CitizenLinkSettings
from tests.support import traffic_order

OLD_KEY = "old-key-" + "o" * 32
NEW_KEY = "new-key-" + "n" * 32
#: What every hostile value below carries, so a test can tell whether it came back.
MARK = "Mette-Hansen-7731"


@pytest.fixture
async def intake(harness, client_for):
    h = await harness("intake", rate_limit_per_minute=1000)
    return h, client_for(h)


async def _order(client: Any) -> tuple[str, str]:
    body = (await client.post("/api/v1/orders", json=traffic_order())).json()
    return body["reference"], body["status_token"]


def _deep(depth: int = 40_000) -> bytes:
    return b"[" * depth


# --- (a) deeply nested JSON ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "language", "message"),
    [
        (_deep(), "da", "Forespørgslens JSON er indlejret for dybt."),
        (b'{"a":' * 8_000, "en", "The request's JSON is nested too deeply."),
    ],
    ids=["40-kb-of-brackets-in-danish", "40-kb-of-objects-in-english"],
)
async def test_deeply_nested_json_is_a_localized_422_not_a_500(
    intake, body, language, message
) -> None:
    h, client = intake
    response = await client.post(
        "/api/v1/orders", content=body, headers={"accept-language": language}
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["type"], error["msg"]) == ("json_too_deep", message)
    assert await h.staged() == []


async def test_nesting_inside_an_order_is_a_field_error(intake) -> None:
    h, client = intake
    order = {**traffic_order(), "details": json.loads("[" * 500 + "]" * 500)}
    response = await client.post("/api/v1/orders", json=order)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["details"]
    assert await h.staged() == []


# --- (b) control and invisible characters ------------------------------------------------

HIDDEN = {
    "right-to-left-override": "\u202e",
    "left-to-right-embedding": "\u202a",
    "pop-directional-isolate": "\u2069",
    "first-strong-isolate": "\u2068",
    "right-to-left-mark": "\u200f",
    "left-to-right-mark": "\u200e",
    "zero-width-space": "\u200b",
    "byte-order-mark": "\ufeff",
    "nul": "\x00",
    "escape": "\x1b",
    "c1-next-line": "\x85",
    "line-separator": "\u2028",
}
#: Every text field of an order, as (path, is it a long free text).
ORDER_TEXTS = [
    (("requester", "name"), False),
    (("requester", "organisation"), False),
    (("location", "address"), False),
    (("location", "city"), False),
    (("details", "road"), False),
    (("description",), True),
]


def _with(order: dict[str, Any], path: tuple[str, ...], value: str) -> dict[str, Any]:
    changed = json.loads(json.dumps(order))
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


@pytest.mark.parametrize("char", HIDDEN.values(), ids=HIDDEN.keys())
@pytest.mark.parametrize(("path", "_long"), ORDER_TEXTS, ids=[".".join(p) for p, _ in ORDER_TEXTS])
async def test_hidden_characters_in_any_text_of_an_order_are_refused(
    intake, path, _long, char
) -> None:
    h, client = intake
    order = _with(traffic_order(), path, f"{MARK}{char}nov")
    response = await client.post("/api/v1/orders", json=order)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [(e["field"], e["type"]) for e in errors] == [(".".join(path), "hidden_characters")]
    assert errors[0]["msg"].startswith("Teksten indeholder usynlige tegn eller kontroltegn")
    assert MARK not in response.text and "input" not in errors[0]
    assert await h.staged() == []


@pytest.mark.parametrize(
    ("path", "long_text"), ORDER_TEXTS, ids=[".".join(p) for p, _ in ORDER_TEXTS]
)
@pytest.mark.parametrize(
    "breaks", ["Første linje\nAnden linje", "a\r\nb", "kolonne\tkolonne"], ids=["lf", "crlf", "tab"]
)
async def test_line_breaks_and_tabs_are_kept_only_in_long_free_texts(
    intake, path, long_text, breaks
) -> None:
    h, client = intake
    response = await client.post("/api/v1/orders", json=_with(traffic_order(), path, breaks))
    assert response.status_code == (201 if long_text else 422)
    assert len(await h.staged(events.OrderSubmitted)) == (1 if long_text else 0)


async def test_a_lone_carriage_return_is_refused_even_in_the_description(intake) -> None:
    _, client = intake
    response = await client.post("/api/v1/orders", json=traffic_order(description="a\rb"))
    assert [e["type"] for e in response.json()["detail"]] == ["hidden_characters"]


async def test_hidden_characters_come_in_english_with_the_orders_other_errors(intake) -> None:
    h, client = intake
    order = traffic_order(language="en", requester={"name": f"{MARK}\u202e", "email": "nej"})
    response = await client.post("/api/v1/orders", json=order)
    assert response.status_code == 422
    errors = {e["field"]: e for e in response.json()["detail"]}
    assert set(errors) == {"requester.email", "requester.name"}
    assert errors["requester.name"]["msg"] == (
        "The text contains invisible or control characters, e.g. from copied text. "
        "Type it again without them."
    )
    assert MARK not in response.text
    assert await h.staged() == []


@pytest.mark.parametrize(
    "text",
    [
        "می\u200cخواهم با پلیس صحبت کنم",  # Persian spells with the zero-width non-joiner
        "क्\u200dष",  # a Devanagari half form
        "Vi er en familie 👨\u200d👩\u200d👧 på vejen",  # an emoji sequence
        "שלום, מרחבא، Hej",  # right-to-left scripts need no control characters
    ],
    ids=["persian-zwnj", "devanagari-zwj", "emoji-zwj", "hebrew-and-arabic"],
)
async def test_joiners_that_scripts_and_emoji_need_are_accepted(intake, text) -> None:
    h, client = intake
    response = await client.post("/api/v1/orders", json=traffic_order(description=text))
    assert response.status_code == 201, response.text
    [staged] = await h.staged(events.OrderSubmitted)
    assert staged.description == text


async def test_a_joiner_hidden_between_latin_letters_is_refused(intake) -> None:
    _, client = intake
    order = traffic_order(requester={"name": "Mette\u200dHansen", "email": "m@example.dk"})
    response = await client.post("/api/v1/orders", json=order)
    assert [e["field"] for e in response.json()["detail"]] == ["requester.name"]


async def test_the_form_refuses_hidden_characters_next_to_the_field(intake) -> None:
    from tests.handlers.test_intake_web import error_for, traffic_form

    h, client = intake
    response = await client.post("/", data=traffic_form(**{"details.road": "Skolevej\u202e04"}))
    assert response.status_code == 422
    assert error_for(response.text, "details-road").startswith("Teksten indeholder usynlige")
    assert await h.staged() == []


# --- (c) follow-ups: token first, limited body, no echo ----------------------------------

FOLLOW_UPS = ["cancel", "answer", "feedback"]


class _Body:
    """A request body that records whether the app read any of it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.read = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.read = True
        yield b'{"reason": "' + b"x" * self.size + b'"}'


@pytest.mark.parametrize("action", FOLLOW_UPS)
async def test_a_wrong_token_is_refused_before_the_body_is_read(intake, action) -> None:
    h, client = intake
    reference, _ = await _order(client)
    body = _Body(1_000_000)
    response = await client.post(
        f"/api/v1/orders/{reference}/{action}", params={"token": "guess"}, content=body
    )
    assert response.status_code == 404
    assert response.json() == {"message": "Bestillingen blev ikke fundet."}
    assert body.read is False
    assert len(await h.staged()) == 1  # the OrderSubmitted, nothing after it


@pytest.mark.parametrize("action", FOLLOW_UPS)
async def test_a_follow_up_over_64_kib_is_a_413_that_changes_nothing(intake, action) -> None:
    h, client = intake
    reference, token = await _order(client)
    big = json.dumps({"reason": MARK * 70_000, "answer": MARK, "carried_out_seen": True})
    response = await client.post(
        f"/api/v1/orders/{reference}/{action}",
        params={"token": token, "lang": "en"},
        content=big,
    )
    assert response.status_code == 413
    assert response.json() == {"message": "The message is too large (at most 64 KiB)."}
    status = await client.get(f"/api/v1/orders/{reference}", params={"token": token})
    assert status.json()["status"] == "received"
    assert len(await h.staged()) == 1


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("cancel", {"reason": [MARK]}),
        ("cancel", {"reason": MARK * 200}),
        ("cancel", {"reason": f"{MARK}\u202e"}),
        ("answer", {"answer": f"{MARK}\u2066"}),
        ("answer", {"answer": {"nested": MARK}}),
        ("feedback", {"carried_out_seen": MARK, "comment": f"{MARK}\x1b[31m"}),
    ],
    ids=[
        "reason-not-text",
        "reason-too-long",
        "reason-bidi",
        "answer-isolate",
        "answer-not-text",
        "feedback-control",
    ],
)
async def test_an_invalid_follow_up_names_fields_and_echoes_nothing(intake, action, body) -> None:
    h, client = intake
    reference, token = await _order(client)
    response = await client.post(
        f"/api/v1/orders/{reference}/{action}", params={"token": token}, json=body
    )
    assert response.status_code == 422
    answer = response.json()
    assert answer["message"] == "Beskeden indeholder fejl. Ret felterne, og prøv igen."
    assert all(set(e) == {"loc", "field", "type", "msg"} for e in answer["detail"])
    assert MARK not in response.text
    assert len(await h.staged()) == 1


@pytest.mark.parametrize("action", FOLLOW_UPS)
async def test_a_deeply_nested_follow_up_is_a_422(intake, action) -> None:
    _, client = intake
    reference, token = await _order(client)
    response = await client.post(
        f"/api/v1/orders/{reference}/{action}", params={"token": token}, content=_deep()
    )
    assert response.status_code == 422
    assert [e["type"] for e in response.json()["detail"]] == ["json_too_deep"]


async def test_multiline_answers_and_comments_are_kept(intake) -> None:
    h, client = intake
    reference, token = await _order(client)
    response = await client.post(
        f"/api/v1/orders/{reference}/cancel",
        params={"token": token},
        json={"reason": "Løst af kommunen.\r\nTak for hjælpen."},
    )
    assert response.status_code == 200
    [cancelled] = await h.staged(events.OrderCancelled)
    assert cancelled.reason == "Løst af kommunen.\r\nTak for hjælpen."


async def test_fastapis_own_validation_errors_are_localized_and_never_echo_input() -> None:
    request = Request(
        {"type": "http", "headers": [(b"accept-language", b"en")], "query_string": b""}
    )
    exc = RequestValidationError(
        [{"type": "string_type", "loc": ("body", "reason"), "msg": "x", "input": MARK}]
    )
    response = await request_validation_error(request, exc)
    assert response.status_code == 422
    assert json.loads(bytes(response.body)) == {
        "message": "The order has errors. Correct the fields and try again.",
        "detail": [
            {
                "loc": ["body", "reason"],
                "field": "body.reason",
                "type": "string_type",
                "msg": "Must be text.",
            }
        ],
    }


# --- (d) the rate limit behind proxies ---------------------------------------------------


async def _post_from(client: Any, forwarded: str) -> int:
    response = await client.post(
        "/api/v1/orders", json=traffic_order(), headers={"X-Forwarded-For": forwarded}
    )
    return response.status_code


async def test_a_rotating_leftmost_forwarded_for_does_not_escape_the_limit(
    harness, client_for
) -> None:
    h = await harness("intake", rate_limit_per_minute=5, trusted_proxy_hops=1)
    client = client_for(h)
    codes = [
        await _post_from(client, f"10.0.{i // 250}.{i % 250}, 203.0.113.9") for i in range(100)
    ]
    assert codes.count(201) == 5 and codes.count(429) == 95
    assert len(await h.staged(events.OrderSubmitted)) == 5


async def test_by_default_forwarded_for_is_ignored_and_the_peer_is_counted(
    harness, client_for
) -> None:
    h = await harness("intake", rate_limit_per_minute=5)
    client = client_for(h)
    codes = [await _post_from(client, f"198.51.100.{i}") for i in range(100)]
    assert codes.count(201) == 5 and codes.count(429) == 95


async def test_behind_a_proxy_each_citizen_has_a_limit_of_their_own(harness, client_for) -> None:
    h = await harness("intake", rate_limit_per_minute=1, trusted_proxy_hops=2)
    client = client_for(h)
    # client, what the outer proxy appended; the inner proxy appended the outer one.
    first = await _post_from(client, "1.2.3.4, 203.0.113.1, 10.0.0.2")
    other = await _post_from(client, "1.2.3.4, 203.0.113.2, 10.0.0.2")
    again = await _post_from(client, "9.9.9.9, 203.0.113.1, 10.0.0.2")
    assert (first, other, again) == (201, 201, 429)


def _request(*forwarded: str, peer: str = "192.0.2.50") -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "headers": headers, "client": (peer, 4321)})


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, ["6.6.6.6, 203.0.113.7"], "192.0.2.50"),
        (1, ["6.6.6.6, 203.0.113.7"], "203.0.113.7"),
        (2, ["6.6.6.6, 203.0.113.7, 10.0.0.1"], "203.0.113.7"),
        (2, ["6.6.6.6", "203.0.113.7, 10.0.0.1"], "203.0.113.7"),
        (3, ["203.0.113.7, 10.0.0.1"], "203.0.113.7"),
        (1, [], "192.0.2.50"),
        (1, [" , "], "192.0.2.50"),
    ],
    ids=[
        "no-trusted-proxy-uses-the-peer",
        "one-proxy-takes-the-rightmost",
        "two-proxies-take-the-second-from-the-right",
        "header-lines-are-joined-in-order",
        "fewer-addresses-than-proxies-takes-the-leftmost",
        "no-header-uses-the-peer",
        "an-empty-header-uses-the-peer",
    ],
)
async def test_the_client_is_the_address_the_trusted_proxy_appended(
    intake, hops, forwarded, expected
) -> None:
    h, _ = intake
    c = h.app.state.ctx
    c.settings.trusted_proxy_hops = hops
    assert c.client_key(_request(*forwarded)) == expected


async def test_the_older_yes_no_setting_means_one_proxy(harness) -> None:
    h = await harness("intake", trust_forwarded_for=True)
    assert h.app.state.ctx.client_key(_request("6.6.6.6, 203.0.113.7")) == "203.0.113.7"


# --- status links across a key rotation --------------------------------------------------


async def test_status_links_signed_before_a_rotation_still_open(harness, client_for) -> None:
    h = await harness("intake", links=CitizenLinkSettings(status_link_secret=OLD_KEY))
    client = client_for(h)
    reference, old_token = await _order(client)
    h.app.state.ctx.settings.links = CitizenLinkSettings(
        status_link_secret=NEW_KEY, previous_status_link_secrets=f" {OLD_KEY} ,"
    )
    status = await client.get(f"/api/v1/orders/{reference}", params={"token": old_token})
    page = await client.get(f"/status/{reference}", params={"token": old_token})
    assert status.status_code == page.status_code == 200
    # A new order's link is signed with the current key only.
    new_reference, new_token = await _order(client)
    assert new_token == status_token(new_reference, NEW_KEY)
    receipt = await client.get(f"/receipt/{reference}", params={"token": old_token})
    assert f"token={status_token(reference, NEW_KEY)}" in receipt.text
    withdrawn = await client.post(f"/api/v1/orders/{reference}/cancel", params={"token": old_token})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "cancelled"


async def test_a_link_signed_with_a_key_no_longer_kept_is_a_404(harness, client_for) -> None:
    h = await harness("intake", links=CitizenLinkSettings(status_link_secret=OLD_KEY))
    client = client_for(h)
    reference, old_token = await _order(client)
    h.app.state.ctx.settings.links = CitizenLinkSettings(status_link_secret=NEW_KEY)
    status = await client.get(f"/api/v1/orders/{reference}", params={"token": old_token})
    cancel = await client.post(f"/api/v1/orders/{reference}/cancel", params={"token": old_token})
    assert status.status_code == cancel.status_code == 404
    assert len(await h.staged()) == 1


# --- correlation ids ---------------------------------------------------------------------


async def test_a_callers_correlation_id_is_echoed_and_carried_into_the_event(intake) -> None:
    h, client = intake
    response = await client.post(
        "/api/v1/orders", json=traffic_order(), headers={"X-Correlation-Id": "partner-42.a:b"}
    )
    assert response.status_code == 201
    assert response.headers["x-correlation-id"] == "partner-42.a:b"
    [staged] = await h.staged(events.OrderSubmitted)
    assert staged.correlation_id == "partner-42.a:b"


@pytest.mark.parametrize(
    "given",
    ["Mette Hansen", "<script>alert(1)</script>", "x" * 101, ""],
    ids=["spaces", "angle-brackets", "over-100-characters", "missing"],
)
async def test_an_unsafe_correlation_id_is_replaced_by_a_new_one(intake, given) -> None:
    h, client = intake
    headers = {"X-Correlation-Id": given} if given else {}
    response = await client.post("/api/v1/orders", json=traffic_order(), headers=headers)
    echoed = response.headers["x-correlation-id"]
    assert echoed != given and uuid.UUID(echoed)
    [staged] = await h.staged(events.OrderSubmitted)
    assert staged.correlation_id == echoed


async def test_the_forms_order_carries_the_echoed_correlation_id(intake) -> None:
    from tests.handlers.test_intake_web import traffic_form

    h, client = intake
    response = await client.post(
        "/", data=traffic_form(), headers={"X-Correlation-Id": "form-post-1"}
    )
    assert response.status_code == 303 and response.headers["x-correlation-id"] == "form-post-1"
    [staged] = await h.staged(events.OrderSubmitted)
    assert staged.correlation_id == "form-post-1"
