"""OpenID Connect sign-in (authorization code flow with PKCE), switched on by settings.

The provider only establishes who the officer is: the email in the ID token must belong to an
active local account, whose role and district apply, and the provider must say it verified
that email. The provider's endpoints must be HTTPS (plain http only on loopback, or under
`bestil dev`). The ID token's signature is checked against the keys the provider publishes at
its `jwks_uri` (joserfc; asymmetric algorithms only); a provider whose discovery names no
keys is trusted for the token it hands over TLS, as OpenID Connect Core 1.0 §3.1.3.7 (6)
allows. Issuer, audience, expiry and nonce are always checked.
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
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from services.screening.settings import OidcSettings, insecure_url

#: Signature algorithms accepted on ID tokens: never "none", nor HMAC keyed with the secret.
SIGNING_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)


class OidcError(Exception):
    """The provider's answer cannot be trusted or used; the message is for the log, not users."""


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) of RFC 7636."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def provider_metadata(
    http: httpx.AsyncClient,
    settings: OidcSettings,
    cache: dict[str, Any],
    *,
    environment: str = "production",
) -> dict[str, Any]:
    """The provider's discovery document (cached), its endpoints checked to be HTTPS."""
    if cache:
        return cache
    if insecure_url(settings.issuer, environment):
        raise OidcError("the issuer is not an https:// URL")
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
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if key in metadata and insecure_url(str(metadata[key]), environment):
            raise OidcError(f"discovery's {key} is not an https:// URL")
    cache.update(metadata)
    return metadata


async def _signing_keys(
    http: httpx.AsyncClient, metadata: dict[str, Any], cache: dict[str, Any], *, fresh: bool
) -> KeySet:
    if not fresh and "keys" in cache:
        return cache["keys"]
    try:
        response = await http.get(str(metadata["jwks_uri"]))
        response.raise_for_status()
        keys = KeySet.import_key_set(response.json())
    except (httpx.HTTPError, ValueError, TypeError, JoseError) as exc:
        raise OidcError(f"the provider's keys could not be read: {type(exc).__name__}") from None
    cache["keys"] = keys
    return keys


async def id_token_claims(
    http: httpx.AsyncClient, metadata: dict[str, Any], id_token: str, cache: dict[str, Any]
) -> dict[str, Any]:
    """The ID token's claims, its signature checked against the provider's published keys
    (fetched again once for a key id not seen before: the provider rotated its keys)."""
    if "jwks_uri" not in metadata:
        return unverified_claims(id_token)
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = (
        [a for a in offered if a in SIGNING_ALGORITHMS] if isinstance(offered, list) else []
    )
    if not algorithms:  # an empty list would let the library fall back to its defaults
        raise OidcError(f"the provider signs with none of {', '.join(SIGNING_ALGORITHMS)}")
    for fresh in (False, True):
        keys = await _signing_keys(http, metadata, cache, fresh=fresh)
        try:
            claims = jwt.decode(id_token, keys, algorithms=algorithms).claims
        except InvalidKeyIdError:
            if fresh:
                raise OidcError(
                    "ID token signed with a key the provider does not publish"
                ) from None
            continue
        except (JoseError, ValueError) as exc:
            raise OidcError(f"ID token signature not valid: {type(exc).__name__}") from None
        if not isinstance(claims, dict):
            raise OidcError("malformed ID token")
        return claims
    raise OidcError("ID token not verified")  # not reached: the loop returns or raises


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


def unverified_claims(id_token: str) -> dict[str, Any]:
    """The claims of a compact JWS, decoded unchecked: only for a token received directly
    from the provider's HTTPS token endpoint when the provider publishes no keys."""
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
    if claims.get("email_verified") is not True:
        raise OidcError("email not verified by the provider")
    email = claims.get(settings.email_claim)
    if not isinstance(email, str) or "@" not in email:
        raise OidcError("no email claim")
    return email.strip().lower()
