"""Faults under load: citizens keep ordering while a broker, a service or the database dies.

The citizens are a client as a careful integration would write it: each order has an
`Idempotency-Key`, and a request that fails (connection refused, reset, 5xx) is sent again with
the same key until it is answered. What the tests then check, from outside: every order that
was answered 201 is in screening exactly once (one row, one submitted and one routed line in
its history), in the district its municipality belongs to, and its citizen got one receipt.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.districts import district_for_municipality
from tests.e2e.conftest import System, officer
from tests.support import eventually, traffic_order

#: Places in six districts (postal code, city, municipality).
PLACES = [
    ("8000", "Aarhus C", "751"),
    ("5000", "Odense C", "461"),
    ("3700", "Rønne", "400"),
    ("9000", "Aalborg", "851"),
    ("6700", "Esbjerg", "561"),
    ("4000", "Roskilde", "265"),
]


@dataclass
class Citizens:
    """Steady submissions at `rate` orders a second, each retried with its key until answered."""

    intake_url: str
    rate: float = 10.0
    give_up_after: float = 120.0
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)
    expected_district: dict[str, str] = field(default_factory=dict)
    retries: int = 0
    answered_after_retry: int = 0
    refused: list[str] = field(default_factory=list)
    sent: int = 0

    def order(self, i: int) -> dict[str, Any]:
        postal_code, city, municipality = PLACES[i % len(PLACES)]
        return traffic_order(
            description=f"Der køres alt for stærkt forbi skolen (fejltest {self.run} nr. {i}).",
            location={
                "address": "Skolevej 1",
                "postal_code": postal_code,
                "city": city,
                "municipality_code": municipality,
            },
        )

    async def submit(self, http: httpx.AsyncClient, i: int) -> None:
        key = f"{self.run}-{i}"
        body = self.order(i)
        deadline = time.monotonic() + self.give_up_after
        attempts = 0
        while time.monotonic() < deadline:
            attempts += 1
            if attempts > 1:
                self.retries += 1
                await asyncio.sleep(0.5)
            try:
                response = await http.post(
                    f"{self.intake_url}/api/v1/orders", json=body, headers={"Idempotency-Key": key}
                )
            except httpx.TransportError:
                continue
            if response.status_code in (200, 201):
                answer = response.json()
                if attempts > 1:
                    self.answered_after_retry += 1
                self.accepted[key] = answer
                district = district_for_municipality(body["location"]["municipality_code"])
                assert district is not None
                self.expected_district[answer["reference"]] = district.code
                return
            if response.status_code < 500 and response.status_code != 429:
                self.refused.append(f"{key}: {response.status_code} {response.text[:200]}")
                return
        self.refused.append(f"{key}: not answered in {self.give_up_after:.0f}s")

    async def run_for(self, seconds: float) -> None:
        """Submit for `seconds`, each order on its own schedule, and wait for every answer."""
        start = time.monotonic()
        tasks: list[asyncio.Task[None]] = []
        async with httpx.AsyncClient(timeout=10) as http:
            i = 0
            while time.monotonic() - start < seconds:
                tasks.append(asyncio.create_task(self.submit(http, i)))
                i += 1
                await asyncio.sleep(max(0.0, start + i / self.rate - time.monotonic()))
            self.sent = i
            await asyncio.gather(*tasks)

    @property
    def references(self) -> set[str]:
        return {a["reference"] for a in self.accepted.values()}


async def at(seconds: float, action: Any) -> None:
    """Run a blocking action (kill, restart) after `seconds`, off the event loop."""
    await asyncio.sleep(seconds)
    await asyncio.to_thread(action)


Receipts = Callable[[str], list[str]]


def smtp_receipts(system: System) -> Receipts:
    """The Message-IDs of the receipts the SMTP server got for one reference."""
    return lambda reference: [
        str(m["Message-ID"])
        for m in system.inbox.about(reference)
        if "modtaget" in str(m["Subject"]).lower()
    ]


def file_receipts(system: System) -> Receipts:
    """The receipts written to the mail directory for one reference, by file name."""
    mail = system.root / "var" / "mail"
    return lambda reference: sorted(p.name for p in mail.glob(f"*-{reference}-receipt-*.eml"))


async def check_exactly_once(
    system: System,
    citizens: Citizens,
    what: str,
    *,
    receipts_of: Receipts | None = None,
    repeats_allowed: int = 0,
) -> None:
    """Every accepted order in screening once, in its district, with its receipt(s).

    `repeats_allowed`: how many receipts may arrive a second time (the same email, same
    Message-ID): over SMTP the one email in flight when notifications dies (architecture.md).
    """
    receipts_of = receipts_of or smtp_receipts(system)
    auth = officer(system, None, "national_admin")
    ours = citizens.references
    async with httpx.AsyncClient(timeout=30) as http:
        screening = system.url("screening")

        async def queued() -> list[dict[str, Any]] | None:
            response = await http.get(f"{screening}/api/v1/orders", headers=auth)
            if response.status_code != 200:
                return None
            mine = [
                o
                for o in response.json()["orders"]
                if f"fejltest {citizens.run} " in o["order"]["description"]
            ]
            arrived = {o["reference"] for o in mine} >= ours
            # routing's verdict comes on its own topic, after the order itself
            routed = all(o["district_code"] for o in mine)
            return mine if arrived and routed else None

        found = await eventually(
            queued, within=180, what=f"all {len(ours)} orders in screening, routed"
        )
        by_reference = Counter(o["reference"] for o in found)
        wrong_district = [
            o["reference"]
            for o in found
            if o["district_code"] != citizens.expected_district.get(o["reference"])
        ]
        unexpected = sorted(set(by_reference) - ours)
        histories: Counter[str] = Counter()
        for order in found:
            detail = (
                await http.get(f"{screening}/api/v1/orders/{order['order_id']}", headers=auth)
            ).json()
            kinds = Counter(h["kind"] for h in detail["history"])
            if kinds["OrderSubmitted"] != 1 or kinds["OrderRouted"] != 1:
                histories[order["reference"]] += 1

    async def all_receipts() -> bool:
        return all(receipts_of(r) for r in ours)

    await eventually(all_receipts, within=120, what="a receipt for every order")
    await asyncio.sleep(1.0)  # a second receipt would be right behind the first
    receipts = {r: receipts_of(r) for r in ours}
    doubled = {r: len(ids) for r, ids in receipts.items() if len(ids) > 1}
    distinct = all(len(set(ids)) == 1 for ids in receipts.values())
    print(
        f"\n[{what}] submitted {citizens.sent}, answered 201 {len(ours)}, "
        f"client retries {citizens.retries} ({citizens.answered_after_retry} orders answered "
        "after a retry), "
        f"refused {len(citizens.refused)}; in screening {len(found)} "
        f"(doubled {sum(n - 1 for n in by_reference.values())}, unexpected {len(unexpected)}, "
        f"wrong district {len(wrong_district)}, history not exactly once {len(histories)}); "
        f"receipts {sum(len(v) for v in receipts.values())} for {len(receipts)} orders "
        f"(repeated {sum(n - 1 for n in doubled.values())})"
    )
    parked = {s: system.log(s).count("dead-lettering") for s in system.processes}
    assert not any(parked.values()), f"good events parked in a DLQ: {parked}"
    assert not citizens.refused, citizens.refused[:5]
    assert citizens.sent == len(citizens.accepted)
    assert len(found) == len(ours) and not unexpected
    assert all(n == 1 for n in by_reference.values())
    assert not wrong_district, wrong_district[:5]
    assert not histories, dict(histories)
    assert distinct  # a repeat is the same email (same Message-ID), never a second one
    assert sum(n - 1 for n in doubled.values()) <= repeats_allowed, doubled
