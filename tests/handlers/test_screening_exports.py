"""CSV exports: the queue as filtered and the statistics, for spreadsheets, each one audited."""

from __future__ import annotations

import csv
import io
import re

import pytest

from services.screening import exporting
from shared.danish_time import local
from shared.vocabulary import Role
from tests.handlers.test_screening_plan import accepted
from tests.handlers.test_screening_web import audit_rows, officer_browser, queued


@pytest.fixture
async def screening(harness):
    return await harness("screening")


def read(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # Excel reads UTF-8 by its byte-order mark
    text = body.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def refs(html: str) -> list[str]:
    return re.findall(r'data-reference="(BEB-[^"]+)"', html)


async def test_the_queue_export_holds_what_the_filtered_queue_shows_and_is_audited(
    screening,
) -> None:
    h = screening
    first, second = await queued(h, "1461"), await queued(h, "1461")
    done = await accepted(h, "1461")
    elsewhere = await queued(h, "1470")
    officer = await officer_browser(h, Role.OFFICER, "1461")
    page = (await officer.get("/?status=routed")).text
    assert '/export/queue.csv?status=routed"' in page  # the link carries the page's filter
    answer = await officer.get("/export/queue.csv?status=routed")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"].startswith('attachment; filename="koe-1461-')
    assert answer.headers["cache-control"] == "no-store"
    header, *rows = read(answer.content)
    assert header[:4] == ["Reference", "Næste frist", "Fristdato", "Dage tilbage"]
    assert "Kreds" not in header  # as the queue: only national admins see the district column
    assert [r[0] for r in rows] == refs(page)  # the queue's order (equal deadlines: by reference)
    assert sorted(refs(page)) == sorted([first.reference, second.reference])
    assert done.reference not in answer.text and elsewhere.reference not in answer.text
    row = dict(zip(header, rows[0], strict=True))
    assert row["Fristdato"] == local(first.decision_due).date().isoformat()  # same day for both
    assert row["Næste frist"] == "Afgørelse" and row["Status"] == "Til behandling"
    assert row["Kommune"] == "Aarhus" and row["Haster"] == "nej"
    # no more personal data than the queue: no name, contact or description
    for private in ("Mette Hansen", "mette.hansen@example.dk", "20 30 40 50", "Bilerne kører"):
        assert private not in answer.content.decode("utf-8")
    [entry] = [r for r in await audit_rows(h) if r.action == "queue_exported"]
    assert entry.district_code == "1461" and entry.via == "web"
    assert entry.facts["count"] == 2
    assert entry.facts["filter"]["status"] == "routed"
    assert "Mette" not in str(entry.facts) and first.reference not in str(entry.facts)


async def test_an_officer_cannot_export_another_districts_queue(screening) -> None:
    h = screening
    elsewhere = await queued(h, "1470")
    own = await queued(h, "1461")
    officer = await officer_browser(h, Role.OFFICER, "1461")
    answer = await officer.get("/export/queue.csv?district=1470&status=all")
    rows = read(answer.content)[1:]
    assert [r[0] for r in rows] == [own.reference]
    assert elsewhere.reference not in answer.text


async def test_a_national_export_names_the_district_and_is_filed_under_each(screening) -> None:
    h = screening
    await queued(h, "1461")
    await queued(h, "1461")
    await queued(h, "1470")
    admin = await officer_browser(h, Role.NATIONAL_ADMIN, None)
    header, *rows = read((await admin.get("/export/queue.csv")).content)
    assert header[-1] == "Kreds"
    assert sorted(r[-1] for r in rows) == ["København", "Østjylland", "Østjylland"]
    entries = [r for r in await audit_rows(h) if r.action == "queue_exported"]
    assert {e.district_code: e.facts["count"] for e in entries} == {"1461": 2, "1470": 1}
    # the district's coordinator sees that its orders were exported
    coordinator = await officer_browser(h, Role.COORDINATOR, "1470")
    trail = (await coordinator.get("/audit?action=queue_exported")).text
    assert "Kø hentet som CSV" in trail.split("<tbody>")[1]


async def test_an_export_too_large_for_one_file_is_refused_not_cut_short(
    screening, monkeypatch
) -> None:
    h = screening
    for _ in range(3):
        await queued(h, "1461")
    monkeypatch.setattr(exporting, "QUEUE_EXPORT_LIMIT", 2)
    officer = await officer_browser(h, Role.OFFICER, "1461")
    answer = await officer.get("/export/queue.csv")
    assert answer.status_code == 413
    assert "Afgræns med status eller kategori" in answer.text
    assert not [r for r in await audit_rows(h) if r.action == "queue_exported"]


async def test_the_statistics_export_has_the_pages_figures_and_is_audited(screening) -> None:
    h = screening
    await queued(h, "1461")
    await accepted(h, "1461")
    await queued(h, "1470")
    coordinator = await officer_browser(h, Role.COORDINATOR, "1461")
    page = (await coordinator.get("/stats")).text
    assert '/export/stats.csv?period=12"' in page
    answer = await coordinator.get("/export/stats.csv?period=12")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith(
        'attachment; filename="statistik-1461-12-mdr-'
    )
    header, *rows = read(answer.content)
    assert header == ["Tal", "Nøgle", "Betegnelse", "Værdi"]
    figures = {(r[0], r[1]): r for r in rows}
    assert figures[("total", "")][3] == "2"  # the district's, not the other district's order
    assert figures[("by_category", "traffic_control")][2:] == [
        "Efter kategori: Færdselskontrol",
        "2",
    ]
    assert figures[("by_status", "accepted")][3] == "1"
    month = local(h.clock()).strftime("%Y-%m")
    assert figures[("by_month", month)][3] == "2"
    assert ("decisions", "share_within_deadline") in figures
    [entry] = [r for r in await audit_rows(h) if r.action == "stats_exported"]
    assert entry.district_code == "1461" and entry.facts == {"period": "12", "district": "1461"}


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_quoted() -> None:
    text = exporting.as_csv(["a", "b", "c"], [["=HYPERLINK(1)", 12.5, None], ["-2", True, 3]])
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[1:] == [["'=HYPERLINK(1)", "12,5", ""], ["'-2", "ja", "3"]]


async def test_the_audit_keeps_a_whole_searched_reference_but_not_other_search_text(
    screening,
) -> None:
    h = screening
    order = await queued(h, "1461")
    officer = await officer_browser(h, Role.OFFICER, "1461")
    await officer.get(f"/export/queue.csv?q={order.reference}&status=all")
    await officer.get("/export/queue.csv?q=Mette+Hansen")
    found = [
        r.facts["filter"]["reference"] for r in await audit_rows(h) if r.action == "queue_exported"
    ]
    assert found == [order.reference, "…"]
