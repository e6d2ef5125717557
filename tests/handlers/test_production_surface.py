"""Outside `bestil dev` the public ports show no map of the API, no metrics, and insist on HTTPS."""

from __future__ import annotations

import importlib

import httpx
import pytest

from tests.handlers.conftest import SETTINGS


async def _get(service: str, environment: str, path: str, tmp_path) -> httpx.Response:
    settings_class = getattr(
        importlib.import_module(f"services.{service}.settings"), SETTINGS[service]
    )
    settings = settings_class(
        environment=environment,
        database_url=f"sqlite+aiosqlite:///{tmp_path / f'{service}.db'}",
        var_dir=tmp_path,
    )
    app = importlib.import_module(f"services.{service}.main").create_app(settings)
    await app.state.db.create_all()  # no lifespan here: /metrics counts the outbox
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


@pytest.mark.parametrize("service", ["intake", "screening", "routing", "notifications"])
async def test_docs_and_metrics_are_off_the_main_port_in_production(service, tmp_path) -> None:
    assert (await _get(service, "production", "/openapi.json", tmp_path)).status_code == 404
    assert (await _get(service, "production", "/docs", tmp_path)).status_code == 404
    assert (await _get(service, "production", "/metrics", tmp_path)).status_code == 404
    assert (await _get(service, "dev", "/openapi.json", tmp_path)).status_code == 200
    assert (await _get(service, "dev", "/metrics", tmp_path)).status_code == 200


@pytest.mark.parametrize("service", ["intake", "screening"])
async def test_the_citizens_and_officers_ports_send_hsts_outside_dev(service, tmp_path) -> None:
    production = await _get(service, "production", "/healthz", tmp_path)
    assert production.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    dev = await _get(service, "dev", "/healthz", tmp_path)
    assert "strict-transport-security" not in dev.headers
