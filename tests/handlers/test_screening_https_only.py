"""Outside dev the workspace is HTTPS only: Secure `__Host-` cookies and HSTS on every
response; under `bestil dev` neither, so http://127.0.0.1 keeps working."""

from __future__ import annotations

import httpx
import pytest

from tests.handlers.test_screening_web import PASSWORD, add_officer, login_token

HSTS = "max-age=31536000; includeSubDomains"


def _cookies(response: httpx.Response) -> list[str]:
    return [v for k, v in response.headers.multi_items() if k == "set-cookie"]


async def _sign_in(h, base_url: str) -> tuple[httpx.AsyncClient, httpx.Response]:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=h.app), base_url=base_url)
    email = await add_officer(h)
    response = await client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": await login_token(client)},
    )
    return client, response


async def test_outside_dev_cookies_are_secure_host_cookies_and_hsts_is_on_every_response(
    harness,
) -> None:
    h = await harness("screening")  # environment: production, the default
    client, signed_in = await _sign_in(h, "https://test")
    [session] = [c for c in _cookies(signed_in) if "session" in c]
    assert session.startswith("__Host-bestil_session=") and "Secure" in session
    assert "Path=/" in session and "Domain" not in session
    login = await client.get("/login")
    assert all("Secure" in c for c in _cookies(login))
    for path in ("/", "/login", "/api/v1/orders", "/healthz", "/no-such-page"):
        response = await client.get(path)
        assert response.headers.get("strict-transport-security") == HSTS, path


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"environment": "dev"}, id="bestil-dev"),
        pytest.param({"secure_cookies": False}, id="switched-off-explicitly"),
    ],
)
async def test_in_dev_plain_http_works_without_secure_cookies_or_hsts(harness, settings) -> None:
    h = await harness("screening", **settings)
    client, signed_in = await _sign_in(h, "http://127.0.0.1:8002")
    [session] = [c for c in _cookies(signed_in) if "session" in c]
    assert session.startswith("bestil_session=") and "Secure" not in session
    page = await client.get("/")
    assert page.status_code == 200 and "strict-transport-security" not in page.headers
