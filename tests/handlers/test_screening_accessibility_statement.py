"""The officers' pages link the accessibility statement, and /was leads to it."""

from __future__ import annotations

URL = "https://www.was.digst.dk/bestil-en-betjent-politiet-test"


async def test_every_page_links_the_statement_and_was_redirects_to_it(harness, client_for) -> None:
    h = await harness("screening", accessibility_statement_url=URL)
    client = client_for(h)
    login = await client.get("/login")
    assert login.status_code == 200
    assert f'<a href="{URL}">Tilgængelighedserklæring</a>' in login.text
    was = await client.get("/was", follow_redirects=False)
    assert (was.status_code, was.headers["location"]) == (302, URL)
