"""Schemathesis over both JSON APIs, in process on a real database: no answer is a server
error, and every answer is one the OpenAPI document promises (status, headers, body).

Hypothesis draws the requests in a worker thread; each is sent on the test's own event loop,
where the app, its database and its in-memory broker live. A bounded number of examples per
operation keeps the whole run well under a minute.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks

from services.screening import accounts
from shared import events
from shared.vocabulary import Role, RoutingMethod
from tests.support import submitted_event, traffic_order

#: Examples per operation: valid requests, then requests that break the schema on purpose.
EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 6}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
BASE = "http://test"


@dataclass
class Exercise:
    """One API's run: how to send a request, what every request carries, what was found."""

    send: Callable[[dict[str, Any]], httpx.Response]
    headers: dict[str, str]
    known: dict[str, str]
    """Path and query parameters of a real order: half the requests name it, so the use
    cases run, not only their 404."""
    failures: list[str] = field(default_factory=list)
    seen: Counter[str] = field(default_factory=Counter)

    def operation(self, operation: Any, mode: GenerationMode) -> None:
        """`EXAMPLES[mode]` generated requests to one operation, every answer checked."""

        @given(case=operation.as_strategy(generation_mode=mode), real=st.booleans())
        @settings(
            max_examples=EXAMPLES[mode],
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any, real: bool) -> None:
            if real:
                _name_the_real_order(case, self.known)
            kwargs = case.as_transport_kwargs(base_url=BASE, headers=self.headers)
            response = self.send(kwargs)
            self.seen[f"{operation.label} {response.status_code}"] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=self.headers)
            except BaseException as exc:  # every failure of every case, not only the first
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                self.failures.append(f"{operation.label}: {exc}")

        try:
            run()
        except Unsatisfiable:  # no invalid request exists: every string is a valid reference
            self.seen[f"{operation.label} (no {mode.value} case)"] += 1

    def api(self, document: dict[str, Any], prefix: str) -> None:
        """Every operation whose path starts with `prefix`."""
        schema = schemathesis.openapi.from_dict(document)
        operations = [r.ok() for r in schema.get_all_operations()]
        for operation, mode in itertools.product(operations, EXAMPLES):
            if operation.path.startswith(prefix):
                self.operation(operation, mode)


def _name_the_real_order(case: Any, known: dict[str, str]) -> None:
    for part in (case.path_parameters, case.query):
        if part is not None:
            part.update({name: value for name, value in known.items() if name in part})
    if case.query is not None and "token" in known and "reference" in (case.path_parameters or {}):
        case.query["token"] = known["token"]


async def _run(
    app: Any,
    prefix: str,
    headers: dict[str, str] | None = None,
    known: Callable[[httpx.AsyncClient], Any] | None = None,
) -> list[str]:
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:

        async def request(kwargs: dict[str, Any]) -> httpx.Response:
            body = kwargs.pop("data", None)
            kwargs.pop("auth", None)
            client.cookies = kwargs.pop("cookies", None) or {}
            return await client.request(**kwargs, content=body)

        def send(kwargs: dict[str, Any]) -> httpx.Response:
            return asyncio.run_coroutine_threadsafe(request(kwargs), loop).result(timeout=30)

        run = Exercise(send, headers or {}, await known(client) if known else {})
        await asyncio.to_thread(run.api, app.openapi(), prefix)
    print("\n".join(f"{n:4} × {answer}" for answer, n in sorted(run.seen.items())))
    return run.failures


async def test_intake_api_answers_as_documented(harness) -> None:
    h = await harness("intake", rate_limit_per_minute=1000)
    failures = await _run(h.app, "/api/", known=_an_order)
    assert failures == [], "\n".join(failures)


async def _an_order(client: httpx.AsyncClient) -> dict[str, str]:
    receipt = (await client.post("/api/v1/orders", json=traffic_order())).json()
    return {"reference": receipt["reference"], "token": receipt["status_token"]}


async def test_intake_open311_answers_as_documented(harness) -> None:
    h = await harness("intake", rate_limit_per_minute=1000)
    failures = await _run(h.app, "/open311/")
    assert failures == [], "\n".join(failures)


async def test_screening_api_answers_as_documented(harness) -> None:
    h = await harness("screening")
    now = datetime.now(UTC)
    async with h.db.transaction() as session:
        await accounts.add_officer(
            session,
            email="admin@politi.dk",
            name="Rigsadministrator",
            district_code=None,
            role=Role.NATIONAL_ADMIN,
            password="a long enough password",
            now=now,
        )
        token = await accounts.issue_token(session, "admin@politi.dk", now)
    order = submitted_event()
    await h.deliver(order)
    await h.deliver(
        events.OrderRouted(
            order_id=order.order_id,
            reference=order.reference,
            district_code="1461",
            district_name="Østjyllands Politi",
            method=RoutingMethod.MUNICIPALITY,
            routed_at=now,
        )
    )

    async def known(_client: httpx.AsyncClient) -> dict[str, str]:
        return {"order_id": str(order.order_id)}

    failures = await _run(h.app, "/api/", {"Authorization": f"Bearer {token}"}, known)
    assert failures == [], "\n".join(failures)


@pytest.fixture(autouse=True)
def _quiet_hypothesis(monkeypatch) -> None:
    """Hypothesis's example database stays out of the repository."""
    monkeypatch.setenv("HYPOTHESIS_STORAGE_DIRECTORY", "/tmp/bestil-hypothesis")
