"""Exports as CSV: the queue as filtered, and the statistics, each export audited.

A queue export holds what the queue page shows (no name, contact or free text), but it leaves
the system as a file, so every export is recorded like a view of personal data: who, when,
the filter and how many orders, one entry per district whose orders it held (so each
district's coordinator sees it), never the rows themselves.

The files are for the districts' spreadsheets: UTF-8 with a byte-order mark (so Excel reads
æ, ø and å), semicolons between fields and decimal commas (as Danish Excel expects), a header
row, dates as ISO 8601 in Danish time, CRLF line ends.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from services.screening import audit, queries, statistics
from services.screening.models import Officer, QueueEntry
from services.screening.queries import QueueFilter
from services.screening.statistics import Statistics
from shared.db import Database

#: A queue export holds at most this many orders; a wider filter is refused, not cut short.
QUEUE_EXPORT_LIMIT = 10_000
BOM = "\ufeff"


class ExportTooLargeError(Exception):
    """The filter matches more orders than one file may hold (`total`: at least this many)."""

    def __init__(self, total: int) -> None:
        super().__init__(total)
        self.total = total


_WHOLE_REFERENCE = re.compile(r"^BEB-[0-9A-HJKMNP-TV-Z]{8}$")


def filter_facts(wanted: QueueFilter) -> dict[str, Any]:
    """The filter as the audit entry records it: codes, and a searched reference only when it
    is a whole one (whatever else was typed into the search box could be a name: left out)."""
    needle = queries.normalise_reference_query(wanted.reference)
    return {
        "status": wanted.status,
        "category": wanted.category,
        "reference": needle if _WHOLE_REFERENCE.match(needle) else ("…" if needle else None),
        "district": wanted.district_code,
        "alerts_only": wanted.alerts_only,
    }


async def export_queue(
    db: Database, officer: Officer, wanted: QueueFilter, *, now: datetime
) -> list[QueueEntry]:
    """Every queue row the filter matches, in the queue's order; the export is audited."""
    async with db.transaction() as session:
        found = await queries.queue_page(
            session, officer, wanted, page=0, page_size=QUEUE_EXPORT_LIMIT
        )
        rows, total = found.rows, found.total
        if found.more or total > QUEUE_EXPORT_LIMIT:
            raise ExportTooLargeError(total)
        by_district: dict[str | None, int] = {}
        for row in rows:
            by_district[row.district_code] = by_district.get(row.district_code, 0) + 1
        if not by_district:
            by_district[wanted.district_code or officer.district_code] = 0
        for district_code, count in by_district.items():
            audit.record(
                session,
                officer=officer,
                action="queue_exported",
                now=now,
                district_code=district_code,
                facts={"count": count, "total": total, "filter": filter_facts(wanted)},
            )
    return rows


async def export_statistics(
    db: Database,
    officer: Officer,
    *,
    district_code: str | None,
    since: datetime | None,
    period: str,
    now: datetime,
) -> Statistics:
    """The statistics page's figures (the same function reads them); the export is audited."""
    figures = await statistics.statistics(
        db, officer, district_code=district_code, since=since, now=now
    )
    async with db.transaction() as session:
        audit.record(
            session,
            officer=officer,
            action="stats_exported",
            now=now,
            district_code=district_code,
            facts={"period": period, "district": district_code},
        )
    return figures


def as_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A spreadsheet's CSV text: BOM, header row, semicolons, CRLF (see the module's note)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        # A spreadsheet would run a cell starting like a formula (CSV injection): quote it.
        return "'" + value
    return value


def flat_figures(figures: Statistics) -> list[tuple[str, str, Any]]:
    """The figures as (figure, key, value) rows, read from what the API answers, so that the
    file follows however the statistics are counted. Shares become per cent."""
    rows: list[tuple[str, str, Any]] = []

    def walk(name: str, key: str, value: Any) -> None:
        if isinstance(value, dict):
            for inner, item in value.items():
                walk(name, f"{key}/{inner}" if key else str(inner), item)
        elif key.endswith("share_within_deadline") or key == "share_within_deadline":
            rows.append((name, key, None if value is None else round(value * 100, 1)))
        else:
            rows.append((name, key, value))

    for name, value in figures.as_json().items():
        walk(name, "", value)
    return rows
