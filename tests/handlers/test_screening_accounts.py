"""Accounts under an operator's hand: API tokens that expire and can be revoked, deactivated
officers, `bestil officer …` and the audit entries every change leaves."""

from __future__ import annotations

import asyncio
import io
import sys
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from bestil.cli import main
from services.screening import account_changes, accounts
from services.screening.models import AuditEntry, Credential, Officer, ScreeningBase
from shared.db import Database
from shared.vocabulary import Role
from tests.handlers.test_screening_web import (
    PASSWORD,
    add_officer,
    audit_rows,
    login_token,
    new_client,
    officer_browser,
)

ACTOR = "cli:test-operator"


@pytest.fixture
async def screening(harness):
    return await harness("screening", token_days=30)


async def _token(h, email: str) -> str:
    lifetime = timedelta(days=h.app.state.ctx.settings.token_days)
    issued = await account_changes.issue_api_token(
        h.db, email, lifetime=lifetime, actor=ACTOR, now=h.clock()
    )
    return issued.token


async def _api(h, token: str) -> httpx.Response:
    return await new_client(h).get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"})


async def test_an_api_token_stops_working_when_its_days_are_up(screening) -> None:
    token = await _token(screening, await add_officer(screening))
    assert (await _api(screening, token)).status_code == 200
    screening.clock.advance(timedelta(days=30))
    expired = await _api(screening, token)
    assert expired.status_code == 401 and expired.headers["www-authenticate"] == "Bearer"


async def test_a_token_issued_before_tokens_expired_gets_the_default_lifetime(screening) -> None:
    email = await add_officer(screening)
    async with screening.db.transaction() as session:
        old = await accounts.issue_token(session, email, screening.clock() - timedelta(days=31))
        recent = await accounts.issue_token(session, email, screening.clock() - timedelta(days=3))
        for credential in (await session.exec(select(Credential))).all():
            credential.expires_at = None  # as every token was before expiry existed
            session.add(credential)
    assert (await _api(screening, old)).status_code == 401
    assert (await _api(screening, recent)).status_code == 200


async def test_the_listing_shows_each_tokens_dates_and_last_use_but_never_the_token(
    screening,
) -> None:
    email = await add_officer(screening, Role.COORDINATOR, "1465")
    token = await _token(screening, email)
    screening.clock.advance(timedelta(hours=2))
    await _api(screening, token)
    listed = await account_changes.list_accounts(screening.db, default_lifetime=timedelta(days=30))
    [account] = [a for a in listed if a.email == email]
    assert (account.role, account.district_code, account.active) == ("coordinator", "1465", True)
    [info] = account.tokens
    assert info.expires_at == info.created_at + timedelta(days=30)
    assert info.last_used_at == screening.clock()
    assert token not in repr(account) and len(info.token_id) == 12


async def test_a_revoked_token_stops_working_at_once_and_the_others_go_on(screening) -> None:
    email = await add_officer(screening)
    first, second = await _token(screening, email), await _token(screening, email)
    [account] = await account_changes.list_accounts(screening.db, default_lifetime=timedelta(1))
    first_id = next(t.token_id for t in account.tokens if t.token_id == _id_of(first))
    revoked = await account_changes.revoke_api_tokens(
        screening.db, email, first_id, actor=ACTOR, now=screening.clock()
    )
    assert revoked == [first_id]
    assert (await _api(screening, first)).status_code == 401
    assert (await _api(screening, second)).status_code == 200
    await account_changes.revoke_api_tokens(
        screening.db, email, None, actor=ACTOR, now=screening.clock()
    )
    assert (await _api(screening, second)).status_code == 401
    with pytest.raises(accounts.AccountError, match="no token"):
        await account_changes.revoke_api_tokens(
            screening.db, email, "0123456789ab", actor=ACTOR, now=screening.clock()
        )


def _id_of(token: str) -> str:
    from shared.references import hash_token

    return hash_token(token)[:12]


async def test_a_deactivated_officer_is_signed_out_everywhere_and_cannot_sign_in(
    screening,
) -> None:
    browser = await officer_browser(screening)
    [officer] = [o for o in await _officers(screening) if o.role == "officer"]
    token = await _token(screening, officer.email)
    assert (await browser.get("/")).status_code == 200
    ended = await account_changes.deactivate_officer(
        screening.db, officer.email, actor=ACTOR, now=screening.clock()
    )
    assert ended == {"sessions": 1, "tokens": 1}
    assert (await browser.get("/")).status_code == 302
    assert (await _api(screening, token)).status_code == 401
    client = new_client(screening)
    again = await client.post(
        "/login",
        data={
            "email": officer.email,
            "password": PASSWORD,
            "csrf_token": await login_token(client),
        },
    )
    assert again.status_code == 401
    with pytest.raises(accounts.AccountError, match="deactivated"):
        await _token(screening, officer.email)


async def _officers(h) -> list[Officer]:
    async with h.db.reading() as session:
        return list((await session.exec(select(Officer))).all())


async def test_every_account_change_is_in_the_audit_trail_under_the_accounts_district(
    screening,
) -> None:
    officer = await account_changes.add_officer(
        screening.db,
        email="ny.betjent@politi.dk",
        name="Ny Betjent",
        district_code="1465",
        role=Role.OFFICER,
        password=PASSWORD,
        actor=ACTOR,
        now=screening.clock(),
    )
    token = await _token(screening, officer.email)
    await account_changes.revoke_api_tokens(
        screening.db, officer.email, None, actor=ACTOR, now=screening.clock()
    )
    await account_changes.deactivate_officer(
        screening.db, officer.email, actor=ACTOR, now=screening.clock()
    )
    rows = await audit_rows(screening)
    assert [r.action for r in rows] == [
        "officer_added",
        "token_issued",
        "token_revoked",
        "officer_deactivated",
    ]
    assert {(r.via, r.district_code, r.facts["actor"], r.facts["officer_id"]) for r in rows} == {
        ("cli", "1465", ACTOR, officer.id)
    }
    assert rows[1].facts["token_ids"] == rows[2].facts["token_ids"] == [_id_of(token)]
    assert all(token not in str(r.facts) for r in rows)
    coordinator = await officer_browser(screening, Role.COORDINATOR, "1465")
    trail = (await coordinator.get("/audit")).text
    assert "API-nøgle tilbagekaldt" in trail and "Konto deaktiveret" in trail and ACTOR in trail


# --- the command line ----------------------------------------------------------------------------


def _run(capsys, *args: str, stdin: str = "") -> tuple[int, str, str]:
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(["officer", *args])
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def test_the_command_line_manages_accounts_and_tokens_and_audits_each_change(
    tmp_path, monkeypatch, capsys
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'screening.db'}"
    monkeypatch.setenv("BESTIL_SCREENING_DATABASE_URL", url)
    monkeypatch.setenv("BESTIL_SCREENING_TOKEN_DAYS", "14")
    monkeypatch.setattr("bestil.officers.actor", lambda: ACTOR)
    email = "kli.betjent@politi.dk"
    added = _run(
        capsys, "add", "--email", email, "--name", "Kli Betjent", "--district", "1461",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added[0] == 0 and added[1].startswith("added officer ")
    code, token, err = _run(capsys, "token", "--email", email)
    assert code == 0 and len(token) > 20 and "\n" not in token
    token_id = err.split()[1].rstrip(",")
    code, listing, _ = _run(capsys, "list")
    assert code == 0 and token not in listing
    assert f"{email}\tKli Betjent\tofficer\t1461\tactive" in listing
    assert f"token {token_id}" in listing and "last used never" in listing
    assert _run(capsys, "revoke-token", "--email", email, "--token-id", "nosuchtoken")[0] == 2
    code, out, _ = _run(capsys, "revoke-token", "--email", email, "--token-id", token_id)
    assert code == 0 and token_id in out
    assert f"token {token_id}" not in _run(capsys, "list")[1]
    _run(capsys, "token", "--email", email, "--days", "3")
    code, out, _ = _run(capsys, "deactivate", "--email", email)
    assert code == 0 and "1 token(s)" in out
    assert f"{email}\tKli Betjent\tofficer\t1461\tdeactivated" in _run(capsys, "list")[1]
    assert _run(capsys, "token", "--email", email)[0] == 2

    async def trail() -> list[AuditEntry]:
        db = Database(url, ScreeningBase.metadata)
        try:
            async with db.reading() as session:
                return list((await session.exec(select(AuditEntry).order_by(AuditEntry.id))).all())
        finally:
            await db.dispose()

    rows = asyncio.run(trail())
    assert [r.action for r in rows] == [
        "officer_added",
        "token_issued",
        "token_revoked",
        "token_issued",
        "officer_deactivated",
    ]
    assert {(r.via, r.facts["actor"]) for r in rows} == {("cli", ACTOR)}
