"""Every response carries a correlation id; every request is timed by its route template."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from shared.http import ObservedRequests
from shared.logs import correlation_id


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/status/{reference}")
    async def status(reference: str) -> dict[str, str | None]:
        return {"seen": correlation_id.get()}

    app.add_middleware(ObservedRequests, service="unit-test")
    return app


def _count(route: str, status: str) -> float:
    labels = {"service": "unit-test", "method": "GET", "route": route, "status": status}
    return REGISTRY.get_sample_value("bestil_http_request_duration_seconds_count", labels) or 0


def test_a_given_correlation_id_is_used_in_the_request_and_echoed() -> None:
    with TestClient(_app()) as client:
        answer = client.get("/status/BEB-7K2M9QXA", headers={"X-Correlation-Id": "abc-123"})
    assert answer.headers["x-correlation-id"] == "abc-123"
    assert answer.json() == {"seen": "abc-123"}


def test_a_missing_or_unsafe_correlation_id_is_replaced_by_a_new_one() -> None:
    with TestClient(_app()) as client:
        fresh = client.get("/status/BEB-7K2M9QXA")
        unsafe = client.get("/status/x", headers={"X-Correlation-Id": "Mette Hansen <m@x.dk>"})
    assert len(fresh.headers["x-correlation-id"]) == 36
    assert unsafe.headers["x-correlation-id"] != "Mette Hansen <m@x.dk>"
    assert unsafe.json()["seen"] == unsafe.headers["x-correlation-id"]


def test_requests_are_timed_by_route_template_not_by_path() -> None:
    before = _count("/status/{reference}", "200"), _count("unmatched", "404")
    with TestClient(_app()) as client:
        client.get("/status/BEB-1")
        client.get("/status/BEB-2")
        client.get("/nowhere")
    assert _count("/status/{reference}", "200") == before[0] + 2
    assert _count("unmatched", "404") == before[1] + 1
