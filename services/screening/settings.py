"""Screening's settings (`BESTIL_SCREENING_…`), composed from the shared settings classes."""

from __future__ import annotations

from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.retention import RetentionSettings
from shared.settings import DeadlineSettings, ServiceSettings


class OidcSettings(BaseSettings):
    """An OpenID Connect sign-in next to the local accounts, off unless switched on.

    The provider only says who the officer is (their email); role and district always come
    from the officer's local account, so a provider account without one signs nobody in.
    """

    model_config = SettingsConfigDict(env_prefix="BESTIL_SCREENING_OIDC_", extra="ignore")

    enabled: bool = Field(False, description="Offer the provider's sign-in on the login page")
    issuer: str = Field("", description="The provider's issuer URL (discovery is read from it)")
    client_id: str = ""
    client_secret: str = ""
    redirect_url: str = Field(
        "", description="This service's callback, e.g. https://…/login/oidc/callback"
    )
    scopes: str = "openid email profile"
    email_claim: str = Field("email", description="The ID-token claim holding the email")
    label: str = Field("Log ind med politiets fælles login", description="The button's text")


def is_loopback_url(url: str) -> bool:
    """An address on this machine (tests, `bestil dev`), where plain http reveals nothing."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def insecure_url(url: str, environment: str) -> bool:
    """A provider URL that may not be used here: anything but https, outside dev and loopback."""
    if url.startswith("https://"):
        return False
    return not (environment == "dev" or (url.startswith("http://") and is_loopback_url(url)))


class ScreeningSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BESTIL_SCREENING_", extra="ignore")

    port: int = 8002
    session_hours: int = Field(10, description="How long an officer stays signed in (a shift)")
    token_days: int = Field(
        90, ge=1, description="How long a new API token works (`bestil officer token --days`)"
    )
    secure_cookies: bool | None = Field(
        None,
        description="Served over HTTPS: Secure `__Host-` cookies and HSTS. Unset: true outside "
        "dev, false under `bestil dev` (plain http://127.0.0.1)",
    )
    login_max_failures: int = Field(
        5, description="Failed sign-ins on one account before it is locked for a while"
    )
    login_lockout_minutes: int = Field(15, description="How long a locked account stays locked")
    login_address_max_failures: int = Field(
        20,
        description="Failed sign-ins from one client address, for any emails, before it "
        "must wait (0: no limit)",
    )
    login_address_minutes: int = Field(
        15, description="The window the per-address failures are counted in"
    )
    trusted_proxy_hops: int = Field(
        0,
        ge=0,
        description="Proxies in front of screening that append to X-Forwarded-For; the client "
        "is the address the outermost of them appended (the Nth from the right). 0: the "
        "socket's peer, and X-Forwarded-For is ignored",
    )
    page_size: int = Field(50, description="Orders per page in the queue")
    nearby_days: int = Field(90, description="How far apart in time nearby orders may be")
    nearby_metres: int = Field(300, description="How close orders with coordinates must be")
    accessibility_statement_url: str = Field(
        "https://www.was.digst.dk/bestil-en-betjent-politi-dk",
        description="The accessibility statement (WAS-Tool), linked from every page's footer "
        "and the target of /was; the default is a placeholder: set the published one",
    )
    intake_url: str = Field(
        "http://127.0.0.1:8001", description="Intake's API, where phone orders are submitted"
    )
    phone_channel_key: str = Field(
        "dev-only-phone-key",
        validation_alias="BESTIL_PHONE_CHANNEL_KEY",
        description="Shared with intake: lets screening submit orders with channel 'phone'",
    )
    http_timeout_s: float = Field(
        10.0, description="Timeout of calls to intake and the OIDC provider"
    )
    map_tile_url: str = Field(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        validation_alias=AliasChoices("BESTIL_MAP_TILE_URL", "BESTIL_SCREENING_MAP_TILE_URL"),
        description="Leaflet tile URL template of the district map and the order page's map "
        "(its origin is allowed in the Content-Security-Policy); empty: lists and text only",
    )
    map_attribution: str = Field(
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
        description="The tile provider's attribution (HTML), shown on the maps",
    )
    node_modules: Path | None = Field(
        None,
        validation_alias=AliasChoices(
            "BESTIL_SCREENING_NODE_MODULES", "BESTIL_INTAKE_NODE_MODULES"
        ),
        description="Where `npm ci` installed Leaflet (default: the repository's node_modules; "
        "the image's one folder, named for intake, serves both)",
    )
    deadlines: DeadlineSettings = Field(default_factory=DeadlineSettings)
    oidc: OidcSettings = Field(default_factory=OidcSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    @property
    def over_https(self) -> bool:
        """Whether browsers reach the workspace over HTTPS (Secure cookies, HSTS)."""
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.environment != "dev"

    @model_validator(mode="after")
    def _provider_over_https(self) -> ScreeningSettings:
        """The ID token's trust rests on TLS to the provider: refuse plain http at start-up."""
        if self.oidc.enabled and insecure_url(self.oidc.issuer, self.environment):
            raise ValueError(
                "BESTIL_SCREENING_OIDC_ISSUER must be an https:// URL outside `bestil dev` "
                f"(only loopback addresses may use http): {self.oidc.issuer!r}"
            )
        return self
