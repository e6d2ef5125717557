"""Charts as inline SVG, drawn on the server (officers' statistics, the public overview): no
chart library, no script, readable by screen readers (each chart has a title and description,
and the page also gives the numbers as tables).
"""

from __future__ import annotations

from html import escape

#: Fill colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart by legend too.
SERIES_COLOURS = ("#0b4f8a", "#b3541e", "#2f6b3a", "#6b3fa0", "#8a6d0b")
_TEXT = "#1a1a1a"


def _number(value: int | float) -> str:
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else f"{value:.0f}"


def bar_chart(chart_id: str, title: str, items: list[tuple[str, int]], *, bars: int = 360) -> str:
    """Horizontal bars, one per (label, count), longest scale at the biggest count.

    Drawn at its natural size (CSS only shrinks it on narrow screens), so text stays legible.
    """
    row, pad = 30, 8
    label_w = min(380, max(120, 8 * max((len(label) for label, _ in items), default=0) + 16))
    width = label_w + bars + 70
    height = max(1, len(items)) * row + 2 * pad
    biggest = max((n for _, n in items), default=0) or 1
    bar_space = bars
    description = "; ".join(f"{label}: {_number(n)}" for label, n in items) or "Ingen data"
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    for i, (label, n) in enumerate(items):
        y = pad + i * row
        w = round(bar_space * n / biggest) if n else 0
        parts.append(
            f'<text x="{label_w - 8}" y="{y + row * 0.62:.1f}" text-anchor="end" '
            f'fill="{_TEXT}" font-size="14">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{max(w, 1)}" height="{row - 8}" '
            f'fill="{SERIES_COLOURS[0]}"/>'
            f'<text x="{label_w + w + 6}" y="{y + row * 0.62:.1f}" fill="{_TEXT}" '
            f'font-size="14">{_number(n)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_columns(
    chart_id: str,
    title: str,
    columns: list[str],
    series: list[tuple[str, list[int]]],
    *,
    sublabels: list[str] | None = None,
    height: int = 280,
) -> str:
    """Vertical columns (e.g. months), each stacked by series (e.g. categories), with a legend.

    `sublabels` (e.g. the year under January) go on a second line under the column labels.
    """
    left, bottom, top = 48, 48, 16
    width = max(480, 60 * len(columns) + left + 8)
    legend_h = 24 * max(1, len(series))
    plot_h = height - bottom - top
    total_h = height + legend_h
    totals = [sum(values[i] for _, values in series) for i in range(len(columns))]
    biggest = max(totals, default=0) or 1
    slot = (width - left - 8) / max(1, len(columns))
    bar_w = max(4.0, slot * 0.6)
    description = (
        "; ".join(
            f"{col}: " + ", ".join(f"{name} {_number(values[i])}" for name, values in series)
            for i, col in enumerate(columns)
        )
        or "Ingen data"
    )
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {total_h}" width="{width}" '
        f'height="{total_h}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" '
        f'stroke="{_TEXT}" stroke-width="1"/>',
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" fill="{_TEXT}" '
        f'font-size="12">{_number(biggest)}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" fill="{_TEXT}" '
        f'font-size="12">0</text>',
    ]
    for i, column in enumerate(columns):
        x = left + i * slot + (slot - bar_w) / 2
        y: float = top + plot_h
        for s, (_, values) in enumerate(series):
            h = plot_h * values[i] / biggest
            if h > 0:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                    f'fill="{SERIES_COLOURS[s % len(SERIES_COLOURS)]}"/>'
                )
        if totals[i]:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                f'fill="{_TEXT}" font-size="12">{_number(totals[i])}</text>'
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
            f'fill="{_TEXT}" font-size="13">{escape(column)}</text>'
        )
        if sublabels and sublabels[i]:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 36}" text-anchor="middle" '
                f'fill="{_TEXT}" font-size="13">{escape(sublabels[i])}</text>'
            )
    parts.extend(_legend([name for name, _ in series], left=left, top=height))
    parts.append("</svg>")
    return "".join(parts)


def _legend(names: list[str], *, left: int, top: int) -> list[str]:
    """One coloured square and name per series, one under the other."""
    parts = []
    for s, name in enumerate(names):
        y = top + s * 24
        parts.append(
            f'<rect x="{left}" y="{y}" width="14" height="14" '
            f'fill="{SERIES_COLOURS[s % len(SERIES_COLOURS)]}"/>'
            f'<text x="{left + 22}" y="{y + 12}" fill="{_TEXT}" font-size="13">'
            f"{escape(name)}</text>"
        )
    return parts


def share_meter(chart_id: str, title: str, share: float | None, *, width: int = 420) -> str:
    """A 0–100 % bar for a share of deadlines kept; "no data" when nothing was counted."""
    text = "ingen data" if share is None else f"{share * 100:.0f} %"
    filled = 0 if share is None else round((width - 2) * share)
    return (
        f'<svg class="meter" id="{chart_id}" viewBox="0 0 {width} 28" width="{width}" '
        f'height="28" role="img" '
        f'aria-labelledby="{chart_id}-t" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}: {text}</title>'
        f'<rect x="1" y="1" width="{width - 2}" height="26" fill="#ffffff" stroke="#595959"/>'
        f'<rect x="1" y="1" width="{filled}" height="26" fill="{SERIES_COLOURS[2]}"/>'
        "</svg>"
    )
