"""Notifications' settings (`BESTIL_NOTIFICATIONS_…`), composed from the shared settings classes."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.retention import RetentionSettings
from shared.settings import CitizenLinkSettings, ServiceSettings


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BESTIL_NOTIFICATIONS_", extra="ignore")

    port: int = 8004
    sender: str = "Bestil en betjent <ikke-svar@bestil.politi.dk>"
    smtp_host: str | None = Field(None, description="Unset: emails are written as .eml files")
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_s: float = 15.0
    mail_dir: Path | None = Field(None, description="Where .eml files go; default var_dir/mail")
    send_poll_ms: int = 500
    max_send_attempts: int = Field(8, description="Tries before an email is reported as failed")
    links: CitizenLinkSettings = Field(default_factory=CitizenLinkSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    deadline_warning_hours: int = Field(72, description="How long before a deadline to warn")
    deadline_check_s: float = Field(30.0, description="How often deadlines are looked at")
    district_mailboxes: dict[str, str] = Field(
        default_factory=dict, description='JSON: {"1461": "oestjylland@politi.dk", …}'
    )
    district_mailbox_pattern: str = Field(
        "bestil.{slug}@politi.dk", description="For districts not in district_mailboxes"
    )
    digest_hour: int = Field(7, description="Danish hour from which the daily digest goes out")
    screening_url: str = Field("http://127.0.0.1:8002", description="Officers' UI, for links")

    def resolved_mail_dir(self) -> Path:
        return self.mail_dir or self.var_dir / "mail"
