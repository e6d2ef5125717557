"""Settings shared by every service, read from `BESTIL_…` environment variables.

Each service composes these into its own settings class; nothing is read at import time.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    """How to reach the broker and how hard to try before a message is dead-lettered."""

    model_config = SettingsConfigDict(env_prefix="BESTIL_KAFKA_", extra="ignore")

    bootstrap: str = Field("127.0.0.1:9092", description="Comma-separated bootstrap servers")
    broker: Literal["kafka", "tansu"] = Field(
        "kafka", description="Apache Kafka in production; Tansu is `bestil dev`'s local broker"
    )
    partitions: int = Field(6, description="Partitions for topics this service creates")
    replication_factor: int = Field(1, description="3 in production (docs/kafka.md)")
    min_insync_replicas: int | None = Field(
        None, description="For topics this service creates; 2 in production with 3 replicas"
    )
    create_topics: bool = Field(True, description="Create missing topics at start-up")
    idempotence: bool | None = Field(
        None, description="Idempotent producer; unset: on for Kafka, off for Tansu (has none)"
    )
    fetch_max_wait_ms: int | None = Field(
        None,
        description="Unset: 500 on Kafka (answers a fetch once data is there), 10 on Tansu "
        "(answers only when the wait is over)",
    )
    request_timeout_ms: int = Field(30_000, description="Must exceed a consumer-group join")
    max_attempts: int = Field(3, description="Tries of a failing message before the DLQ")
    batch_max_records: int = Field(500, description="Most records a consumer applies at once")
    batch_timeout_ms: int = Field(10, description="How long a consumer waits to fill a batch")
    retry_backoff_ms: int = 100
    consumer_stall_seconds: float = Field(
        60.0,
        gt=0,
        description="A consumer without a group coordinator, or in one batch, this long is "
        "replaced by a new one (shared/messaging/watchdog.py)",
    )
    outbox_poll_ms: int = Field(500, description="How often the outbox relay looks for work")
    outbox_batch: int = 500
    outbox_orphan_ms: int = Field(
        2000,
        description="How long a row nobody handed the relay (another process's) waits before "
        "the relay publishes it from the table",
    )
    security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT",
        description="SASL_SSL in production (docs/kafka.md); SASL_PLAINTEXT on a private "
        "network (compose); PLAINTEXT only for `bestil dev` and the tests' open brokers",
    )
    sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = Field(
        "SCRAM-SHA-512", description="With SASL_…: how the service proves who it is"
    )
    username: str | None = Field(
        None, description="With SASL_…: the service's principal, by convention its own name"
    )
    password: SecretStr | None = Field(None, description="With SASL_…: the principal's password")
    ssl_ca_file: Path | None = Field(
        None,
        description="With SASL_SSL: the CA that signed the brokers' certificates; "
        "unset: the system's trust store",
    )

    @model_validator(mode="after")
    def _credentials_go_with_sasl(self) -> KafkaSettings:
        sasl = self.security_protocol.startswith("SASL_")
        if sasl and not (self.username and self.password):
            raise ValueError(
                f"BESTIL_KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs "
                "BESTIL_KAFKA_USERNAME and BESTIL_KAFKA_PASSWORD"
            )
        if not sasl and (self.username or self.password):
            raise ValueError(
                "BESTIL_KAFKA_USERNAME/PASSWORD are set but BESTIL_KAFKA_SECURITY_PROTOCOL is "
                f"{self.security_protocol}: the credentials would never be sent"
            )
        return self

    @property
    def authenticated(self) -> bool:
        """Whether the service logs in (and the broker's ACLs then decide what it may do)."""
        return self.security_protocol.startswith("SASL_")

    def ssl_context(self) -> ssl.SSLContext | None:
        """TLS for SASL_SSL, verifying the brokers against `ssl_ca_file` or the system's CAs."""
        if self.security_protocol != "SASL_SSL":
            return None
        return ssl.create_default_context(
            cafile=str(self.ssl_ca_file) if self.ssl_ca_file else None
        )

    def client_options(self) -> dict[str, Any]:
        """aiokafka's connection options (producer, consumer, admin): empty on an open broker."""
        if not self.authenticated:
            return {}
        assert self.password is not None  # the validator saw to it
        return {
            "security_protocol": self.security_protocol,
            "sasl_mechanism": self.sasl_mechanism,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password.get_secret_value(),
            "ssl_context": self.ssl_context(),
        }

    @property
    def bootstrap_servers(self) -> list[str]:
        """FastStream takes one address per item; a comma-separated string would be one host."""
        return [address.strip() for address in self.bootstrap.split(",") if address.strip()]

    @property
    def producer_idempotent(self) -> bool:
        return self.idempotence if self.idempotence is not None else self.broker == "kafka"

    @property
    def fetch_wait_ms(self) -> int:
        if self.fetch_max_wait_ms is not None:
            return self.fetch_max_wait_ms
        return 500 if self.broker == "kafka" else 10


class DeadlineSettings(BaseSettings):
    """The promise to citizens: answer in 14 days, carry out in 30 (DESIGN §1)."""

    model_config = SettingsConfigDict(env_prefix="BESTIL_DEADLINES_", extra="ignore")

    day_count: Literal["calendar", "working"] = "calendar"
    public_sector_closed_days: bool = Field(
        True,
        description="With working days: 24 and 31 December and 5 June (Grundlovsdag) are "
        "closed days too, as in the police's administration, besides the public holidays",
    )
    decision_days: int = 14
    execution_days: int = 30
    urgent_decision_lead_days: int = 2
    min_event_notice_hours: int = 48


class ReferenceDataSettings(BaseSettings):
    """Where boundary and postal-code data live: the snapshot shipped in shared/reference_data,
    or a directory with the same file names (docs/reference-data.md); None: none at all."""

    model_config = SettingsConfigDict(env_prefix="BESTIL_", extra="ignore")

    reference_data_dir: Path | None = Field(
        default_factory=lambda: Path(__file__).resolve().parent / "reference_data",
        description="police_districts.geojson, municipalities.geojson, postal_codes.csv; "
        "unset: the copy shipped with the package",
    )


class TracingSettings(BaseSettings):
    """OpenTelemetry traces (docs/observability.md): off unless an exporter is named."""

    model_config = SettingsConfigDict(env_prefix="BESTIL_OTEL_", extra="ignore")

    exporter: Literal["none", "otlp", "console"] = Field(
        "none", description="`otlp`: OTLP over HTTP to `endpoint`; `console`: spans on stdout"
    )
    endpoint: str | None = Field(
        None,
        description="OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces; unset: the "
        "exporter's default (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else localhost:4318)",
    )
    sample_ratio: float = Field(
        1.0, ge=0.0, le=1.0, description="Share of new traces kept; a child follows its parent"
    )

    @property
    def enabled(self) -> bool:
        return self.exporter != "none"


def sqlite_url(var_dir: Path, service: str) -> str:
    return f"sqlite+aiosqlite:///{var_dir / f'{service}.db'}"


class ServiceSettings(BaseSettings):
    """What every service has: where it listens, its own database, the broker."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    environment: Literal["dev", "production"] = Field(
        "production",
        validation_alias="BESTIL_ENV",
        description="`dev` (set by `bestil dev`) allows the built-in development secrets",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = ""
    var_dir: Path = Field(Path("var"), validation_alias="BESTIL_VAR_DIR")
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = Field(
        "json", validation_alias="BESTIL_LOG_FORMAT", description="`bestil dev` uses text"
    )
    migrate_on_start: bool = Field(
        True,
        validation_alias="BESTIL_MIGRATE_ON_START",
        description="Upgrade the database at start-up; false: run `bestil migrate` as a job "
        "first, and the service refuses a database that is not at the head of its migrations",
    )
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    metrics_port: int | None = Field(
        None,
        description="Serve /metrics on this port of `host` as well (for Prometheus, behind "
        "the firewall); unset: no separate metrics port",
    )
    metrics_on_main_port: bool | None = Field(
        None,
        validation_alias="BESTIL_METRICS_ON_MAIN_PORT",
        description="/metrics on the service's own port; unset: only under `bestil dev`",
    )
    tracing: TracingSettings = Field(default_factory=TracingSettings)

    api_docs: bool | None = Field(
        None,
        validation_alias="BESTIL_API_DOCS",
        description="/docs, /redoc and /openapi.json; unset: only under `bestil dev`",
    )

    @property
    def docs_public(self) -> bool:
        """Whether the API documentation is served (a map of the API: off in production)."""
        return self.api_docs if self.api_docs is not None else self.environment == "dev"

    @property
    def metrics_public(self) -> bool:
        """Whether the main port answers /metrics (it may be a public port: off in production)."""
        if self.metrics_on_main_port is not None:
            return self.metrics_on_main_port
        return self.environment == "dev"

    def resolved_database_url(self, service: str) -> str:
        """The configured database, else a SQLite file under var_dir."""
        return self.database_url or sqlite_url(self.var_dir, service)


class CitizenLinkSettings(BaseSettings):
    """The citizen's status links: intake's public address and the key that signs the links.

    Intake and notifications share the key, so a status link can be written into an email
    without any token travelling on Kafka, where other agencies read along.
    """

    model_config = SettingsConfigDict(env_prefix="BESTIL_", extra="ignore")

    public_url: str = "http://127.0.0.1:8001"
    status_link_secret: str = Field(
        "dev-only-change-me", description="Set a long random value (≥ 32 bytes) in production"
    )
    previous_status_link_secrets: str = Field(
        "",
        description="Comma-separated keys replaced by a rotation: links they signed still open",
    )

    @property
    def verifying_secrets(self) -> list[str]:
        """The current key first, then those a rotation retired, so old emails keep working."""
        previous = [key.strip() for key in self.previous_status_link_secrets.split(",")]
        return [self.status_link_secret, *(key for key in previous if key)]
