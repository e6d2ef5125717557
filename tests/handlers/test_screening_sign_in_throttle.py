"""Sign-in over the network: a per-address throttle beside the per-account lock-out, the
client's address behind trusted proxies, and HTTPS-only cookies and HSTS outside dev."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from services.screening.main import create_app
from services.screening.security import client_address
from tests.handlers.test_screening_web import PASSWORD, add_officer, login_token

WAIT = "For mange mislykkede login fra din netværksadresse"


def _client(app, address: str = "10.0.0.1", https: bool = True) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(
        transport=transport, base_url="https://test" if https else "http://test"
    )


async def _attempt(
    client: httpx.AsyncClient, email: str, password: str, **headers: str
) -> httpx.Response:
    token = await login_token(client)
    return await client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        headers=headers,
    )


@pytest.fixture
async def throttled(harness):
    return await harness(
        "screening", login_address_max_failures=3, login_address_minutes=10, login_max_failures=50
    )


async def test_many_failures_from_one_address_make_it_wait_whatever_the_emails(
    throttled,
) -> None:
    email = await add_officer(throttled)
    spraying = _client(throttled.app, "10.0.0.1")
    for n in range(3):
        assert (await _attempt(spraying, f"guess{n}@politi.dk", "Sommer2026!")).status_code == 401
    refused = await _attempt(spraying, email, PASSWORD)
    assert refused.status_code == 429 and WAIT in refused.text
    # another instance on the same database counts the same failures
    twin = _client(create_app(throttled.app.state.ctx.settings, clock=throttled.clock))
    assert (await _attempt(twin, email, PASSWORD)).status_code == 429
    # another address is not held back, and the waiting ends
    assert (await _attempt(_client(throttled.app, "10.0.0.2"), email, PASSWORD)).status_code == 303
    throttled.clock.advance(timedelta(minutes=11))
    assert (await _attempt(spraying, email, PASSWORD)).status_code == 303


async def test_a_forwarded_for_header_only_counts_behind_a_trusted_proxy(harness) -> None:
    direct = await harness("screening", login_address_max_failures=2)
    email = await add_officer(direct)
    client = _client(direct.app)
    for n in range(2):  # spoofed headers do not spread the failures over many addresses
        await _attempt(client, "x@politi.dk", "wrong", **{"X-Forwarded-For": f"192.0.2.{n}"})
    assert (await _attempt(client, email, PASSWORD)).status_code == 429

    proxied = await harness("screening", login_address_max_failures=2, trusted_proxy_hops=1)
    email = await add_officer(proxied)
    proxy = _client(proxied.app, "10.9.9.9")
    for _ in range(2):
        await _attempt(proxy, "x@politi.dk", "wrong", **{"X-Forwarded-For": "192.0.2.7"})
    held = await _attempt(proxy, email, PASSWORD, **{"X-Forwarded-For": "192.0.2.7"})
    other = await _attempt(proxy, email, PASSWORD, **{"X-Forwarded-For": "192.0.2.8"})
    assert (held.status_code, other.status_code) == (429, 303)


@pytest.mark.parametrize(
    ("peer", "forwarded", "hops", "client"),
    [
        pytest.param("10.0.0.1", ["1.2.3.4"], 0, "10.0.0.1", id="no-proxy-header-ignored"),
        pytest.param("10.0.0.1", ["6.6.6.6, 1.2.3.4"], 1, "1.2.3.4", id="one-proxy-rightmost"),
        pytest.param("10.0.0.1", ["6.6.6.6", "1.2.3.4, 10.0.0.5"], 2, "1.2.3.4", id="two-proxies"),
        pytest.param("10.0.0.1", ["1.2.3.4"], 3, "1.2.3.4", id="fewer-than-hops"),
        pytest.param("10.0.0.1", [], 1, "10.0.0.1", id="proxy-sent-nothing"),
    ],
)
def test_the_client_address_is_the_one_the_outermost_trusted_proxy_saw(
    peer, forwarded, hops, client
) -> None:
    assert client_address(peer, forwarded, hops) == client
