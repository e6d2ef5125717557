"""Making the orders over HTTP: citizens through intake's API, the demo officer through screening's."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bestil.demo.plan import (
    FINAL_STATUS,
    OFFICER_EMAIL,
    OFFICER_NAME,
    OFFICER_PASSWORD,
    TRAFFIC,
    PlannedOrder,
    Stage,
    plan_orders,
)
from bestil.demo.words import (
    ACCEPT,
    DECLINES,
    FEEDBACK,
    QUESTIONS,
    WITHDRAWALS,
    completion,
    order_body,
    schedule_for,
)

if TYPE_CHECKING:
    import httpx

# --- the demo officer --------------------------------------------------------------------


@dataclass(frozen=True)
class DemoOfficer:
    email: str
    token: str
    created: bool


async def demo_officer(email: str = OFFICER_EMAIL, password: str = OFFICER_PASSWORD) -> DemoOfficer:
    """A national admin (who may act on every district's orders) and a new API token for it;
    the account is made once and reused, through the use cases `bestil officer` calls."""
    from bestil.services import settings_for
    from services.screening import account_changes, accounts
    from services.screening.models import ScreeningBase
    from shared import migrations
    from shared.clock import utcnow
    from shared.db import Database
    from shared.vocabulary import Role

    settings = settings_for("screening")
    db = Database(settings.resolved_database_url("screening"), ScreeningBase.metadata)
    try:
        await migrations.upgrade(db, "screening")
        async with db.reading() as session:
            existing = await accounts.officer_by_email(session, email)
        if existing is None:
            await account_changes.add_officer(
                db,
                email=email,
                name=OFFICER_NAME,
                district_code=None,
                role=Role.NATIONAL_ADMIN,
                password=password,
                actor="cli:demo-seed",
                now=utcnow(),
            )
        issued = await account_changes.issue_api_token(
            db,
            email,
            lifetime=timedelta(days=settings.token_days),
            actor="cli:demo-seed",
            now=utcnow(),
        )
    finally:
        await db.dispose()
    return DemoOfficer(email, issued.token, created=existing is None)


# --- making the orders -------------------------------------------------------------------


class SeedError(Exception):
    """A service refused a step or did not get there in time; the message says which."""


@dataclass
class Placed:
    """A submitted demo order as the citizen holds it."""

    planned: PlannedOrder
    order_id: str
    reference: str
    token: str
    decision_due: datetime


@dataclass
class SeedResult:
    made: list[Placed] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    rate_limited_s: float = 0.0
    """How long intake's per-client limit held the submissions back."""


class Seeder:
    """Plays the citizens against intake and the demo officer against screening."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        intake: str,
        screening: str,
        token: str,
        *,
        run_id: str,
        past_after: timedelta,
        wait: float,
    ) -> None:
        self.http, self.intake, self.screening = http, intake.rstrip("/"), screening.rstrip("/")
        self.officer = {"Authorization": f"Bearer {token}"}
        self.run_id, self.past_after, self.wait = run_id, past_after, wait
        self._submitting = asyncio.Lock()
        self.rate_limited_s = 0.0

    # citizens

    async def submit(self, planned: PlannedOrder) -> Placed:
        """One order; intake's per-client limit (30 a minute by default) is waited out."""
        key = f"demo-seed:{self.run_id}:{planned.index}"
        async with self._submitting:
            while True:
                body = order_body(planned, datetime.now(UTC), past_after=self.past_after)
                response = await self.http.post(
                    f"{self.intake}/api/v1/orders", json=body, headers={"Idempotency-Key": key}
                )
                if response.status_code != 429:
                    break
                pause = float(response.headers.get("retry-after", "5"))
                self.rate_limited_s += pause
                await asyncio.sleep(pause)
        if response.status_code not in (200, 201):
            raise SeedError(f"intake refused order {planned.index}: {response.text}")
        made = response.json()
        return Placed(
            planned,
            made["order_id"],
            made["reference"],
            made["status_token"],
            datetime.fromisoformat(made["decision_due"]),
        )

    async def citizen(self, placed: Placed, action: str, body: dict[str, Any]) -> None:
        response = await self.http.post(
            f"{self.intake}/api/v1/orders/{placed.reference}/{action}",
            params={"token": placed.token},
            json=body,
        )
        if response.status_code != 200:
            raise SeedError(f"{placed.reference}: intake refused {action}: {response.text}")

    async def status(self, placed: Placed) -> dict[str, Any]:
        response = await self.http.get(
            f"{self.intake}/api/v1/orders/{placed.reference}", params={"token": placed.token}
        )
        return response.json() if response.status_code == 200 else {}

    # the officer

    async def act(self, placed: Placed, action: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(
            f"{self.screening}/api/v1/orders/{placed.order_id}/{action}",
            json=body,
            headers=self.officer,
        )
        if response.status_code != 200:
            raise SeedError(f"{placed.reference}: screening refused {action}: {response.text}")
        return dict(response.json()["order"])

    async def queued(self, placed: Placed) -> dict[str, Any]:
        response = await self.http.get(
            f"{self.screening}/api/v1/orders/{placed.order_id}", headers=self.officer
        )
        if response.status_code == 401:
            raise SeedError("screening does not accept the demo officer's token")
        return response.json() if response.status_code == 200 else {}

    # waiting, bounded

    async def until(
        self,
        probe: Callable[[], Awaitable[dict[str, Any]]],
        fits: Callable[[dict], bool],
        what: str,
    ) -> dict[str, Any]:
        deadline = time.monotonic() + self.wait
        last: dict[str, Any] = {}
        while time.monotonic() < deadline:
            last = await probe()
            if last and fits(last):
                return last
            await asyncio.sleep(0.25)
        raise SeedError(
            f"timed out after {self.wait:.0f}s waiting for {what} (last: {last.get('status')})"
        )

    async def in_intake(self, placed: Placed, status: str) -> dict[str, Any]:
        return await self.until(
            lambda: self.status(placed),
            lambda s: s.get("status") == status,
            f"{placed.reference} to be {status} in intake",
        )

    async def in_screening(
        self, placed: Placed, status: str, also: Callable[[dict], bool] = lambda o: True
    ) -> dict[str, Any]:
        return await self.until(
            lambda: self.queued(placed),
            lambda o: o.get("status") == status and also(o),
            f"{placed.reference} to be {status} in screening",
        )

    # one order's life

    async def make(self, planned: PlannedOrder) -> Placed:
        """Submit the order, wait for its district's queue, take it to its stage, and wait
        until intake and screening both show the status that stage leaves."""
        placed = await self.submit(planned)
        order = await self.in_screening(
            placed, "routed", lambda o: o.get("district_code") == planned.district_code
        )
        rng = random.Random(planned.seed + 1)
        steps = {
            Stage.ASKED: self._ask,
            Stage.ANSWERED: self._ask,
            Stage.DECLINED: self._decline,
            Stage.ACCEPTED: self._accept,
            Stage.SCHEDULED: self._accept,
            Stage.COMPLETED: self._accept,
            Stage.WITHDRAWN: self._withdraw,
        }
        if planned.stage in steps:
            await steps[planned.stage](placed, order, rng)
        final = FINAL_STATUS[planned.stage]
        await self.in_intake(placed, final)
        await self.in_screening(placed, final)
        return placed

    async def _ask(self, placed: Placed, order: dict[str, Any], rng: random.Random) -> None:
        question, answer = QUESTIONS[placed.planned.category]
        await self.act(placed, "questions", {"question": question})
        if placed.planned.stage == Stage.ANSWERED:
            await self.in_intake(placed, "info_requested")  # the citizen sees the question
            await self.citizen(placed, "answer", {"answer": answer})
            await self.in_screening(placed, "routed", _has("InfoProvided"))

    async def _decline(self, placed: Placed, order: dict[str, Any], rng: random.Random) -> None:
        fitting = DECLINES if placed.planned.category == TRAFFIC else (DECLINES[0], DECLINES[3])
        reason, message = rng.choice(fitting)
        decline = {"decision": "declined", "reason_code": reason, "message": message}
        await self.act(placed, "decision", decline)

    async def _accept(self, placed: Placed, order: dict[str, Any], rng: random.Random) -> None:
        """Accept; then schedule, or carry out (and most citizens say how it went)."""
        await self.act(placed, "decision", ACCEPT)
        if placed.planned.stage == Stage.SCHEDULED:
            await self.act(placed, "schedule", schedule_for(order, datetime.now(UTC), rng))
        elif placed.planned.stage == Stage.COMPLETED:
            await self.act(placed, "complete", completion(placed.planned.category, rng))
            if placed.planned.index % 3:
                await self.in_intake(placed, "completed")
                feedback = {
                    "carried_out_seen": True,
                    "rating": rng.choice([3, 4, 5, 5]),
                    "comment": FEEDBACK[placed.planned.category],
                }
                await self.citizen(placed, "feedback", feedback)

    async def _withdraw(self, placed: Placed, order: dict[str, Any], rng: random.Random) -> None:
        if placed.planned.index % 2:  # some withdraw after the acceptance, some before it
            await self.act(placed, "decision", ACCEPT)
            await self.in_intake(placed, "accepted")
        await self.citizen(placed, "cancel", {"reason": rng.choice(WITHDRAWALS)})


def _has(kind: str) -> Callable[[dict], bool]:
    return lambda order: any(h.get("kind") == kind for h in order.get("history", []))


async def _ready(http: httpx.AsyncClient, url: str, name: str) -> None:
    import httpx

    try:
        response = await http.get(f"{url.rstrip('/')}/readyz")
    except httpx.HTTPError as exc:
        raise SeedError(
            f"{name} does not answer at {url} ({exc}): is `bestil dev` running?"
        ) from None
    if response.status_code != 200:
        raise SeedError(f"{name} at {url} is not ready ({response.status_code})")


async def seed(
    count: int,
    *,
    intake: str,
    screening: str,
    token: str,
    rng: random.Random,
    past_after: timedelta = timedelta(minutes=2),
    wait: float = 60.0,
    parallel: int = 6,
) -> SeedResult:
    """Make `count` demo orders, a few at a time, each taken to its stage; a new run adds more."""
    import httpx

    result = SeedResult()
    async with httpx.AsyncClient(timeout=15) as http:
        await _ready(http, intake, "intake")
        await _ready(http, screening, "screening")
        seeder = Seeder(
            http,
            intake,
            screening,
            token,
            run_id=uuid.uuid4().hex[:12],
            past_after=past_after,
            wait=wait,
        )
        gate = asyncio.Semaphore(parallel)

        async def one(planned: PlannedOrder) -> None:
            async with gate:
                try:
                    result.made.append(await seeder.make(planned))
                except (SeedError, httpx.HTTPError) as exc:
                    result.failures.append(f"order {planned.index} ({planned.stage}): {exc}")

        await asyncio.gather(*(one(p) for p in plan_orders(count, rng)))
        result.rate_limited_s = seeder.rate_limited_s
    result.made.sort(key=lambda p: p.planned.index)
    return result
