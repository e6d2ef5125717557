"""Outside `bestil dev`, a service refuses the secrets anyone can read in this repository."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bestil.dev import dev_secrets
from services.intake.settings import IntakeSettings
from services.notifications.settings import NotificationsSettings
from services.routing.settings import RoutingSettings
from services.screening.settings import ScreeningSettings
from shared.production import unsafe_settings
from shared.settings import CitizenLinkSettings

GOOD = "k" * 40


@pytest.fixture(autouse=True)
def _no_bestil_variables_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in [v for v in os.environ if v.startswith("BESTIL_")]:
        monkeypatch.delenv(variable)


def test_the_built_in_keys_are_refused_by_name() -> None:
    intake = unsafe_settings("intake", IntakeSettings())
    assert any(p.startswith("BESTIL_STATUS_LINK_SECRET is the built-in") for p in intake)
    assert any(p.startswith("BESTIL_PHONE_CHANNEL_KEY is the built-in") for p in intake)
    (screening,) = unsafe_settings("screening", ScreeningSettings())
    assert screening.startswith("BESTIL_PHONE_CHANNEL_KEY")
    (notifications,) = unsafe_settings("notifications", NotificationsSettings())
    assert notifications.startswith("BESTIL_STATUS_LINK_SECRET")
    assert unsafe_settings("routing", RoutingSettings()) == []  # holds no secret


def test_a_short_key_is_refused_and_a_long_one_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BESTIL_STATUS_LINK_SECRET", "too-short")
    (problem,) = unsafe_settings("notifications", NotificationsSettings())
    assert problem.startswith("BESTIL_STATUS_LINK_SECRET is 9 bytes long")
    monkeypatch.setenv("BESTIL_STATUS_LINK_SECRET", GOOD)
    monkeypatch.setenv("BESTIL_PHONE_CHANNEL_KEY", GOOD)
    assert unsafe_settings("notifications", NotificationsSettings()) == []
    assert unsafe_settings("intake", IntakeSettings()) == []


def test_retired_keys_and_development_database_passwords_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BESTIL_STATUS_LINK_SECRET", GOOD)
    monkeypatch.setenv("BESTIL_PREVIOUS_STATUS_LINK_SECRETS", f"{GOOD}x, short")
    monkeypatch.setenv(
        "BESTIL_NOTIFICATIONS_DATABASE_URL",
        "postgresql+asyncpg://bestil_notifications:notifications-dev-only@db/bestil_notifications",
    )
    problems = unsafe_settings("notifications", NotificationsSettings())
    assert [p.split(" ")[0] for p in problems] == [
        "BESTIL_PREVIOUS_STATUS_LINK_SECRETS",
        "BESTIL_NOTIFICATIONS_DATABASE_URL",
    ]


def test_bestil_dev_allows_the_built_in_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BESTIL_ENV", "dev")
    assert unsafe_settings("intake", IntakeSettings()) == []


def test_a_rotated_key_still_verifies_links_it_signed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BESTIL_STATUS_LINK_SECRET", "new" * 12)
    monkeypatch.setenv("BESTIL_PREVIOUS_STATUS_LINK_SECRETS", "old" * 12 + ", " + "older" * 8)
    assert CitizenLinkSettings().verifying_secrets == ["new" * 12, "old" * 12, "older" * 8]


def test_bestil_serve_refuses_to_start_with_one_line_naming_the_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BESTIL_")}
    env.update(BESTIL_VAR_DIR=str(tmp_path), BESTIL_PHONE_CHANNEL_KEY=GOOD)
    done = subprocess.run(
        [sys.executable, "-m", "bestil.cli", "serve", "intake"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if "refusing to start" in line]
    assert lines == [
        "bestil serve intake: refusing to start: BESTIL_STATUS_LINK_SECRET is the built-in "
        "development value: set a random value"
    ]
    assert not (tmp_path / "intake.db").exists()  # nothing was touched


def test_bestil_dev_makes_its_keys_once_and_keeps_them(tmp_path: Path) -> None:
    first = dev_secrets(tmp_path)
    assert set(first) == {"BESTIL_STATUS_LINK_SECRET", "BESTIL_PHONE_CHANNEL_KEY"}
    assert all(len(value) >= 32 for value in first.values())
    assert dev_secrets(tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "secrets.env").stat().st_mode)
    assert mode & 0o077 == 0
