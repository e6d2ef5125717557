"""The overview as one read: the counters of a district (or all) for a year, in one query."""

from __future__ import annotations

from dataclasses import dataclass

from services.intake.overview import store, summary
from shared.db import Database


@dataclass(frozen=True)
class Overview:
    district_code: str | None
    year: int
    years: list[int]
    months: list[summary.Month]
    total: summary.Month
    rows: list[summary.Row]


async def overview(
    db: Database,
    *,
    district_code: str | None,
    year: int | None,
    today_year: int,
    per_district: bool = True,
) -> Overview:
    """The figures of `year` (default: the latest year with figures, else this year); the rows
    per district (open data) or added up (the page)."""
    async with db.reading() as session:
        known = await store.months_with_figures(session)
        years = sorted({int(m[:4]) for m in known} | {today_year})
        chosen = (
            year if year is not None else (max(int(m[:4]) for m in known) if known else today_year)
        )
        rows = await store.counts(
            session,
            district_code=district_code,
            first_month=f"{chosen:04d}-01",
            last_month=f"{chosen:04d}-12",
            per_district=per_district,
        )
    months = [f"{chosen:04d}-{m:02d}" for m in range(1, 13)]
    lines = summary.by_month(rows, months)
    return Overview(district_code, chosen, years, lines, summary.totals(lines), rows)
