"""A real Open311 client from PyPI (`georeport`, over `requests`) against intake's GeoReport v2.

`georeport` 0.3.1 reads services, definitions and requests in JSON and XML but has no call to
create a request: the test posts that with `requests`, the HTTP library the client itself uses,
as the spec's form-encoded body.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import uvicorn
from georeport import GeoReport

from bestil.broker import free_port
from services.intake.main import create_app
from services.intake.settings import IntakeSettings

KEY = "open311-client-key-0123456789abcdefghijklmn"


@pytest.fixture
def root(tmp_path: Path) -> Iterator[str]:
    """Intake served on a loopback port by uvicorn in a thread of its own (no broker: the
    order waits in the outbox), and its Open311 root URL."""
    settings = IntakeSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}",
        var_dir=tmp_path / "var",
        open311_api_keys=KEY,
        rate_limit_per_minute=1000,
    )
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )

    async def serve() -> None:
        await app.state.db.create_all()
        try:
            await server.serve()
        finally:
            await app.state.db.dispose()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "intake did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/open311/v2"
    server.should_exit = True
    thread.join(timeout=30)


def _post(root: str, fmt: str = "json") -> requests.Response:
    return requests.post(
        f"{root}/requests.{fmt}",
        data={
            "api_key": KEY,
            "service_code": "traffic_control",
            "lat": "55.67594",
            "long": "12.56553",
            "address_string": "Vesterbrogade 1, 1620 København V",
            "first_name": "Jens",
            "last_name": "Klientsen",
            "email": "jens.klientsen@example.dk",
            "description": "Der køres for stærkt ved Klientsens port",
            "attribute[road]": "Vesterbrogade",
            "attribute[problem]": "speeding",
            "attribute[time_of_day][]": ["morning", "evening"],
        },
        timeout=10,
    )


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_the_georeport_client_lists_defines_and_follows_a_request(root, output_format) -> None:
    client = GeoReport(root, output_format=output_format)
    services = client.get_service_list()
    assert [s["service_code"] for s in services] == ["traffic_control", "talk", "event_presence"]
    definition = client.get_service_definition("traffic_control")
    assert definition["service_code"] == "traffic_control"
    attributes = definition["attributes"]
    if output_format == "xml":
        attributes = attributes["attribute"]  # xmltodict keeps the item element
    assert "problem" in [a["code"] for a in attributes]

    created = _post(root, output_format)
    assert created.status_code == 200, created.text
    if output_format == "json":
        request_id = created.json()[0]["service_request_id"]
    else:
        import xmltodict

        request_id = xmltodict.parse(created.content)["service_requests"]["request"][
            "service_request_id"
        ]

    found = client.get_service_request(request_id)
    assert found["service_request_id"] == request_id
    assert found["status"] == "open" and found["service_code"] == "traffic_control"
    assert found["address"] == "København"
    listed = client.get_service_requests(service_request_id=request_id)
    if output_format == "xml":
        assert listed["service_request_id"] == request_id  # one request: xmltodict's dict
    else:
        assert [r["service_request_id"] for r in listed] == [request_id]
    everything = client.get_service_requests(status="open", service_code="traffic_control")
    assert everything
    for text in (str(found), str(listed), str(everything)):
        for secret in ("Jens", "Klientsen", "jens.klientsen", "Vesterbrogade", "55.67594"):
            assert secret not in text


def test_the_georeport_client_without_a_key_gets_403(root) -> None:
    response = requests.post(
        f"{root}/requests.json", data={"service_code": "traffic_control"}, timeout=10
    )
    assert response.status_code == 403
    with pytest.raises(requests.HTTPError):
        GeoReport(root).get_service_request("00000000-0000-0000-0000-000000000000")
