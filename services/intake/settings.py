"""Intake's settings (`BESTIL_INTAKE_…`), composed from the shared settings classes."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.production import MINIMUM_SECRET_BYTES
from shared.retention import RetentionSettings
from shared.settings import (
    CitizenLinkSettings,
    DeadlineSettings,
    ReferenceDataSettings,
    ServiceSettings,
)

#: The Open311 key `bestil dev` accepts when none is configured; never accepted elsewhere.
DEV_OPEN311_API_KEY = "dev-only-open311-key"


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BESTIL_INTAKE_", extra="ignore")

    port: int = 8001
    max_body_bytes: int = 64 * 1024
    rate_limit_per_minute: int = Field(30, description="Orders one client may submit a minute")
    trusted_proxy_hops: int = Field(
        0,
        ge=0,
        description="Proxies in front of intake that append to X-Forwarded-For; the client is "
        "the address the outermost of them appended (the Nth from the right). 0: the socket's "
        "peer, and X-Forwarded-For is ignored",
    )
    trust_forwarded_for: bool = Field(
        False, description="Deprecated: true means trusted_proxy_hops=1 when that is unset"
    )

    @property
    def proxy_hops(self) -> int:
        """The trusted hops, with the older yes/no setting read as one proxy."""
        return self.trusted_proxy_hops or (1 if self.trust_forwarded_for else 0)

    deadlines: DeadlineSettings = Field(default_factory=DeadlineSettings)
    links: CitizenLinkSettings = Field(default_factory=CitizenLinkSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    phone_channel_key: str = Field(
        "dev-only-phone-key",
        validation_alias="BESTIL_PHONE_CHANNEL_KEY",
        description="Shared with screening: only it may register orders taken by phone",
    )
    open311_api_keys: str = Field(
        "",
        validation_alias="BESTIL_OPEN311_API_KEYS",
        description="Comma-separated keys that may create Open311 requests (each ≥ 32 bytes "
        "outside `bestil dev`), one per partner; empty: no partner may (in dev: the built-in "
        f"{DEV_OPEN311_API_KEY!r})",
    )

    @property
    def open311_keys(self) -> tuple[str, ...]:
        """The keys that open POST /open311/v2/requests; in dev, the built-in one if none is set."""
        keys = tuple(k.strip() for k in self.open311_api_keys.split(",") if k.strip())
        if not keys and self.environment == "dev":
            return (DEV_OPEN311_API_KEY,)
        return keys

    @model_validator(mode="after")
    def _no_short_open311_key(self) -> IntakeSettings:
        # A key anyone could guess would let anyone file orders in the police's name.
        if self.environment != "dev" and any(
            len(key.encode()) < MINIMUM_SECRET_BYTES for key in self.open311_keys
        ):
            raise ValueError(
                f"BESTIL_OPEN311_API_KEYS holds a key shorter than {MINIMUM_SECRET_BYTES} bytes"
            )
        return self


class PageSettings(BaseSettings):
    """What the citizens' pages need besides intake's settings (`BESTIL_INTAKE_…`)."""

    model_config = SettingsConfigDict(env_prefix="BESTIL_INTAKE_", extra="ignore")

    map_tile_url: str = Field(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        description="Leaflet tile URL template for the road-stretch map; empty: no map",
    )
    map_attribution: str = Field(
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
        description="The tile provider's attribution (HTML), shown on the map",
    )
    node_modules: Path | None = Field(
        None, description="Where `npm ci` installed the front-end packages (default: the repo's)"
    )
    accessibility_statement_url: str = Field(
        "https://www.was.digst.dk/bestil-en-betjent-politi-dk",
        description="The service's accessibility statement in Digitaliseringsstyrelsen's "
        "WAS-Tool, linked from every page's footer and the target of /was. The default is "
        "a placeholder: set it to the statement published for this service",
    )
    reference: ReferenceDataSettings = Field(default_factory=ReferenceDataSettings)
