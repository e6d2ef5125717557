"""When a PostgreSQL connection skips TLS: only on loopback, and only if the URL leaves it open."""

from __future__ import annotations

import pytest

from shared.pg_connections import is_loopback_without_tls_choice


@pytest.mark.parametrize(
    ("url", "skips_tls"),
    [
        ("postgresql+asyncpg://postgres@127.0.0.1:5432/bestil", True),
        ("postgresql+asyncpg://postgres@localhost/bestil", True),
        ("postgresql+asyncpg://postgres@[::1]:5432/bestil", True),
        ("postgresql+asyncpg://postgres@/bestil?host=/var/run/postgresql", True),
        # the operator's word stands, loopback or not
        ("postgresql+asyncpg://postgres@127.0.0.1/bestil?ssl=require", False),
        ("postgresql+asyncpg://postgres@localhost/bestil?sslmode=verify-full", False),
        # another machine: asyncpg's default (TLS when the server offers it)
        ("postgresql+asyncpg://bestil@db.politi.internal:5432/bestil", False),
        ("postgresql+asyncpg://bestil@10.0.0.7/bestil", False),
    ],
)
def test_tls_is_skipped_only_on_loopback_unless_the_url_asks(url: str, skips_tls: bool) -> None:
    assert is_loopback_without_tls_choice(url) is skips_tls
