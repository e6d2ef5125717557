"""OpenID Connect sign-in, against a fake provider: code flow with state, nonce and PKCE; the ID
token's signature checked against the provider's published keys; HTTPS only outside dev."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from pydantic import ValidationError
from sqlmodel import select

from services.screening.models import OidcLogin
from services.screening.oidc import OidcError, verified_email
from services.screening.settings import OidcSettings, ScreeningSettings
from shared.vocabulary import Role
from tests.handlers.test_screening_web import add_officer, audit_rows, new_client

ISSUER = "https://login.politi.test"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


#: One key for the module: generating RSA keys is slow.
PROVIDER_KEY = RSAKey.generate_key(2048, {"kid": "provider-1"})


class FakeProvider:
    """Discovery, its published keys and a token endpoint that signs ID tokens; remembers the
    authorization request it must answer."""

    def __init__(self, email: str) -> None:
        self.email = email
        self.nonce = ""
        self.challenge = ""
        self.claims: dict[str, Any] = {"email_verified": True}
        self.token_requests: list[dict[str, list[str]]] = []
        self.signing_key = PROVIDER_KEY
        self.published = [PROVIDER_KEY]
        self.discovery: dict[str, Any] = {}
        self.key_requests = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/openid-configuration":
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/jwks",
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                    **self.discovery,
                },
            )
        if request.url.path == "/jwks":
            self.key_requests += 1
            return httpx.Response(
                200, json={"keys": [k.as_dict(private=False) for k in self.published]}
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
            header = {"alg": "RS256", "kid": self.signing_key.kid}
            return httpx.Response(
                200, json={"id_token": jwt.encode(header, claims, self.signing_key)}
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
GOOD = {
    "iss": ISSUER,
    "aud": "c",
    "exp": NOW.timestamp() + 60,
    "nonce": "n",
    "email": "A@b.dk",
    "email_verified": True,
}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        pytest.param({"iss": "https://evil.test"}, "issuer", id="issuer"),
        pytest.param({"aud": ["c", "d"]}, "authorized party", id="several-audiences-no-azp"),
        pytest.param({"exp": NOW.timestamp()}, "expired", id="expired"),
        pytest.param({"email_verified": False}, "not verified", id="unverified-email"),
        pytest.param({"email_verified": None}, "not verified", id="email-verified-missing"),
        pytest.param({"email_verified": "true"}, "not verified", id="email-verified-as-text"),
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


# --- the ID token's signature, the verified email, HTTPS, abandoned sign-ins -------------------


async def _callback(client: httpx.AsyncClient, provider: FakeProvider) -> httpx.Response:
    state = await _start(client, provider)
    return await client.get(f"/login/oidc/callback?code=the-code&state={state}")


@pytest.mark.parametrize(
    "kid",
    [
        pytest.param("provider-1", id="same-key-id-other-key"),
        pytest.param("someone-else", id="key-the-provider-never-published"),
    ],
)
async def test_an_id_token_signed_with_another_key_is_refused(oidc_screening, kid) -> None:
    h, provider = await oidc_screening("placeholder")
    provider.email = await add_officer(h)
    provider.signing_key = RSAKey.generate_key(2048, {"kid": kid})
    client = new_client(h)
    back = await _callback(client, provider)
    assert back.status_code == 401 and "mislykkedes" in back.text
    assert (await client.get("/")).status_code == 302
    assert "signed_in" not in [a.action for a in await audit_rows(h)]


async def test_an_unsigned_id_token_is_refused(oidc_screening) -> None:
    h, provider = await oidc_screening("placeholder")
    provider.email = await add_officer(h)
    client = new_client(h)
    state = await _start(client, provider)
    claims = {"iss": ISSUER, "aud": "bestil-screening", "nonce": provider.nonce}
    unsigned = f"{_b64({'alg': 'none'})}.{_b64({**claims, 'email': provider.email})}."
    h.app.state.ctx.http = httpx.AsyncClient(
        transport=httpx.MockTransport(
            lambda r: (
                httpx.Response(200, json={"id_token": unsigned})
                if r.url.path == "/token"
                else provider.handler(r)
            )
        )
    )
    back = await client.get(f"/login/oidc/callback?code=the-code&state={state}")
    assert back.status_code == 401
    assert (await client.get("/")).status_code == 302


async def test_keys_the_provider_rotated_are_fetched_again(oidc_screening) -> None:
    h, provider = await oidc_screening("placeholder")
    provider.email = await add_officer(h)
    assert (await _callback(new_client(h), provider)).status_code == 303
    rotated = RSAKey.generate_key(2048, {"kid": "provider-2"})
    provider.signing_key, provider.published = rotated, [rotated]
    assert (await _callback(new_client(h), provider)).status_code == 303
    assert provider.key_requests == 2


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"email_verified": False}, id="email-not-verified"),
        pytest.param({}, id="email-verified-missing"),
    ],
)
async def test_an_email_the_provider_has_not_verified_signs_nobody_in(
    oidc_screening, claims
) -> None:
    h, provider = await oidc_screening("placeholder")
    provider.email = await add_officer(h)
    provider.claims = claims
    client = new_client(h)
    assert (await _callback(client, provider)).status_code == 401
    assert (await client.get("/")).status_code == 302


def test_a_plain_http_provider_is_refused_at_start_outside_dev() -> None:
    plain = OidcSettings(enabled=True, issuer="http://login.politi.test", client_id="c")
    with pytest.raises(ValidationError, match="must be an https:// URL"):
        ScreeningSettings(oidc=plain)
    ScreeningSettings(oidc=plain, environment="dev")  # bestil dev: a local provider is fine
    loopback = OidcSettings(enabled=True, issuer="http://127.0.0.1:9000", client_id="c")
    ScreeningSettings(oidc=loopback)


@pytest.mark.parametrize("endpoint", ["token_endpoint", "authorization_endpoint", "jwks_uri"])
async def test_discovery_naming_a_plain_http_endpoint_is_refused(oidc_screening, endpoint) -> None:
    h, provider = await oidc_screening("placeholder")
    provider.discovery = {endpoint: "http://login.politi.test/somewhere"}
    response = await new_client(h).get("/login/oidc")
    assert response.status_code == 502 and "mislykkedes" in response.text
    async with h.db.reading() as session:
        assert (await session.exec(select(OidcLogin))).all() == []


async def test_sign_ins_never_finished_are_forgotten_when_new_ones_start(oidc_screening) -> None:
    h, _ = await oidc_screening("placeholder")
    for _ in range(3):
        assert (await new_client(h).get("/login/oidc")).status_code == 302
    h.clock.advance(timedelta(minutes=11))
    assert (await new_client(h).get("/login/oidc")).status_code == 302
    async with h.db.reading() as session:
        left = (await session.exec(select(OidcLogin))).all()
    assert len(left) == 1


async def test_a_provider_signing_only_with_the_shared_secret_is_refused(oidc_screening) -> None:
    h, provider = await oidc_screening("placeholder")
    provider.email = await add_officer(h)
    provider.discovery = {"id_token_signing_alg_values_supported": ["HS256", "none"]}
    client = new_client(h)
    assert (await _callback(client, provider)).status_code == 401
    assert (await client.get("/")).status_code == 302
