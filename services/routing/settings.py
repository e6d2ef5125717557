"""Routing's settings (`BESTIL_ROUTING_…`), composed from the shared settings classes."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.retention import RetentionSettings
from shared.settings import ReferenceDataSettings, ServiceSettings


class RoutingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BESTIL_ROUTING_", extra="ignore")

    port: int = 8003
    reference: ReferenceDataSettings = Field(default_factory=ReferenceDataSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
