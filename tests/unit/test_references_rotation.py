"""Status links across a rotation of their key: old links open, new ones use the new key."""

from __future__ import annotations

import pytest

from shared.references import status_token, status_token_valid
from shared.settings import CitizenLinkSettings

REFERENCE = "BEB-7K3M9QXZ"
CURRENT, RETIRED, UNKNOWN = ("c" * 40, "r" * 40, "u" * 40)


@pytest.mark.parametrize(
    ("signed_with", "valid"),
    [(CURRENT, True), (RETIRED, True), (UNKNOWN, False)],
    ids=["current-key", "retired-key", "key-not-kept"],
)
def test_a_token_is_valid_under_any_key_still_kept(signed_with, valid):
    token = status_token(REFERENCE, signed_with)

    assert status_token_valid(REFERENCE, token, [CURRENT, RETIRED]) is valid


def test_one_key_may_still_be_given_on_its_own():
    assert status_token_valid(REFERENCE, status_token(REFERENCE, CURRENT), CURRENT)
    assert not status_token_valid(REFERENCE, status_token(REFERENCE, RETIRED), CURRENT)


def test_no_keys_open_nothing():
    assert not status_token_valid(REFERENCE, status_token(REFERENCE, CURRENT), [])


def test_the_settings_verify_with_the_current_key_first_then_the_retired_ones():
    links = CitizenLinkSettings(
        status_link_secret=CURRENT, previous_status_link_secrets=f"{RETIRED}, ,"
    )

    assert links.verifying_secrets == [CURRENT, RETIRED]
    assert status_token_valid(REFERENCE, status_token(REFERENCE, RETIRED), links.verifying_secrets)
