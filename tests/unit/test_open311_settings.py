"""Open311 API keys: none by default, refused when short outside `bestil dev`."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.intake.settings import DEV_OPEN311_API_KEY, IntakeSettings

LONG = "k" * 32


def test_no_partner_may_create_requests_until_keys_are_set() -> None:
    assert IntakeSettings().open311_keys == ()


def test_dev_accepts_the_built_in_key_only_when_none_is_set() -> None:
    assert IntakeSettings(environment="dev").open311_keys == (DEV_OPEN311_API_KEY,)
    assert IntakeSettings(environment="dev", open311_api_keys=LONG).open311_keys == (LONG,)


def test_keys_are_a_comma_separated_list(monkeypatch) -> None:
    monkeypatch.setenv("BESTIL_OPEN311_API_KEYS", f" {LONG}, {LONG}x ,")
    assert IntakeSettings().open311_keys == (LONG, f"{LONG}x")


@pytest.mark.parametrize("keys", ["short", f"{LONG},short", DEV_OPEN311_API_KEY])
def test_a_short_key_is_refused_outside_dev(keys) -> None:
    with pytest.raises(ValidationError, match="BESTIL_OPEN311_API_KEYS"):
        IntakeSettings(open311_api_keys=keys)
    assert IntakeSettings(environment="dev", open311_api_keys=keys).open311_keys
