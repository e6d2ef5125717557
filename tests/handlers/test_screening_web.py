"""The officers' workspace over HTTP: sign-in, lock-out, CSRF, the queue, an order, acting on groups.

The service runs on the in-memory broker with a real database (SQLite, or PostgreSQL when
asked); events it publishes are read back from its outbox.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import select

from services.screening import accounts
from services.screening.main import create_app
from services.screening.models import AuditEntry, QueuedOrder
from shared import events
from shared.vocabulary import Role, RoutingMethod
from tests.support import submitted_event, traffic_order

PASSWORD = "a long enough password"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


# --- helpers (imported by the other test_screening_web_* modules) ------------------------------


@dataclass
class Browser:
    """An httpx client with its own cookies, signed in as one officer, that sends the form token."""

    client: httpx.AsyncClient
    csrf: str = ""

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.get(path, **kw)

    async def post(self, path: str, data: Any = None, *, csrf: bool = True) -> httpx.Response:
        items = list(data.items()) if isinstance(data, dict) else list(data or [])
        expanded = []
        for key, value in items:
            for one in value if isinstance(value, list) else [value]:
                expanded.append((key, one))
        if csrf:
            expanded.append(("csrf_token", self.csrf))
        return await self.client.post(
            path,
            content=httpx.QueryParams(expanded).__str__().encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )


async def add_officer(h, role: Role = Role.OFFICER, district: str | None = "1461") -> str:
    email = f"{role.value}.{district or 'national'}.{uuid.uuid4().hex[:6]}@politi.dk"
    async with h.db.transaction() as session:
        await accounts.add_officer(
            session,
            email=email,
            name=f"{role.value.title()} {district or 'Rigspolitiet'}",
            district_code=district if role != Role.NATIONAL_ADMIN else None,
            role=role,
            password=PASSWORD,
            now=datetime.now(UTC),
        )
    return email


def new_client(h) -> httpx.AsyncClient:
    # https: outside dev the session cookie is Secure, and a client sends it over TLS only.
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=h.app), base_url="https://test")


async def login_token(client: httpx.AsyncClient) -> str:
    page = await client.get("/login")
    return TOKEN.search(page.text).group(1)


async def sign_in(h, email: str, password: str = PASSWORD) -> Browser:
    client = new_client(h)
    token = await login_token(client)
    response = await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    queue = await client.get("/")
    return Browser(client, TOKEN.search(queue.text).group(1))


async def officer_browser(h, role: Role = Role.OFFICER, district: str | None = "1461") -> Browser:
    return await sign_in(h, await add_officer(h, role, district))


async def queued(h, district: str | None = "1461", **order: Any) -> events.OrderSubmitted:
    """An order as it reaches screening: submitted, then routed (or found unroutable)."""
    now = order.pop("now", None) or h.clock()
    submitted = submitted_event(traffic_order(**order), now=now)
    await h.deliver(submitted)
    if district is None:
        await h.deliver(
            events.OrderUnroutable(
                order_id=submitted.order_id, reference=submitted.reference, reason="no match"
            )
        )
    else:
        await h.deliver(
            events.OrderRouted(
                order_id=submitted.order_id,
                reference=submitted.reference,
                district_code=district,
                district_name="x",
                method=RoutingMethod.MUNICIPALITY,
                routed_at=now,
            )
        )
    return submitted


async def stored(h, order: events.OrderSubmitted) -> QueuedOrder:
    async with h.db.reading() as session:
        return await session.get(QueuedOrder, str(order.order_id))


async def audit_rows(h) -> list[AuditEntry]:
    async with h.db.reading() as session:
        return list((await session.exec(select(AuditEntry).order_by(AuditEntry.id))).all())


def decision_form(
    reason: str = "accepted", message: str = "Kære {navn}, {reference} er ok."
) -> dict:
    return {"reason_code": reason, "message_da": message}


@pytest.fixture
async def screening(harness):
    return await harness("screening")


# --- signing in ---------------------------------------------------------------------------------


async def test_sign_in_sets_a_strict_http_only_session_cookie_and_records_it(harness) -> None:
    screening = await harness("screening", environment="dev")  # dev: plain http, not Secure
    email = await add_officer(screening)
    client = new_client(screening)
    token = await login_token(client)
    response = await client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and "bestil_session" in v
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    assert [a.action for a in await audit_rows(screening)] == ["signed_in"]


async def test_secure_cookies_setting_makes_a_host_only_secure_cookie(harness) -> None:
    h = await harness("screening", secure_cookies=True)
    email = await add_officer(h)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=h.app), base_url="https://test")
    token = await login_token(client)
    response = await client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and "session" in v
    )
    assert cookie.startswith("__Host-bestil_session=") and "Secure" in cookie
    assert (await client.get("/")).status_code == 200


async def test_wrong_password_is_refused_without_saying_which_part_was_wrong(screening) -> None:
    email = await add_officer(screening)
    client = new_client(screening)
    token = await login_token(client)
    wrong = await client.post(
        "/login", data={"email": email, "password": "not it at all", "csrf_token": token}
    )
    unknown = await client.post(
        "/login",
        data={"email": "nobody@politi.dk", "password": PASSWORD, "csrf_token": token},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "Forkert e-mail eller adgangskode." in wrong.text
    assert "Forkert e-mail eller adgangskode." in unknown.text
    assert (await client.get("/")).status_code == 302


async def test_repeated_failures_lock_the_account_across_restarts_until_the_time_is_up(
    harness,
) -> None:
    h = await harness("screening", login_max_failures=3, login_lockout_minutes=15)
    email = await add_officer(h)
    client = new_client(h)
    token = await login_token(client)
    for _ in range(3):
        await client.post("/login", data={"email": email, "password": "guess", "csrf_token": token})
    # a second instance on the same database (a restart, or another replica) sees the lock
    twin = create_app(h.app.state.ctx.settings, clock=h.clock)
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=twin), base_url="https://test")
    other_token = await login_token(other)
    right = await other.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": other_token}
    )
    assert right.status_code == 429 and "låst" in right.text
    assert "locked_out" in [a.action for a in await audit_rows(h)]
    h.clock.advance(timedelta(minutes=16))
    again = await other.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": other_token}
    )
    assert again.status_code == 303
    await twin.state.db.dispose()


async def test_failures_on_an_unknown_email_lock_it_too_so_accounts_cannot_be_probed(
    harness,
) -> None:
    h = await harness("screening", login_max_failures=2)
    client = new_client(h)
    token = await login_token(client)
    answers = [
        (
            await client.post(
                "/login", data={"email": "ghost@politi.dk", "password": "x", "csrf_token": token}
            )
        ).status_code
        for _ in range(3)
    ]
    assert answers == [401, 429, 429]


async def test_sign_out_ends_the_session(screening) -> None:
    browser = await officer_browser(screening)
    response = await browser.post("/logout")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert (await browser.get("/")).status_code == 302
    assert [a.action for a in await audit_rows(screening)][-1] == "signed_out"


async def test_a_session_expires_after_the_configured_hours(screening) -> None:
    browser = await officer_browser(screening)
    screening.clock.advance(timedelta(hours=10, minutes=1))
    assert (await browser.get("/")).status_code == 302


async def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(screening) -> None:
    order = await queued(screening)
    email = await add_officer(screening)
    client = new_client(screening)
    first = await client.get(f"/orders/{order.order_id}")
    assert first.status_code == 302
    assert first.headers["location"] == f"/login?next=/orders/{order.order_id}"
    token = await login_token(client)
    back = await client.post(
        "/login",
        data={
            "email": email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": f"/orders/{order.order_id}",
        },
    )
    assert back.headers["location"] == f"/orders/{order.order_id}"
    client2 = new_client(screening)
    token2 = await login_token(client2)
    away = await client2.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token2, "next": "//evil.example"},
    )
    assert away.headers["location"] == "/"


async def test_the_login_form_itself_needs_its_token(screening) -> None:
    email = await add_officer(screening)
    client = new_client(screening)
    response = await client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 403
    assert (await client.get("/")).status_code == 302


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("forged-token", id="wrong"),
        pytest.param("other-session", id="another-sessions-token"),
    ],
)
async def test_a_decision_posted_without_this_sessions_token_is_refused_and_changes_nothing(
    screening, token
) -> None:
    order = await queued(screening)
    browser = await officer_browser(screening)
    if token == "other-session":
        token = (await officer_browser(screening)).csrf
    data = decision_form()
    if token is not None:
        data["csrf_token"] = token
    response = await browser.post(f"/orders/{order.order_id}/decision", data, csrf=False)
    assert response.status_code == 403
    assert "Intet er ændret" in response.text
    assert await screening.staged() == []
    assert (await stored(screening, order)).status == "routed"
    assert "decided" not in [a.action for a in await audit_rows(screening)]


async def test_every_post_form_of_the_workspace_refuses_a_missing_token(screening) -> None:
    order = await queued(screening)
    coordinator = await officer_browser(screening, Role.COORDINATOR)
    forms = {
        f"/orders/{order.order_id}/decision": decision_form(),
        f"/orders/{order.order_id}/schedule": {"planned_start": "2030-01-01T10:00"},
        f"/orders/{order.order_id}/complete": {"summary": "Udført"},
        f"/orders/{order.order_id}/question": {"question": "Hvor?"},
        f"/orders/{order.order_id}/reroute": {"to_district": "1470", "reason": "x"},
        "/templates": {"no_capacity.da": "Ny tekst"},
        "/phone": {"category": "talk"},
        "/logout": {},
    }
    answers = {
        path: (await coordinator.post(path, data, csrf=False)).status_code
        for path, data in forms.items()
    }
    assert answers == dict.fromkeys(forms, 403)
    assert await screening.staged() == []
    assert (await coordinator.get("/")).status_code == 200  # still signed in


# --- the queue ----------------------------------------------------------------------------------


async def test_queue_shows_the_most_urgent_deadline_first_with_days_left_and_colour(
    screening,
) -> None:
    now = screening.clock()
    later = await queued(screening, now=now - timedelta(days=1))
    past = await queued(screening, now=now - timedelta(days=16))
    soon = await queued(screening, now=now - timedelta(days=12))
    await queued(screening, "1470", now=now - timedelta(days=20))  # another district's
    browser = await officer_browser(screening)
    page = (await browser.get("/")).text
    order = re.findall(r'data-reference="(BEB-[^"]+)"', page)
    assert order == [past.reference, soon.reference, later.reference]
    assert 'class="urgency-past"' in page and "overskredet med 2 dage" in page
    assert 'class="urgency-soon"' in page and "om 2 dage" in page
    assert "om 13 dage" in page


async def test_deadline_alerts_from_notifications_show_in_the_queue(screening) -> None:
    order = await queued(screening)
    await screening.deliver(
        events.DeadlineAlert(
            order_id=order.order_id,
            reference=order.reference,
            district_code="1461",
            kind="decision",
            state="breached",
            due_at=order.decision_due,
            raised_at=screening.clock(),
        )
    )
    browser = await officer_browser(screening)
    page = (await browser.get("/")).text
    assert "Frist overskredet" in page
    only = (await browser.get("/?alerts=1")).text
    assert order.reference in only


async def test_queue_filters_by_status_and_category_and_finds_a_reference(screening) -> None:
    traffic = await queued(screening)
    talk_event = submitted_event()
    talk = talk_event.model_copy(
        update={
            "category": events.Category.TALK,
            "details": events.TalkDetails(
                topic="cyber_crime", audience="Forældre", expected_attendees=30
            ),
        }
    )
    await screening.deliver(talk)
    await screening.deliver(
        events.OrderRouted(
            order_id=talk.order_id,
            reference=talk.reference,
            district_code="1461",
            district_name="x",
            method=RoutingMethod.MUNICIPALITY,
            routed_at=screening.clock(),
        )
    )
    browser = await officer_browser(screening)
    await browser.post(f"/orders/{traffic.order_id}/decision", decision_form())

    def refs(page: str) -> list[str]:
        return re.findall(r'data-reference="(BEB-[^"]+)"', page)

    assert refs((await browser.get("/?category=talk")).text) == [talk.reference]
    assert refs((await browser.get("/?status=accepted")).text) == [traffic.reference]
    assert refs((await browser.get("/?status=routed")).text) == [talk.reference]
    assert refs((await browser.get(f"/?q={traffic.reference}")).text) == [traffic.reference]
    assert refs((await browser.get(f"/?q={traffic.reference[4:].lower()}")).text) == [
        traffic.reference
    ]
    assert refs((await browser.get(f"/?q={talk.reference[5:9]}")).text) == [talk.reference]
    assert "Ingen bestillinger matcher" in (await browser.get("/?q=ZZZZZZZZ")).text


async def test_queue_pages_through_many_orders(harness) -> None:
    h = await harness("screening", page_size=5)
    made = [await queued(h, now=h.clock() - timedelta(hours=i)) for i in range(12)]
    browser = await officer_browser(h)
    first = (await browser.get("/")).text
    third = (await browser.get("/?page=3")).text
    assert "Viser 1–5 af 12" in first and "Side 1 af 3" in first
    assert len(re.findall(r"data-reference=", third)) == 2
    assert made[-1].reference in first  # the oldest order has the nearest deadline


async def test_national_admin_sees_every_district_and_the_manual_routing_queue(screening) -> None:
    await queued(screening, "1461")
    await queued(screening, "1470")
    stuck = await queued(screening, None)
    admin = await officer_browser(screening, Role.NATIONAL_ADMIN, None)
    page = (await admin.get("/")).text
    assert "Alle politikredse" in page and "1 bestilling venter" in page
    assert len(re.findall(r"data-reference=", page)) == 3
    routing = (await admin.get("/routing")).text
    assert stuck.reference in routing and "no match" in routing
    response = await admin.post(
        f"/orders/{stuck.order_id}/reroute",
        {"to_district": "1467", "reason": "Roskilde", "back": "/routing"},
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/routing")
    [event] = await screening.staged(events.RerouteRequested)
    assert (event.from_district, event.to_district) == (None, "1467")
    assert "routed" in [a.action for a in await audit_rows(screening)]


# --- an order -----------------------------------------------------------------------------------


async def test_order_page_shows_everything_and_records_the_view(screening) -> None:
    order = await queued(screening)
    browser = await officer_browser(screening)
    page = await browser.get(f"/orders/{order.order_id}")
    assert page.status_code == 200
    for text in (
        "Mette Hansen",
        "mette.hansen@example.dk",
        "Skovvejen mellem nr. 2 og 40",
        "Bilerne kører alt for stærkt",
        "For høj fart",
        "Aarhus",
        "Bestilling modtaget",
        "Fordelt til kreds",
    ):
        assert text in page.text, text
    [view] = [a for a in await audit_rows(screening) if a.action == "viewed"]
    assert (view.order_id, view.reference, view.district_code) == (
        str(order.order_id),
        order.reference,
        "1461",
    )
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_three_neighbours_about_one_road_are_shown_together(screening) -> None:
    def on(road: str, municipality: str = "751", **location: Any) -> dict[str, Any]:
        return {
            "location": {"postal_code": "8000", "municipality_code": municipality, **location},
            "details": {"road": road, "problem": "speeding"},
        }

    first = await queued(screening, **on("Skovvejen mellem nr. 2 og 40"))
    second = await queued(screening, **on("skovvejen 17"))
    third = await queued(screening, **on("Skovvejen, ud for nr. 3"))
    elsewhere = await queued(screening, **on("Skovvejen", municipality="730"))
    other_road = await queued(screening, **on("Åboulevarden"))
    old = await queued(screening, now=screening.clock() - timedelta(days=120), **on("Skovvejen"))
    browser = await officer_browser(screening)
    page = (await browser.get(f"/orders/{first.order_id}")).text
    section = page.split('id="h-nearby"')[1].split('id="h-history"')[0]
    assert second.reference in section and third.reference in section
    for absent in (elsewhere, other_road, old):
        assert absent.reference not in section


async def test_orders_within_300_metres_are_nearby_even_on_different_roads(screening) -> None:
    here = await queued(
        screening,
        location={
            "postal_code": "8000",
            "municipality_code": "751",
            "lat": 56.1500,
            "lon": 10.2000,
        },
        details={"road": "Vestergade", "problem": "speeding"},
    )
    close = await queued(
        screening,
        location={
            "postal_code": "8000",
            "municipality_code": "751",
            "lat": 56.1520,
            "lon": 10.2000,
        },
        details={"road": "Nørregade", "problem": "mopeds"},
    )
    far = await queued(
        screening,
        location={
            "postal_code": "8000",
            "municipality_code": "751",
            "lat": 56.1600,
            "lon": 10.2000,
        },
        details={"road": "Søndergade", "problem": "mopeds"},
    )
    browser = await officer_browser(screening)
    page = (await browser.get(f"/orders/{here.order_id}")).text
    assert close.reference in page and "222 m væk" in page
    assert far.reference not in page
    email = await add_officer(screening)
    async with screening.db.transaction() as session:
        api_token = await accounts.issue_token(session, email, screening.clock())
    listed = await browser.client.get(
        f"/api/v1/orders/{here.order_id}/nearby", headers={"Authorization": f"Bearer {api_token}"}
    )
    assert [n["reference"] for n in listed.json()["nearby"]] == [close.reference]


async def test_a_group_of_neighbours_is_decided_in_one_post_each_with_its_own_event(
    screening,
) -> None:
    road = {"details": {"road": "Skovvejen", "problem": "speeding"}}
    first = await queued(screening, **road)
    second = await queued(
        screening, requester={"name": "Jens Jensen", "email": "j@example.dk"}, **road
    )
    english = await queued(
        screening,
        language="en",
        requester={"name": "Anna Berg", "email": "anna@example.dk"},
        **road,
    )
    browser = await officer_browser(screening)
    grouped = await browser.get(
        f"/orders/{first.order_id}?group={second.order_id}&group={english.order_id}"
    )
    assert "Du behandler 3 bestillinger samlet" in grouped.text
    assert "Besked til borgeren på engelsk" in grouped.text
    response = await browser.post(
        f"/orders/{first.order_id}/decision",
        {
            "group": [str(second.order_id), str(english.order_id)],
            "reason_code": "accepted",
            "message_da": "Kære {navn}\nVi kommer til {emne}. Reference {reference}.",
            "message_en": "Dear {navn}, we will come ({reference}).",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/orders/{first.order_id}?done=decided&n=3"
    decided = await screening.staged(events.OrderScreened)
    assert [e.reference for e in decided] == [first.reference, second.reference, english.reference]
    # each with its own reference and subject; the name stays {navn} for the email to fill in
    assert decided[0].message.startswith("Kære {navn}\nVi kommer til en færdselskontrol")
    assert decided[1].message.endswith(f"Reference {second.reference}.")
    assert decided[2].message == f"Dear {{navn}}, we will come ({english.reference})."
    assert not any(n in e.message for e in decided for n in ("Mette", "Jens", "Anna"))
    assert len({e.event_id for e in decided}) == 3
    assert [a.action for a in await audit_rows(screening)].count("decided") == 3


async def test_a_group_where_one_order_does_not_fit_changes_nothing(screening) -> None:
    first, second = await queued(screening), await queued(screening)
    browser = await officer_browser(screening)
    await browser.post(f"/orders/{second.order_id}/decision", decision_form("no_capacity", "Nej."))
    before = await screening.staged()
    response = await browser.post(
        f"/orders/{first.order_id}/decision", {"group": [str(second.order_id)], **decision_form()}
    )
    assert response.status_code == 409
    assert f"{second.reference}: Bestillingen kan ikke træffe afgørelse om" in response.text
    assert await screening.staged() == before
    assert (await stored(screening, first)).status == "routed"


async def test_a_group_with_another_districts_order_is_not_found(screening) -> None:
    mine, theirs = await queued(screening), await queued(screening, "1470")
    browser = await officer_browser(screening)
    response = await browser.post(
        f"/orders/{mine.order_id}/decision", {"group": [str(theirs.order_id)], **decision_form()}
    )
    assert response.status_code == 404
    assert await screening.staged() == []


async def test_the_decision_form_is_prefilled_from_the_districts_template(screening) -> None:
    order = await queued(screening)
    browser = await officer_browser(screening)
    page = (await browser.get(f"/orders/{order.order_id}?svar=no_capacity")).text
    assert "Tak for din bestilling {reference} om {emne}." in page  # the email greets
    assert "ikke mulighed for at imødekomme" in page and "Kære {navn}" not in page
    assert '<option value="no_capacity" selected>' in page


async def test_an_unknown_merge_field_is_caught_before_anything_is_sent(screening) -> None:
    order = await queued(screening)
    browser = await officer_browser(screening)
    response = await browser.post(
        f"/orders/{order.order_id}/decision", decision_form(message="Kære {nanv}")
    )
    assert response.status_code == 422 and "Ukendte flettefelter: {nanv}" in response.text
    assert await screening.staged() == []


async def test_scheduling_after_the_execution_deadline_asks_for_confirmation(screening) -> None:
    order = await queued(screening)
    browser = await officer_browser(screening)
    await browser.post(f"/orders/{order.order_id}/decision", decision_form())
    late = (order.execution_due + timedelta(days=2)).astimezone(UTC)
    local = late.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Copenhagen"))
    form = {"planned_start": local.strftime("%Y-%m-%dT%H:%M"), "note": "Morgenkontrol"}
    warned = await browser.post(f"/orders/{order.order_id}/schedule", form)
    assert warned.status_code == 200 and "efter fristen for udførelse" in warned.text
    assert await screening.staged(events.OrderScheduled) == []
    confirmed = await browser.post(
        f"/orders/{order.order_id}/schedule", {**form, "confirm_late": "1"}
    )
    assert confirmed.status_code == 303 and "done=scheduled_late" in confirmed.headers["location"]
    [scheduled] = await screening.staged(events.OrderScheduled)
    assert scheduled.planned_start == late.replace(second=0, microsecond=0)
    assert scheduled.note == "Morgenkontrol"


async def test_completing_a_traffic_control_publishes_counts_and_the_public_summary(
    screening,
) -> None:
    order = await queued(screening)
    browser = await officer_browser(screening)
    await browser.post(f"/orders/{order.order_id}/decision", decision_form())
    response = await browser.post(
        f"/orders/{order.order_id}/complete",
        {"summary": "Fartkontrol ved skolen.", "vehicles_checked": "212", "violations": "9"},
    )
    assert response.status_code == 303
    [done] = await screening.staged(events.OrderCompleted)
    assert (done.summary, done.vehicles_checked, done.violations) == (
        "Fartkontrol ved skolen.",
        212,
        9,
    )
    page = (await browser.get(f"/orders/{order.order_id}")).text
    assert "Kontrollerede køretøjer: 212, overtrædelser: 9" in page
    assert "Der er ikke flere handlinger" in page


async def test_bad_counts_are_shown_next_to_their_fields(screening) -> None:
    order = await queued(screening)
    browser = await officer_browser(screening)
    await browser.post(f"/orders/{order.order_id}/decision", decision_form())
    response = await browser.post(
        f"/orders/{order.order_id}/complete", {"summary": "", "vehicles_checked": "mange"}
    )
    assert response.status_code == 422
    assert 'id="vehicles_checked-error"' in response.text and 'id="summary-error"' in response.text
    assert await screening.staged(events.OrderCompleted) == []


async def test_a_question_is_sent_and_the_answer_appears_on_the_order(screening) -> None:
    order = await queued(screening)
    browser = await officer_browser(screening)
    response = await browser.post(
        f"/orders/{order.order_id}/question", {"question": "Hvilket tidspunkt er værst?"}
    )
    assert response.status_code == 303
    [asked] = await screening.staged(events.InfoRequested)
    assert asked.question == "Hvilket tidspunkt er værst?"
    await screening.deliver(
        events.InfoProvided(
            order_id=order.order_id,
            reference=order.reference,
            answer="Mellem 7 og 8 om morgenen.",
            answered_at=screening.clock(),
        )
    )
    page = (await browser.get(f"/orders/{order.order_id}")).text
    qa = page.split('id="h-questions"')[1].split("</section>")[0]
    assert "Hvilket tidspunkt er værst?" in qa and "Mellem 7 og 8 om morgenen." in qa


async def test_rerouting_to_another_district_publishes_the_request(screening) -> None:
    order = await queued(screening)
    browser = await officer_browser(screening)
    same = await browser.post(
        f"/orders/{order.order_id}/reroute", {"to_district": "1461", "reason": "x"}
    )
    assert same.status_code == 409 and "hører allerede til den kreds" in same.text
    response = await browser.post(
        f"/orders/{order.order_id}/reroute",
        {"to_district": "1470", "reason": "Vejen ligger i København"},
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/?done=")
    [event] = await screening.staged(events.RerouteRequested)
    assert (event.from_district, event.to_district, event.requested_by) == (
        "1461",
        "1470",
        (await audit_rows(screening))[-1].officer_id,
    )


# --- templates, audit, statistics ---------------------------------------------------------------


async def test_a_coordinator_rewords_the_districts_template_and_officers_get_it(screening) -> None:
    order, other = await queued(screening), await queued(screening, "1470")
    coordinator = await officer_browser(screening, Role.COORDINATOR)
    saved = await coordinator.post(
        "/templates", {"district": "1461", "no_capacity.da": "Kære {navn}. Østjylland har travlt."}
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/templates?saved=1"
    officer = await officer_browser(screening)
    page = (await officer.get(f"/orders/{order.order_id}?svar=no_capacity")).text
    assert "Østjylland har travlt." in page
    admin = await officer_browser(screening, Role.NATIONAL_ADMIN, None)
    elsewhere = (await admin.get(f"/orders/{other.order_id}?svar=no_capacity")).text
    assert "Østjylland har travlt." not in elsewhere
    assert (await officer.get("/templates")).status_code == 403
    bad = await coordinator.post("/templates", {"district": "1461", "other.en": "Hi {name}"})
    assert bad.status_code == 422 and "{name}" in bad.text


async def test_the_audit_trail_shows_the_coordinator_their_districts_views_and_actions(
    screening,
) -> None:
    mine, theirs = await queued(screening), await queued(screening, "1470")
    officer = await officer_browser(screening)
    other = await officer_browser(screening, Role.OFFICER, "1470")
    await officer.get(f"/orders/{mine.order_id}")
    await officer.post(f"/orders/{mine.order_id}/decision", decision_form())
    await other.get(f"/orders/{theirs.order_id}")
    coordinator = await officer_browser(screening, Role.COORDINATOR)
    trail = (await coordinator.get("/audit")).text
    assert mine.reference in trail and "Så personoplysninger" in trail and "Afgørelse" in trail
    assert "Officer 1461" in trail
    assert theirs.reference not in trail and "Officer 1470" not in trail
    decided = (await coordinator.get("/audit?action=decided")).text
    assert "Så personoplysninger" not in decided.split("<tbody>")[1]
    assert (await officer.get("/audit")).status_code == 403


async def test_api_views_are_audited_too(screening) -> None:
    order = await queued(screening)
    email = await add_officer(screening)
    async with screening.db.transaction() as session:
        token = await accounts.issue_token(session, email, screening.clock())
    client = new_client(screening)
    auth = {"Authorization": f"Bearer {token}"}
    await client.get("/api/v1/orders", headers=auth)
    await client.get(f"/api/v1/orders/{order.order_id}", headers=auth)
    actions = [(a.action, a.via, a.reference) for a in await audit_rows(screening)]
    assert actions == [("listed", "api", None), ("viewed", "api", order.reference)]


async def test_statistics_page_draws_charts_and_the_api_gives_the_same_numbers(screening) -> None:
    on_time, late = await queued(screening), await queued(screening)
    await queued(screening, "1470")
    browser = await officer_browser(screening)
    await browser.post(f"/orders/{on_time.order_id}/decision", decision_form())
    screening.clock.advance(timedelta(days=15))
    browser = await officer_browser(screening)  # the shift ended: a new session
    await browser.post(f"/orders/{late.order_id}/decision", decision_form("no_capacity", "Nej"))
    page = (await browser.get("/stats")).text
    assert page.count("<svg") >= 5 and 'role="img"' in page
    assert 'id="stat-total">2<' in page and "50 %" in page
    email = await add_officer(screening)
    async with screening.db.transaction() as session:
        token = await accounts.issue_token(session, email, screening.clock())
    stats = (
        await browser.client.get("/api/v1/stats", headers={"Authorization": f"Bearer {token}"})
    ).json()
    assert stats["total"] == 2 and stats["by_status"] == {"accepted": 1, "declined": 1}
    assert stats["decisions"] == {"count": 2, "within_deadline": 1, "share_within_deadline": 0.5}
    month = screening.clock().strftime("%Y-%m")
    assert sum(stats["by_month"].values()) == 2 and (
        month in stats["by_month"] or stats["by_month"]
    )


async def test_national_statistics_count_every_district(screening) -> None:
    await queued(screening, "1461")
    await queued(screening, "1470")
    await queued(screening, None)
    admin = await officer_browser(screening, Role.NATIONAL_ADMIN, None)
    page = (await admin.get("/stats")).text
    assert 'id="stat-total">3<' in page and "København" in page and "Ingen kreds" in page
    one = (await admin.get("/stats?district=1470")).text
    assert 'id="stat-total">1<' in one
