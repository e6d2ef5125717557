"""The overview's figures from its counters: per month for the page, per district, month and
category for the open data (CSV and JSON). Pure, so every share is tested without I/O."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from services.intake.overview import figures as f
from shared import districts
from shared.vocabulary import Category, ReasonCode

Row = tuple[str, str, str, str, int]
DECLINE_REASONS = tuple(r.value for r in ReasonCode if r is not ReasonCode.ACCEPTED)

#: The open data's columns, in order; a decline reason is a column of its own.
COLUMNS = (
    f.RECEIVED,
    f.DECIDED,
    f.ACCEPTED,
    *(f.DECLINED_PREFIX + r for r in DECLINE_REASONS),
    f.DECIDED_ON_TIME,
    f.DECIDED_LATE,
    f.CARRIED_OUT,
    f.CARRIED_OUT_ON_TIME,
    f.CARRIED_OUT_LATE,
    f.CANCELLED,
    f.VEHICLES_CHECKED,
    f.VIOLATIONS,
)


@dataclass
class Month:
    """One month of one district (or of all): what the page's table shows."""

    month: str
    received: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def total(self) -> int:
        return sum(self.received.values())

    @property
    def decided_on_time_share(self) -> float | None:
        return share(self.counts[f.DECIDED_ON_TIME], self.counts[f.DECIDED_LATE])

    @property
    def carried_out_on_time_share(self) -> float | None:
        return share(self.counts[f.CARRIED_OUT_ON_TIME], self.counts[f.CARRIED_OUT_LATE])

    def declined(self, reason: str) -> int:
        return self.counts[f.DECLINED_PREFIX + reason]


def share(on_time: int, late: int) -> float | None:
    """The share of settled deadlines that were met; None when none is settled yet."""
    settled = on_time + late
    return on_time / settled if settled else None


def by_month(rows: list[Row], months: list[str]) -> list[Month]:
    """Every month asked for, in order, with zeros where nothing happened."""
    table = {m: Month(m, {c.value: 0 for c in Category}) for m in months}
    for _district, month, category, measure, value in rows:
        line = table.get(month)
        if line is None:
            continue
        if measure == f.RECEIVED:
            line.received[category] = line.received.get(category, 0) + value
        line.counts[measure] += value
    return [table[m] for m in months]


def totals(lines: list[Month]) -> Month:
    """The months added up: the year's line under the table."""
    total = Month("", {c.value: 0 for c in Category})
    for line in lines:
        for category, n in line.received.items():
            total.received[category] = total.received.get(category, 0) + n
        for measure, n in line.counts.items():
            total.counts[measure] += n
    return total


def records(rows: list[Row]) -> list[dict[str, str | int]]:
    """Open data: one record per district, month and category, every column present."""
    grouped: dict[tuple[str, str, str], dict[str, int]] = defaultdict(dict)
    for district_code, month, category, measure, value in rows:
        counts = grouped[(district_code, month, category)]
        counts[measure] = counts.get(measure, 0) + value
    out: list[dict[str, str | int]] = []
    for (district_code, month, category), counts in sorted(grouped.items()):
        known = districts.district(district_code)
        out.append(
            {
                "district_code": district_code,
                "district_name": known.name if known else "",
                "month": month,
                "category": category,
                **{column: counts.get(column, 0) for column in COLUMNS},
            }
        )
    return out
