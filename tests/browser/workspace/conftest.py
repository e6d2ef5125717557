"""Browser tests of the officers' workspace: Debian's headless Chromium driven by Playwright.

Two ways to run screening for them:
- `workspace_site`: screening (and intake, for phone orders) as uvicorn servers in this process,
  on databases of their own, with orders put in place by applying events; no broker runs, so
  what the workspace publishes waits in its outbox.
- `workspace_system`: the whole system as processes (tests/e2e's `system`), so that an officer's
  actions travel over Kafka to the citizen's status page.

Every page is checked with axe-core (node_modules/axe-core, injected by the browser before the
page's own scripts, so the Content-Security-Policy stays on) and photographed under
test-artifacts/workspace/. Without Chromium, Playwright or axe-core the tests are skipped.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.browser.conftest import axe_violations
from tests.e2e.conftest import Inbox, System, pytest_runtest_makereport, system  # noqa: F401
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "workspace"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "et-langt-og-hemmeligt-kodeord"


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed in the virtualenv"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not AXE.exists():
        return "node_modules/axe-core is missing (npm ci in the repository)"
    return None


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def workspace_chromium() -> AsyncIterator[Any]:
    reason = missing()
    if reason:
        pytest.skip(f"browser test skipped: {reason}")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(loop_scope="session")
async def officer_context(workspace_chromium: Any) -> AsyncIterator[Any]:
    """A browser context for one officer: Danish, desktop-sized, axe-core in every page.

    Script errors and Content-Security-Policy complaints fail the test at the end.
    """
    contexts: list[Any] = []
    errors: list[str] = []

    async def make(base_url: str) -> Any:
        context = await workspace_chromium.new_context(
            base_url=base_url, viewport=DESKTOP, locale="da-DK", timezone_id="Europe/Copenhagen"
        )
        await context.add_init_script(path=str(AXE))
        context.on("page", lambda page: _watch(page, errors))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        await context.close()
    assert errors == [], f"the pages reported script or CSP errors: {errors}"


def _watch(page: Any, errors: list[str]) -> None:
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )


async def check_accessibility(page: Any, what: str) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now (saved as JSON too)."""
    result, violations = await axe_violations(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{what}.json").write_text(
        json.dumps(
            {"page": page.url, "violations": violations, "axe": result.get("testEngine")},
            indent=2,
            ensure_ascii=False,
        )
    )
    return violations


async def assert_accessible(page: Any, what: str) -> None:
    violations = await check_accessibility(page, what)
    assert not violations, f"axe found WCAG 2.1 A/AA violations on {what}:\n" + json.dumps(
        violations, indent=2, ensure_ascii=False
    )


async def screenshot(page: Any, name: str, *, phone: bool = False) -> None:
    """The whole page under test-artifacts/workspace/ (and at phone width when asked)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if phone:
        await page.set_viewport_size(PHONE)
        await page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
        await page.set_viewport_size(DESKTOP)


async def sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    await page.goto("/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Adgangskode").fill(password)
    await page.get_by_role("button", name="Log ind").click()
    await page.wait_for_url(lambda url: "/login" not in url)


# --- screening (and intake) in this process ----------------------------------------------------


class _Server:
    """A uvicorn server on a thread of its own."""

    def __init__(self, app: Any, port: int, name: str) -> None:
        import uvicorn

        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, name=name, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.thread.name} did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(15)


@dataclass
class Site:
    """Screening as a server, the officers who can sign in, and the orders put in place."""

    url: str
    intake_url: str
    database_url: str
    officers: dict[str, str] = field(default_factory=dict)  # role -> email
    orders: dict[str, Any] = field(default_factory=dict)  # name -> OrderSubmitted

    async def staged(self, model: type) -> list[Any]:
        from services.screening.models import ScreeningBase, messages
        from shared.db import Database
        from tests.support import staged_events

        db = Database(self.database_url, ScreeningBase.metadata)
        try:
            return await staged_events(db, messages, model)
        finally:
            await db.dispose()


def _order(now: datetime, days_ago: float, **overrides: Any) -> Any:
    from tests.support import submitted_event, traffic_order

    return submitted_event(traffic_order(**overrides), now=now - timedelta(days=days_ago))


def _festival(order: dict[str, Any]) -> dict[str, Any]:
    details = {
        **order["details"],
        "event_name": "Aarhus Festuge – åbning",
        "venue": "Rådhuspladsen",
    }
    return {
        **order,
        "requester": {"name": "Aarhus Festuge", "email": "info@example.dk"},
        "location": {"postal_code": "8000", "city": "Aarhus C", "municipality_code": "751"},
        "details": details,
    }


async def seed(database_url: str, now: datetime) -> tuple[dict[str, str], dict[str, Any]]:
    """A morning's queue in Østjylland: neighbours on one road, an urgent event, a breach,
    an English order, a finished one; an order elsewhere; one nobody could route."""
    from services.screening import accounts, actions, projection
    from services.screening.domain import CompleteRequest, DecisionRequest, QuestionRequest
    from services.screening.models import ScreeningBase
    from shared import districts, events, migrations
    from shared.db import Database
    from shared.vocabulary import Role, RoutingMethod
    from tests.support import event_order, submitted_event

    db = Database(database_url, ScreeningBase.metadata)
    await migrations.upgrade(db, "screening")  # as the service will find it
    officers = {}
    async with db.transaction() as session:
        for role, district, name in (
            (Role.OFFICER, "1461", "Peter Sørensen"),
            (Role.COORDINATOR, "1461", "Lene Kjær"),
            (Role.NATIONAL_ADMIN, None, "Anders Holm"),
        ):
            email = f"{role.value}@politi.dk"
            await accounts.add_officer(
                session,
                email=email,
                name=name,
                district_code=district,
                role=role,
                password=PASSWORD,
                now=now,
            )
            officers[role.value] = email
    road = {"road": "Skovvejen mellem nr. 2 og 40", "problem": "speeding", "speed_limit_kmh": 40}
    place = {
        "address": "Skovvejen 12",
        "postal_code": "8240",
        "city": "Risskov",
        "municipality_code": "751",
        "lat": 56.1912,
        "lon": 10.2360,
    }
    orders = {
        "neighbour_1": _order(now, 9, location=place, details=road),
        "neighbour_2": _order(
            now,
            6,
            requester={"name": "Jens Jensen", "email": "jens@example.dk"},
            location={**place, "address": "Skovvejen 31", "lat": 56.1925, "lon": 10.2371},
            details={**road, "road": "Skovvejen ved nr. 31", "time_of_day": ["evening"]},
        ),
        "neighbour_3": _order(
            now,
            3,
            language="en",
            requester={"name": "Anna Berg", "email": "anna@example.dk"},
            location={"address": "Skovvejen 7", "postal_code": "8240", "municipality_code": "751"},
            details={**road, "road": "skovvejen", "problem": "mopeds"},
        ),
        "breached": _order(
            now,
            16,
            location={"postal_code": "8000", "city": "Aarhus C", "municipality_code": "751"},
            details={"road": "Vestergade", "problem": "heavy_vehicles"},
        ),
        "soon": _order(
            now,
            12,
            location={"postal_code": "8900", "city": "Randers C", "municipality_code": "730"},
            details={"road": "Århusvej", "problem": "speeding"},
        ),
        "talk": submitted_event(
            {
                "category": "talk",
                "language": "da",
                "requester": {"name": "Grundejerforeningen Solsikken", "email": "gf@example.dk"},
                "location": {"postal_code": "8300", "city": "Odder", "municipality_code": "727"},
                "description": "Vi vil gerne høre om indbrudsforebyggelse.",
                "details": {
                    "topic": "burglary_prevention",
                    "audience": "Medlemmer",
                    "expected_attendees": 60,
                },
                "consent": True,
            },
            now=now - timedelta(days=2),
        ),
        "event": submitted_event(
            _festival(event_order(now, starts_in=timedelta(days=9))),
            now=now - timedelta(hours=5),
        ),
        "done": _order(
            now,
            25,
            location={"postal_code": "8200", "city": "Aarhus N", "municipality_code": "751"},
            details={"road": "Randersvej", "problem": "speeding"},
        ),
        "elsewhere": _order(
            now,
            10,
            location={"postal_code": "5000", "city": "Odense C", "municipality_code": "461"},
        ),
        "unroutable": _order(now, 4, location={"postal_code": "4000"}),
    }
    district = {"elsewhere": "1465", "unroutable": None}
    async with db.transaction() as session:
        for name, order in orders.items():
            await projection.apply_event(session, order)
            code = district.get(name, "1461")
            if code is None:
                await projection.apply_event(
                    session,
                    events.OrderUnroutable(
                        order_id=order.order_id,
                        reference=order.reference,
                        reason="postal code 4000 spans several districts",
                    ),
                )
                continue
            await projection.apply_event(
                session,
                events.OrderRouted(
                    order_id=order.order_id,
                    reference=order.reference,
                    district_code=code,
                    district_name=districts.district(code).name,
                    method=RoutingMethod.MUNICIPALITY,
                    routed_at=order.submitted_at,
                ),
            )
        breached = orders["breached"]
        await projection.apply_event(
            session,
            events.DeadlineAlert(
                order_id=breached.order_id,
                reference=breached.reference,
                district_code="1461",
                kind="decision",
                state="breached",
                due_at=breached.decision_due,
                raised_at=now,
            ),
        )
        done = orders["done"]
        coordinator = await accounts.officer_by_email(session, officers["coordinator"])
    await actions.record_decision(
        db,
        coordinator,
        [str(done.order_id)],
        DecisionRequest(decision="accepted", reason_code="accepted", message="Vi kommer."),
        now=now - timedelta(days=23),
    )
    await actions.ask_citizen(
        db,
        coordinator,
        [str(done.order_id)],
        QuestionRequest(question="Hvornår på dagen er det værst?"),
        now=now - timedelta(days=22),
    )
    async with db.transaction() as session:
        await projection.apply_event(
            session,
            events.InfoProvided(
                order_id=done.order_id,
                reference=done.reference,
                answer="Det er værst mellem 7 og 8.",
                answered_at=now - timedelta(days=21),
            ),
        )
    await actions.complete_order(
        db,
        coordinator,
        [str(done.order_id)],
        CompleteRequest(summary="Fartkontrol kl. 7-9.", vehicles_checked=140, violations=6),
        now=now - timedelta(days=20),
    )
    await db.dispose()
    return officers, orders


@pytest_asyncio.fixture(loop_scope="session")
async def workspace_site(tmp_path: Path, database_url: Any) -> AsyncIterator[Site]:
    """Screening and intake as servers in this process, screening's queue seeded.

    The databases are SQLite files, or PostgreSQL databases when the tests run on PostgreSQL.
    """
    from services.intake.main import create_app as create_intake
    from services.intake.settings import IntakeSettings
    from services.screening.main import create_app as create_screening
    from services.screening.settings import ScreeningSettings
    from shared.settings import KafkaSettings

    if missing():
        pytest.skip(f"browser test skipped: {missing()}")
    nobody = KafkaSettings(bootstrap=f"127.0.0.1:{free_port()}", create_topics=False)
    screening_db, intake_db = await database_url("screening"), await database_url("intake")
    intake_port, screening_port = free_port(), free_port()
    officers, orders = await seed(screening_db, datetime.now(UTC))
    intake = create_intake(
        IntakeSettings(
            database_url=intake_db,
            var_dir=tmp_path / "var",
            rate_limit_per_minute=1000,
            kafka=nobody,
        )
    )
    screening = create_screening(
        ScreeningSettings(
            database_url=screening_db,
            var_dir=tmp_path / "var",
            intake_url=f"http://127.0.0.1:{intake_port}",
            kafka=nobody,
            # the order page's map asks a tile server where nothing answers: never the internet
            map_tile_url=f"http://127.0.0.1:{free_port()}/tiles/{{z}}/{{x}}/{{y}}.png",
        )
    )
    with _Server(intake, intake_port, "intake"), _Server(screening, screening_port, "screening"):
        yield Site(
            url=f"http://127.0.0.1:{screening_port}",
            intake_url=f"http://127.0.0.1:{intake_port}",
            database_url=screening_db,
            officers=officers,
            orders=orders,
        )


# --- the whole system --------------------------------------------------------------------------


@pytest.fixture
def workspace_system(system: System) -> System:  # noqa: F811 (the imported fixture)
    """tests/e2e's system, with screening told where intake listens (for phone orders)."""
    if missing():
        pytest.skip(f"browser test skipped: {missing()}")
    if system.env.get("BESTIL_SCREENING_INTAKE_URL") != system.url("intake"):
        system.env["BESTIL_SCREENING_INTAKE_URL"] = system.url("intake")
        process = system.processes["screening"]
        process.terminate()
        process.wait(20)
        system.start("screening")
        system.wait_ready()
    return system


def unique_email(role: str) -> str:
    return f"{role}.{uuid.uuid4().hex[:6]}@politi.dk"
