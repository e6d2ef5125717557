"""Screening's settings (`BESTIL_SCREENING_…`), composed from the shared settings classes."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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


class ScreeningSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BESTIL_SCREENING_", extra="ignore")

    port: int = 8002
    session_hours: int = Field(10, description="How long an officer stays signed in (a shift)")
    secure_cookies: bool = Field(False, description="Set true behind HTTPS")
    login_max_failures: int = Field(
        5, description="Failed sign-ins on one account before it is locked for a while"
    )
    login_lockout_minutes: int = Field(15, description="How long a locked account stays locked")
    page_size: int = Field(50, description="Orders per page in the queue")
    nearby_days: int = Field(90, description="How far apart in time nearby orders may be")
    nearby_metres: int = Field(300, description="How close orders with coordinates must be")
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
    deadlines: DeadlineSettings = Field(default_factory=DeadlineSettings)
    oidc: OidcSettings = Field(default_factory=OidcSettings)
