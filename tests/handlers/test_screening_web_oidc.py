"""OpenID Connect sign-in, against a fake provider: code flow with state, nonce and PKCE."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from services.screening.oidc import OidcError, verified_email
from services.screening.settings import OidcSettings
from shared.vocabulary import Role
from tests.handlers.test_screening_web import add_officer, audit_rows, new_client

ISSUER = "https://login.politi.test"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class FakeProvider:
    """Discovery and a token endpoint; remembers the authorization request it must answer."""

    def __init__(self, email: str) -> None:
        self.email = email
        self.nonce = ""
        self.challenge = ""
        self.claims: dict[str, Any] = {}
        self.token_requests: list[dict[str, list[str]]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/openid-configuration":
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                },
            )
        if request.url.path == "/token":
            form = parse_qs(request.content.decode())
            self.token_requests.append(form)
            verifier = form["code_verifier"][0]
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if digest.decode().rstrip("=") != self.challenge or form["code"] != ["the-code"]:
                return httpx.Response(400, json={"error": "invalid_grant"})
            claims = {
                "iss": ISSUER,
                "aud": "bestil-screening",
                "exp": int((datetime.now(UTC) + timedelta(minutes=5)).timestamp()),
                "nonce": self.nonce,
                "email": self.email,
                **self.claims,
            }
            return httpx.Response(
                200, json={"id_token": f"{_b64({'alg': 'RS256'})}.{_b64(claims)}.sig"}
            )
        return httpx.Response(404)


@pytest.fixture
async def oidc_screening(harness):
    async def make(email: str) -> tuple[Any, FakeProvider]:
        h = await harness(
            "screening",
            oidc=OidcSettings(
                enabled=True,
                issuer=ISSUER,
                client_id="bestil-screening",
                client_secret="s3cret",
                redirect_url="http://test/login/oidc/callback",
            ),
        )
        provider = FakeProvider(email)
        h.app.state.ctx.http = httpx.AsyncClient(transport=httpx.MockTransport(provider.handler))
        return h, provider

    return make


async def _start(client: httpx.AsyncClient, provider: FakeProvider) -> str:
    response = await client.get("/login/oidc?next=/stats")
    assert response.status_code == 302
    target = urlparse(response.headers["location"])
    params = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{ISSUER}/authorize"
    assert params["code_challenge_method"] == "S256" and params["response_type"] == "code"
    provider.nonce, provider.challenge = params["nonce"], params["code_challenge"]
    return params["state"]


async def test_an_officer_signs_in_through_the_provider_and_keeps_role_and_district(
    oidc_screening,
) -> None:
    h, provider = await oidc_screening("placeholder")
    provider.email = await add_officer(h, Role.COORDINATOR, "1465")
    client = new_client(h)
    login = await client.get("/login")
    assert "Log ind med politiets fælles login" in login.text
    state = await _start(client, provider)
    back = await client.get(f"/login/oidc/callback?code=the-code&state={state}")
    assert back.status_code == 303 and back.headers["location"] == "/stats"
    page = await client.get("/stats")
    assert page.status_code == 200 and "Fyns Politi" in page.text
    assert provider.token_requests[0]["grant_type"] == ["authorization_code"]
    assert (await audit_rows(h))[-1].facts == {"via": "oidc"}


async def test_a_provider_account_without_a_local_account_signs_nobody_in(oidc_screening) -> None:
    h, provider = await oidc_screening("stranger@politi.dk")
    client = new_client(h)
    state = await _start(client, provider)
    back = await client.get(f"/login/oidc/callback?code=the-code&state={state}")
    assert back.status_code == 401 and "ingen konto" in back.text
    assert (await client.get("/")).status_code == 302


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param("state", id="state-from-another-browser"),
        pytest.param("replay", id="state-used-twice"),
        pytest.param("nonce", id="wrong-nonce"),
        pytest.param("audience", id="token-for-another-client"),
    ],
)
async def test_a_tampered_or_replayed_callback_is_refused(oidc_screening, tamper) -> None:
    h, provider = await oidc_screening("placeholder")
    provider.email = await add_officer(h)
    client = new_client(h)
    state = await _start(client, provider)
    if tamper == "nonce":
        provider.claims = {"nonce": "something else"}
    if tamper == "audience":
        provider.claims = {"aud": "another-client"}
    if tamper == "replay":
        first = await client.get(f"/login/oidc/callback?code=the-code&state={state}")
        assert first.status_code == 303
        client = new_client(h)  # another browser that got hold of the same state
        client.cookies.set("bestil_oidc_state", state, path="/login/oidc")
    used_state = "guessed" if tamper == "state" else state
    back = await client.get(f"/login/oidc/callback?code=the-code&state={used_state}")
    assert back.status_code == 401
    assert (await client.get("/")).status_code == 302


async def test_with_oidc_switched_off_only_local_accounts_are_offered(harness) -> None:
    h = await harness("screening")
    client = new_client(h)
    assert "fælles login" not in (await client.get("/login")).text
    response = await client.get("/login/oidc")
    assert response.status_code == 302 and response.headers["location"] == "/login"


def _settings() -> OidcSettings:
    return OidcSettings(enabled=True, issuer=ISSUER, client_id="c")


NOW = datetime(2026, 6, 1, tzinfo=UTC)
GOOD = {"iss": ISSUER, "aud": "c", "exp": NOW.timestamp() + 60, "nonce": "n", "email": "A@b.dk"}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        pytest.param({"iss": "https://evil.test"}, "issuer", id="issuer"),
        pytest.param({"aud": ["c", "d"]}, "authorized party", id="several-audiences-no-azp"),
        pytest.param({"exp": NOW.timestamp()}, "expired", id="expired"),
        pytest.param({"email_verified": False}, "not verified", id="unverified-email"),
        pytest.param({"email": None}, "no email", id="no-email"),
    ],
)
def test_id_token_claims_are_checked(change, problem) -> None:
    with pytest.raises(OidcError, match=problem):
        verified_email({**GOOD, **change}, _settings(), nonce="n", now=NOW)


def test_good_claims_give_the_lower_cased_email() -> None:
    assert verified_email(GOOD, _settings(), nonce="n", now=NOW) == "a@b.dk"
    several = {**GOOD, "aud": ["c", "d"], "azp": "c"}
    assert verified_email(several, _settings(), nonce="n", now=NOW) == "a@b.dk"
