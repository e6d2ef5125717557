"""Citizen-facing references and status links: well-formed, random, and bound to their secret."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.references import (
    hash_token,
    new_reference,
    new_token,
    status_token,
    status_token_valid,
    status_url,
)

REFERENCE_FORMAT = re.compile(r"BEB-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{8}")
CROCKFORD_ALPHABET = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
SECRET = "a-long-random-status-link-secret"
REFERENCE = "BEB-7K3M9QXZ"


@pytest.fixture(scope="module")
def many_references() -> list[str]:
    return [new_reference() for _ in range(5000)]


# --- references -------------------------------------------------------------------------


def test_reference_is_beb_and_eight_crockford_characters(many_references):
    malformed = [r for r in many_references if not REFERENCE_FORMAT.fullmatch(r)]

    assert malformed == []


def test_reference_never_uses_the_letters_crockford_leaves_out(many_references):
    used = {c for r in many_references for c in r.removeprefix("BEB-")}

    assert used.isdisjoint(set("ILOU"))


def test_references_draw_on_the_whole_crockford_alphabet(many_references):
    used = {c for r in many_references for c in r.removeprefix("BEB-")}

    assert used == CROCKFORD_ALPHABET


def test_references_are_random_not_sequential(many_references):
    assert len(set(many_references)) == len(many_references)
    assert many_references != sorted(many_references)


# --- status tokens ----------------------------------------------------------------------


def test_status_token_opens_its_own_reference():
    token = status_token(REFERENCE, SECRET)

    assert status_token_valid(REFERENCE, token, SECRET)


def test_status_token_is_the_same_every_time_so_nothing_needs_storing():
    assert status_token(REFERENCE, SECRET) == status_token(REFERENCE, SECRET)


def test_status_tokens_differ_between_references_and_secrets():
    tokens = {
        status_token(REFERENCE, SECRET),
        status_token("BEB-7K3M9QXY", SECRET),
        status_token(REFERENCE, "another-secret"),
    }

    assert len(tokens) == 3


def test_status_token_does_not_reveal_the_reference_or_the_secret():
    token = status_token(REFERENCE, SECRET)

    assert REFERENCE not in token
    assert SECRET not in token


@pytest.mark.parametrize(
    ("reference", "token", "secret"),
    [
        pytest.param("BEB-7K3M9QXY", status_token(REFERENCE, SECRET), SECRET, id="other-reference"),
        pytest.param(REFERENCE, status_token(REFERENCE, "old-secret"), SECRET, id="other-secret"),
        pytest.param(REFERENCE, "", SECRET, id="empty"),
        pytest.param(REFERENCE, status_token(REFERENCE, SECRET)[:-1], SECRET, id="truncated"),
        pytest.param(REFERENCE, status_token(REFERENCE, SECRET) + "A", SECRET, id="extended"),
        pytest.param(REFERENCE, status_token(REFERENCE, SECRET).lower(), SECRET, id="lower-cased"),
        pytest.param(REFERENCE, "x" * 24, SECRET, id="guessed"),
    ],
)
def test_wrong_status_token_is_refused(reference, token, secret):
    assert not status_token_valid(reference, token, secret)


def test_status_token_with_one_character_changed_is_refused():
    token = status_token(REFERENCE, SECRET)

    for i in range(len(token)):
        changed = token[:i] + ("B" if token[i] != "B" else "C") + token[i + 1 :]
        assert not status_token_valid(REFERENCE, changed, SECRET)


def test_status_token_with_non_ascii_characters_is_refused():
    assert status_token_valid(REFERENCE, "æøå", SECRET) is False


# --- status links -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "public_url",
    [
        pytest.param("https://bestil.politi.dk", id="bare"),
        pytest.param("https://bestil.politi.dk/", id="trailing-slash"),
    ],
)
def test_status_url_points_at_the_status_page_with_a_valid_token(public_url):
    url = status_url(public_url, REFERENCE, SECRET)

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "bestil.politi.dk",
        f"/status/{REFERENCE}",
    )
    (token,) = parse_qs(parts.query, strict_parsing=True)["token"]
    assert status_token_valid(REFERENCE, token, SECRET)


def test_status_url_keeps_a_path_prefix():
    url = status_url("https://politi.dk/bestil/", REFERENCE, SECRET)

    assert url.startswith(f"https://politi.dk/bestil/status/{REFERENCE}?token=")


def test_status_url_needs_no_escaping():
    token = status_token(REFERENCE, SECRET)

    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)


# --- other tokens -----------------------------------------------------------------------


def test_new_tokens_are_url_safe_and_distinct():
    tokens = [new_token() for _ in range(1000)]

    assert len(set(tokens)) == len(tokens)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", t) for t in tokens)


def test_stored_token_hash_does_not_contain_the_token():
    token = new_token()

    hashed = hash_token(token)

    assert token not in hashed
    assert hashed == hash_token(token)
    assert hashed != hash_token(new_token())
