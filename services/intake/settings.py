"""Intake's settings (`BESTIL_INTAKE_…`), composed from the shared settings classes."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import DeadlineSettings, ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BESTIL_INTAKE_", extra="ignore")

    port: int = 8001
    public_url: str = Field("http://127.0.0.1:8001", description="Base of links in emails")
    max_body_bytes: int = 64 * 1024
    rate_limit_per_minute: int = Field(30, description="Orders one client may submit a minute")
    trust_forwarded_for: bool = Field(False, description="Behind a proxy: rate-limit X-Forwarded-For")
    deadlines: DeadlineSettings = Field(default_factory=DeadlineSettings)
