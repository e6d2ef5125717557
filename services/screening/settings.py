"""Screening's settings (`BESTIL_SCREENING_…`), composed from the shared settings classes."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import DeadlineSettings, ServiceSettings


class ScreeningSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BESTIL_SCREENING_", extra="ignore")

    port: int = 8002
    session_hours: int = Field(10, description="How long an officer stays signed in")
    secure_cookies: bool = Field(False, description="Set true behind HTTPS")
    deadlines: DeadlineSettings = Field(default_factory=DeadlineSettings)
