"""OpenID Connect sign-in (authorization code flow with PKCE), switched on by settings.

The provider only establishes who the officer is: the email in the ID token must belong to an
active local account, whose role and district apply. The ID token comes straight from the
provider's token endpoint over TLS, which OpenID Connect Core 1.0 §3.1.3.7 (6) accepts in
place of checking its signature; issuer, audience, expiry and nonce are always checked.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from services.screening.settings import OidcSettings


class OidcError(Exception):
    """The provider's answer cannot be trusted or used; the message is for the log, not users."""


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) of RFC 7636."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def provider_metadata(
    http: httpx.AsyncClient, settings: OidcSettings, cache: dict[str, Any]
) -> dict[str, Any]:
    if cache:
        return cache
    url = settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = await http.get(url)
        response.raise_for_status()
        metadata = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcError(f"discovery failed: {type(exc).__name__}") from None
    if metadata.get("issuer", "").rstrip("/") != settings.issuer.rstrip("/"):
        raise OidcError("discovery names another issuer")
    for key in ("authorization_endpoint", "token_endpoint"):
        if not str(metadata.get(key, "")).startswith(("https://", "http://")):
            raise OidcError(f"discovery lacks {key}")
    cache.update(metadata)
    return metadata


def authorization_url(
    metadata: dict[str, Any], settings: OidcSettings, *, state: str, nonce: str, challenge: str
) -> str:
    params = {
        "response_type": "code",
        "client_id": settings.client_id,
        "redirect_uri": settings.redirect_url,
        "scope": settings.scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    endpoint = metadata["authorization_endpoint"]
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)


async def exchange_code(
    http: httpx.AsyncClient,
    metadata: dict[str, Any],
    settings: OidcSettings,
    *,
    code: str,
    verifier: str,
) -> dict[str, Any]:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": settings.redirect_url,
        "code_verifier": verifier,
    }
    auth = httpx.Auth()  # sends no credentials, like auth=None
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if "client_secret_basic" in methods:
        auth = httpx.BasicAuth(settings.client_id, settings.client_secret)
    else:
        data.update(client_id=settings.client_id, client_secret=settings.client_secret)
    try:
        response = await http.post(metadata["token_endpoint"], data=data, auth=auth)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcError(f"token exchange failed: {type(exc).__name__}") from None


def id_token_claims(id_token: str) -> dict[str, Any]:
    """The claims of a compact JWS, decoded (see the module's note on signatures)."""
    try:
        payload = id_token.split(".")[1]
        padded = payload + "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (IndexError, ValueError) as exc:
        raise OidcError(f"malformed ID token: {type(exc).__name__}") from None
    if not isinstance(claims, dict):
        raise OidcError("malformed ID token")
    return claims


def verified_email(
    claims: dict[str, Any], settings: OidcSettings, *, nonce: str, now: datetime
) -> str:
    """The officer's email from checked claims; raises OidcError when anything is off."""
    if str(claims.get("iss", "")).rstrip("/") != settings.issuer.rstrip("/"):
        raise OidcError("wrong issuer")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if settings.client_id not in audiences:
        raise OidcError("wrong audience")
    if len(audiences) > 1 and claims.get("azp") != settings.client_id:
        raise OidcError("wrong authorized party")
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires <= now.timestamp():
        raise OidcError("expired")
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OidcError("wrong nonce")
    if claims.get("email_verified") is False:
        raise OidcError("email not verified")
    email = claims.get(settings.email_claim)
    if not isinstance(email, str) or "@" not in email:
        raise OidcError("no email claim")
    return email.strip().lower()
