"""The authorization matrix: every role × own/other district × every page and API endpoint.

Each test signs one principal in (or nobody), asks every endpoint about an order of the
principal's own district or of another district, and compares the whole table of answers with
the expected one, so a failure shows every cell that differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.screening import accounts, actions
from services.screening.domain import DecisionRequest
from services.screening.models import Officer
from shared.vocabulary import Role
from tests.handlers.test_screening_web import Browser, add_officer, new_client, queued, sign_in

OWN, OTHER = "1461", "1470"
PRINCIPALS = ("anonymous", "officer", "coordinator", "national_admin")

#: expected answers: principal -> (for an own-district order, for another district's order)
SIGNED_IN_200 = {"officer": (200, 200), "coordinator": (200, 200), "national_admin": (200, 200)}
OWN_DISTRICT_ONLY_PAGE = {
    "officer": (200, 404),
    "coordinator": (200, 404),
    "national_admin": (200, 200),
}
OWN_DISTRICT_ONLY_FORM = {
    "officer": (303, 404),
    "coordinator": (303, 404),
    "national_admin": (303, 303),
}
OWN_DISTRICT_ONLY_API = OWN_DISTRICT_ONLY_PAGE


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # {order} and {district} are filled in per case
    expect: dict[str, tuple[int, int]]
    state: str | None = None  # the order this endpoint acts on: "routed" or "accepted"
    data: dict[str, Any] | None = None
    api: bool = False


def _planned() -> str:
    return (datetime.now(UTC) + timedelta(days=3)).isoformat()


ENDPOINTS = [
    Endpoint("login page", "GET", "/login", {p: (200, 200) for p in PRINCIPALS}),
    Endpoint("queue", "GET", "/", SIGNED_IN_200),
    Endpoint("queue of a district", "GET", "/?district={district}", SIGNED_IN_200),
    Endpoint("order page", "GET", "/orders/{order}", OWN_DISTRICT_ONLY_PAGE, "routed"),
    Endpoint(
        "decide",
        "POST",
        "/orders/{order}/decision",
        OWN_DISTRICT_ONLY_FORM,
        "routed",
        {"reason_code": "accepted", "message_da": "Vi kommer."},
    ),
    Endpoint(
        "schedule",
        "POST",
        "/orders/{order}/schedule",
        OWN_DISTRICT_ONLY_FORM,
        "accepted",
        {"planned_start": "PLANNED_LOCAL"},
    ),
    Endpoint(
        "complete",
        "POST",
        "/orders/{order}/complete",
        OWN_DISTRICT_ONLY_FORM,
        "accepted",
        {"summary": "Kontrol udført."},
    ),
    Endpoint(
        "ask",
        "POST",
        "/orders/{order}/question",
        OWN_DISTRICT_ONLY_FORM,
        "routed",
        {"question": "Hvornår?"},
    ),
    Endpoint(
        "re-route",
        "POST",
        "/orders/{order}/reroute",
        OWN_DISTRICT_ONLY_FORM,
        "routed",
        {"to_district": "1467", "reason": "Forkert kreds"},
    ),
    Endpoint(
        "manual-routing queue",
        "GET",
        "/routing",
        {"officer": (403, 403), "coordinator": (403, 403), "national_admin": (200, 200)},
    ),
    Endpoint("map", "GET", "/map", SIGNED_IN_200),
    Endpoint("map of a district", "GET", "/map?district={district}", SIGNED_IN_200),
    Endpoint("map data of a district", "GET", "/map/data?district={district}", SIGNED_IN_200),
    Endpoint("phone form", "GET", "/phone", SIGNED_IN_200),
    Endpoint(
        "phone order",
        "POST",
        "/phone",
        {p: (303, 303) for p in PRINCIPALS[1:]},
        data={"category": "talk", "idempotency_key": "k"},
    ),
    Endpoint("phone receipt", "GET", "/phone/registered?reference=BEB-AAAAAAAA", SIGNED_IN_200),
    Endpoint("statistics", "GET", "/stats", SIGNED_IN_200),
    Endpoint("statistics of a district", "GET", "/stats?district={district}", SIGNED_IN_200),
    Endpoint(
        "audit trail",
        "GET",
        "/audit?district={district}",
        {"officer": (403, 403), "coordinator": (200, 200), "national_admin": (200, 200)},
    ),
    Endpoint(
        "reply templates",
        "GET",
        "/templates?district={district}",
        {"officer": (403, 403), "coordinator": (200, 403), "national_admin": (200, 200)},
    ),
    Endpoint(
        "save reply templates",
        "POST",
        "/templates",
        {"officer": (403, 403), "coordinator": (303, 403), "national_admin": (303, 303)},
        data={"district": "{district}", "other.da": "Kære {navn}. Vi kan ikke."},
    ),
    Endpoint("week plan", "GET", "/plan", SIGNED_IN_200),
    Endpoint(
        "week plan of a district",
        "GET",
        "/plan?district={district}",
        {"officer": (200, 403), "coordinator": (200, 403), "national_admin": (200, 200)},
    ),
    Endpoint(
        "schedule from the week plan",
        "POST",
        "/plan/schedule",
        OWN_DISTRICT_ONLY_FORM,
        "accepted",
        {"order_id": "{order}", "planned_start": "PLANNED_LOCAL"},
    ),
    Endpoint(
        "set weekly capacity",
        "POST",
        "/plan/capacity",
        {"officer": (403, 403), "coordinator": (303, 403), "national_admin": (303, 303)},
        data={"district": "{district}", "default.talk": "3"},
    ),
    Endpoint("queue as CSV", "GET", "/export/queue.csv", SIGNED_IN_200),
    Endpoint(
        "queue of a district as CSV", "GET", "/export/queue.csv?district={district}", SIGNED_IN_200
    ),
    Endpoint("statistics as CSV", "GET", "/export/stats.csv?district={district}", SIGNED_IN_200),
    Endpoint("api: list", "GET", "/api/v1/orders", SIGNED_IN_200, api=True),
    Endpoint(
        "api: one", "GET", "/api/v1/orders/{order}", OWN_DISTRICT_ONLY_API, "routed", api=True
    ),
    Endpoint(
        "api: nearby",
        "GET",
        "/api/v1/orders/{order}/nearby",
        OWN_DISTRICT_ONLY_API,
        "routed",
        api=True,
    ),
    Endpoint(
        "api: decide",
        "POST",
        "/api/v1/orders/{order}/decision",
        OWN_DISTRICT_ONLY_API,
        "routed",
        {"decision": "accepted", "reason_code": "accepted", "message": "Ja"},
        api=True,
    ),
    Endpoint(
        "api: schedule",
        "POST",
        "/api/v1/orders/{order}/schedule",
        OWN_DISTRICT_ONLY_API,
        "accepted",
        {"planned_start": "PLANNED"},
        api=True,
    ),
    Endpoint(
        "api: complete",
        "POST",
        "/api/v1/orders/{order}/complete",
        OWN_DISTRICT_ONLY_API,
        "accepted",
        {"summary": "Udført"},
        api=True,
    ),
    Endpoint(
        "api: re-route",
        "POST",
        "/api/v1/orders/{order}/reroute",
        OWN_DISTRICT_ONLY_API,
        "routed",
        {"to_district": "1467", "reason": "Forkert kreds"},
        api=True,
    ),
    Endpoint(
        "api: ask",
        "POST",
        "/api/v1/orders/{order}/questions",
        OWN_DISTRICT_ONLY_API,
        "routed",
        {"question": "Hvornår?"},
        api=True,
    ),
    Endpoint("api: statistics", "GET", "/api/v1/stats", SIGNED_IN_200, api=True),
    # last: it ends the session
    Endpoint("sign out", "POST", "/logout", {p: (303, 303) for p in PRINCIPALS[1:]}),
]


def expected(principal: str, target: str, endpoint: Endpoint) -> int:
    if principal == "anonymous":
        if endpoint.name == "login page":
            return 200
        return 401 if endpoint.api else 302
    own, other = endpoint.expect[principal]
    return own if target == "own" else other


class FakeIntake(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            201,
            json={"reference": "BEB-AAAAAAAA", "order_id": "00000000-0000-0000-0000-000000000001"},
        )


@dataclass
class Principal:
    browser: Browser | None
    api: dict[str, str]


async def _principal(h, name: str) -> Principal:
    if name == "anonymous":
        return Principal(None, {})
    role = Role(name)
    district = None if role == Role.NATIONAL_ADMIN else OWN
    email = await add_officer(h, role, district)
    async with h.db.transaction() as session:
        token = await accounts.issue_token(session, email, h.clock())
    return Principal(await sign_in(h, email), {"Authorization": f"Bearer {token}"})


async def _order(h, district: str, state: str) -> str:
    order = await queued(h, district)
    if state == "accepted":
        system = Officer(
            id="system",
            email="-",
            name="-",
            district_code=None,
            role="national_admin",
            password_hash="-",
            created_at=h.clock(),
        )
        await actions.record_decision(
            h.db,
            system,
            [str(order.order_id)],
            DecisionRequest(decision="accepted", reason_code="accepted", message="Ja"),
            now=h.clock(),
        )
    return str(order.order_id)


async def _ask(h, who: Principal, endpoint: Endpoint, district: str) -> int:
    path = endpoint.path.replace("{district}", district)
    order = await _order(h, district, endpoint.state) if endpoint.state else ""
    path = path.replace("{order}", order)
    data = {
        k: (
            v.replace("{district}", district).replace("{order}", order) if isinstance(v, str) else v
        )
        for k, v in (endpoint.data or {}).items()
    }
    if data.get("planned_start") == "PLANNED_LOCAL":
        data["planned_start"] = (h.clock() + timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    if endpoint.api:
        client = new_client(h)
        if "planned_start" in data:
            data["planned_start"] = _planned()
        response = await client.request(endpoint.method, path, headers=who.api, json=data or None)
        await client.aclose()
        return response.status_code
    if who.browser is None:
        client = new_client(h)
        response = await client.request(endpoint.method, path, data=data or None)
        await client.aclose()
        if response.status_code == 302:
            assert response.headers["location"].startswith("/login"), path
        return response.status_code
    if endpoint.method == "GET":
        response = await who.browser.get(path)
    else:
        response = await who.browser.post(path, data)
    if response.status_code == 302:
        assert response.headers["location"].startswith("/login"), path
    return response.status_code


@pytest.mark.parametrize("target", ["own", "other"], ids=["own-district", "other-district"])
@pytest.mark.parametrize("principal", PRINCIPALS)
async def test_authorization_matrix(harness, principal: str, target: str) -> None:
    h = await harness("screening")
    h.app.state.ctx.http = httpx.AsyncClient(transport=FakeIntake())
    who = await _principal(h, principal)
    district = OWN if target == "own" else OTHER
    answers = {e.name: await _ask(h, who, e, district) for e in ENDPOINTS}
    assert answers == {e.name: expected(principal, target, e) for e in ENDPOINTS}


#: principal -> (the map's data lists an own-district order, another district's order)
MAP_SHOWS = {"officer": (True, False), "coordinator": (True, False), "national_admin": (True, True)}


@pytest.mark.parametrize("target", ["own", "other"], ids=["own-district", "other-district"])
@pytest.mark.parametrize("principal", PRINCIPALS[1:])
async def test_the_maps_data_holds_only_the_orders_the_principal_may_see(
    harness, principal: str, target: str
) -> None:
    h = await harness("screening")
    who = await _principal(h, principal)
    district = OWN if target == "own" else OTHER
    order = await queued(h, district)
    listed = set()
    for path in ("/map/data", f"/map/data?district={district}"):
        answer = await who.browser.get(path)
        assert answer.status_code == 200
        listed |= {m["reference"] for m in answer.json()["orders"]}
    page = (await who.browser.get(f"/map?district={district}")).text
    own, other = MAP_SHOWS[principal]
    shown = own if target == "own" else other
    assert (order.reference in listed, order.reference in page) == (shown, shown)


UNROUTABLE = {
    "order page": (
        "GET",
        "/orders/{order}",
        {"officer": 404, "coordinator": 404, "national_admin": 200},
    ),
    "route it": (
        "POST",
        "/orders/{order}/reroute",
        {"officer": 404, "coordinator": 404, "national_admin": 303},
    ),
    "api: one": (
        "GET",
        "/api/v1/orders/{order}",
        {"officer": 404, "coordinator": 404, "national_admin": 200},
    ),
    "api: route it": (
        "POST",
        "/api/v1/orders/{order}/reroute",
        {"officer": 404, "coordinator": 404, "national_admin": 200},
    ),
}


@pytest.mark.parametrize("principal", PRINCIPALS[1:])
async def test_only_national_admins_see_and_route_the_unroutable_orders(
    harness, principal: str
) -> None:
    h = await harness("screening")
    who = await _principal(h, principal)
    answers = {}
    for name, (method, template, _) in UNROUTABLE.items():
        order = await queued(h, None)
        path = template.replace("{order}", str(order.order_id))
        body = {"to_district": "1467", "reason": "Roskilde", "back": "/routing"}
        if name.startswith("api"):
            client = new_client(h)
            response = await client.request(
                method, path, headers=who.api, json=body if method == "POST" else None
            )
            await client.aclose()
        elif method == "GET":
            response = await who.browser.get(path)
        else:
            response = await who.browser.post(path, body)
        answers[name] = response.status_code
    assert answers == {name: spec[2][principal] for name, spec in UNROUTABLE.items()}
