"""Every workspace page in real headless Chromium: it works, axe-core finds no WCAG 2.1 A/AA
violation, and a screenshot is kept under test-artifacts/workspace/ to look at."""

from __future__ import annotations

import re

import pytest

from shared import events
from tests.browser.workspace.conftest import (
    PASSWORD,
    assert_accessible,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")


def refs(html: str) -> list[str]:
    return re.findall(r'data-reference="(BEB-[^"]+)"', html)


async def test_sign_in_page_refuses_a_wrong_password_accessibly(
    workspace_site, officer_context
) -> None:
    page = await (await officer_context(workspace_site.url)).new_page()
    await page.goto("/")
    assert page.url.endswith("/login?next=/")
    await assert_accessible(page, "login")
    await screenshot(page, "01-login", phone=True)
    await page.get_by_label("E-mail", exact=True).fill(workspace_site.officers["officer"])
    await page.get_by_label("Adgangskode").fill("forkert")
    await page.get_by_role("button", name="Log ind").click()
    await page.get_by_role("alert").wait_for()
    assert "Forkert e-mail eller adgangskode." in await page.get_by_role("alert").inner_text()
    await assert_accessible(page, "login-error")
    # the skip link is the first thing the keyboard reaches, and focus is visible
    await page.keyboard.press("Tab")
    focused = await page.evaluate(
        "() => [document.activeElement.textContent.trim(),"
        " getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == ["Gå til indhold", "solid"]


async def test_the_coordinators_morning_queue_statistics_audit_and_templates(
    workspace_site, officer_context
) -> None:
    site = workspace_site
    page = await (await officer_context(site.url)).new_page()
    await sign_in(page, site.officers["coordinator"], PASSWORD)
    html = await page.content()
    order = refs(html)
    assert order[0] == site.orders["breached"].reference  # overdue first
    assert order[1] == site.orders["soon"].reference  # then two days left
    assert site.orders["elsewhere"].reference not in order
    assert site.orders["unroutable"].reference not in order
    first_row = page.locator("tbody tr").first
    assert "overskredet" in await first_row.inner_text()
    assert "Frist overskredet" in await first_row.inner_text()
    await assert_accessible(page, "queue")
    await screenshot(page, "02-queue", phone=True)

    await page.get_by_label("Kategori").select_option("talk")
    await page.get_by_role("button", name="Vis").click()
    await page.wait_for_url(re.compile(r"category=talk"))
    assert refs(await page.content()) == [site.orders["talk"].reference]
    await page.get_by_label("Søg på reference").fill(site.orders["soon"].reference[4:])
    await page.get_by_label("Kategori").select_option("")
    await page.get_by_role("button", name="Vis").click()
    await page.wait_for_url(re.compile(r"q="))
    assert refs(await page.content()) == [site.orders["soon"].reference]
    await assert_accessible(page, "queue-search")

    await page.get_by_role("link", name="Statistik").click()
    await page.wait_for_url("**/stats")
    assert await page.locator("svg.chart").count() == 3  # the district chart is national
    await assert_accessible(page, "stats")
    await screenshot(page, "06-stats")

    await page.get_by_role("link", name="Revisionsspor").click()
    await page.wait_for_url("**/audit")
    await assert_accessible(page, "audit")
    await screenshot(page, "07-audit")

    await page.get_by_role("link", name="Svarskabeloner").click()
    await page.wait_for_url("**/templates")
    no_capacity = page.locator("#tpl-no_capacity-da")
    await no_capacity.fill("Kære {navn}. Østjylland har travlt i denne måned.")
    await page.get_by_role("button", name="Gem skabeloner").click()
    await page.wait_for_url(re.compile(r"saved=1"))
    await assert_accessible(page, "templates")
    await screenshot(page, "08-templates")


async def test_an_order_with_its_neighbours_and_the_template_switch(
    workspace_site, officer_context
) -> None:
    site = workspace_site
    page = await (await officer_context(site.url)).new_page()
    await sign_in(page, site.officers["officer"], PASSWORD)
    first = site.orders["neighbour_1"]
    await page.get_by_role("link", name=first.reference).click()
    await page.wait_for_url(f"**/orders/{first.order_id}")
    nearby = page.locator("#nearby-form")
    for name in ("neighbour_2", "neighbour_3"):
        assert site.orders[name].reference in await nearby.inner_text()
    await assert_accessible(page, "order")
    await screenshot(page, "03-order", phone=True)

    for name in ("neighbour_2", "neighbour_3"):
        await page.get_by_label(f"Behandl {site.orders[name].reference} sammen med denne").check()
    await page.get_by_role("button", name="Behandl valgte sammen med denne").click()
    await page.locator("#group-banner").wait_for()
    assert "3 bestillinger samlet" in await page.locator("#group-banner").inner_text()
    danish = page.get_by_label("Besked til borgeren på dansk")
    english = page.get_by_label("Besked til borgeren på engelsk")
    assert (await danish.input_value()).startswith("Tak for din bestilling")
    assert (await english.input_value()).startswith("Thank you for your order")
    # choosing a reason puts its template in; an edited text is not overwritten silently
    await page.get_by_label("Afgørelse og begrundelse").select_option("already_planned")
    assert "allerede planlagt en kontrol" in await danish.input_value()
    await danish.fill("Min egen tekst, {navn}.")
    await page.get_by_label("Afgørelse og begrundelse").select_option("duplicate")
    assert await danish.input_value() == "Min egen tekst, {navn}."
    await page.locator("#template-note").wait_for()
    await page.get_by_role("button", name="Erstat med skabelonen").click()
    assert "flere bestillinger om det samme sted" in await danish.input_value()
    await assert_accessible(page, "order-group")
    await screenshot(page, "04-order-group")

    await page.get_by_role("button", name="Send afgørelse til 3 borgere").click()
    await page.locator("#done-message").wait_for()
    group = {site.orders[f"neighbour_{i}"].reference for i in (1, 2, 3)}
    decided = [e for e in await site.staged(events.OrderScreened) if e.reference in group]
    assert [e.reason_code.value for e in decided] == ["duplicate"] * 3
    assert decided[2].message.startswith("Thank you for your order")
    await assert_accessible(page, "order-decided")
    await screenshot(page, "05-order-decided")


async def test_a_phone_order_with_mistakes_shows_intakes_errors_at_the_fields(
    workspace_site, officer_context
) -> None:
    site = workspace_site
    page = await (await officer_context(site.url)).new_page()
    await sign_in(page, site.officers["officer"], PASSWORD)
    await page.get_by_role("link", name="Telefonbestilling").click()
    await page.wait_for_url("**/phone")
    assert await page.locator("fieldset[data-category='talk']").is_hidden()
    await page.get_by_label("Færdselskontrol").check()
    assert await page.locator("fieldset[data-category='traffic_control']").is_visible()
    await assert_accessible(page, "phone")
    await screenshot(page, "09-phone")

    await page.get_by_label("Navn", exact=True).fill("Karen Holm")
    await page.get_by_label("E-mail", exact=True).fill("ikke en adresse")
    await page.get_by_label("Postnummer").fill("8000")
    await page.get_by_label("Borgerens beskrivelse").fill("Knallerter om aftenen.")
    await page.get_by_role("button", name="Send bestillingen").click()
    summary = page.locator("#error-summary")
    await summary.wait_for()
    assert await page.evaluate("() => document.activeElement.id") == "error-summary"
    text = await summary.inner_text()
    assert "e-mailadresse" in text and "samtykke" in text
    assert await page.locator("#requester-email-error").is_visible()
    assert await page.locator("#traffic-road-error").is_visible()
    assert await page.get_by_label("Navn", exact=True).input_value() == "Karen Holm"
    await assert_accessible(page, "phone-errors")
    await screenshot(page, "10-phone-errors")

    await page.get_by_label("E-mail", exact=True).fill("karen@example.dk")
    await page.get_by_label("Vej eller strækning").fill("Skovvejen")
    await page.get_by_label("Problem").select_option("mopeds")
    await page.get_by_label("Kommune").select_option("751")
    await page.get_by_label(re.compile("^Borgeren har givet samtykke")).check()
    await page.get_by_role("button", name="Send bestillingen").click()
    await page.wait_for_url(re.compile(r"/phone/registered\?reference=BEB-"))
    reference = await page.locator("#phone-reference").inner_text()
    assert re.fullmatch(r"BEB-[0-9A-Z]{8}", reference)
    await assert_accessible(page, "phone-registered")
    await screenshot(page, "11-phone-registered")


async def test_the_national_admin_routes_an_order_nobody_could_place(
    workspace_site, officer_context
) -> None:
    site = workspace_site
    page = await (await officer_context(site.url)).new_page()
    await sign_in(page, site.officers["national_admin"], PASSWORD)
    assert "1 bestilling venter på manuel fordeling" in await page.content()
    assert site.orders["elsewhere"].reference in refs(await page.content())
    await assert_accessible(page, "queue-admin")
    await screenshot(page, "12-queue-admin")
    await page.get_by_role("link", name="Gå til manuel fordeling").click()
    await page.wait_for_url("**/routing")
    stuck = site.orders["unroutable"]
    await assert_accessible(page, "routing")
    await screenshot(page, "13-routing")
    await page.get_by_label(f"Politikreds for {stuck.reference}").select_option("1467")
    await page.get_by_role("button", name=f"Fordel {stuck.reference}").click()
    await page.wait_for_url(re.compile(r"/routing\?done=routed"))
    [routed] = await site.staged(events.RerouteRequested)
    assert (routed.reference, routed.from_district, routed.to_district) == (
        stuck.reference,
        None,
        "1467",
    )
    await assert_accessible(page, "routing-done")
