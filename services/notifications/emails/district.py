"""Emails to a district's mailbox: a breached deadline at once, and a daily digest.

Officers read Danish; the emails carry references, never the citizen's personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_datetime
from html import escape

from services.notifications.emails.words import CATEGORY_NAMES
from shared.danish_time import format_date, format_datetime
from shared.vocabulary import Category, DeadlineKind, DeadlineState, Language

KIND_NAMES = {DeadlineKind.DECISION: "svarfrist", DeadlineKind.EXECUTION: "udførelsesfrist"}
FOOTER = "Automatisk besked fra Bestil en betjent. Svar ikke på denne e-mail."


@dataclass(frozen=True)
class DigestLine:
    """One open deadline in a district's daily digest."""

    reference: str
    category: str | None
    kind: DeadlineKind
    due_at: datetime
    state: DeadlineState | None


def _category(code: str | None) -> str:
    return CATEGORY_NAMES[Language.DA][Category(code)] if code else "bestilling"


def _message(
    sender: str, to: str, subject: str, text: str, html: str, message_id: str, now: datetime
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = rfc2822_datetime(now)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    msg["Content-Language"] = "da"
    return msg


def compose_breach(
    *,
    sender: str,
    to: str,
    district_name: str,
    reference: str,
    category: str | None,
    kind: DeadlineKind,
    due_at: datetime,
    queue_url: str,
    message_id: str,
    now: datetime,
) -> EmailMessage:
    what = KIND_NAMES[kind]
    due = format_datetime(due_at, Language.DA)
    subject = f"Frist overskredet: {reference} ({_category(category)}), {what} {due}"
    lead = f"{what.capitalize()}en for bestilling {reference} ({_category(category)}) udløb {due}."
    todo = (
        "Borgeren har ikke fået svar. Træf en afgørelse i dag, eller skriv til borgeren."
        if kind == DeadlineKind.DECISION
        else "Opgaven er ikke meldt udført. Planlæg eller afslut den i dag."
    )
    text = f"{district_name}\n\n{lead}\n{todo}\n\nÅbn køen: {queue_url}\n\n-- \n{FOOTER}\n"
    html = (
        f"<p><strong>{escape(district_name)}</strong></p><p>{escape(lead)}</p><p>{escape(todo)}</p>"
        f'<p><a href="{escape(queue_url)}">Åbn køen</a></p><hr><p>{escape(FOOTER)}</p>'
    )
    return _message(sender, to, subject, text, html, message_id, now)


def compose_digest(
    *,
    sender: str,
    to: str,
    district_name: str,
    day: date,
    lines: list[DigestLine],
    queue_url: str,
    message_id: str,
    now: datetime,
) -> EmailMessage:
    breached = sum(1 for line in lines if line.state == DeadlineState.BREACHED)
    warned = sum(1 for line in lines if line.state == DeadlineState.WARNING)
    orders = len({line.reference for line in lines})
    subject = (
        f"Dagsoversigt {format_date(day, Language.DA)}: "
        f"{orders} åbne bestillinger, {breached} frister overskredet, {warned} tæt på"
    )
    mark = {DeadlineState.BREACHED: "OVERSKREDET", DeadlineState.WARNING: "snart", None: ""}
    rows = [
        (
            line.reference,
            _category(line.category),
            KIND_NAMES[line.kind],
            format_datetime(line.due_at, Language.DA),
            mark[line.state],
        )
        for line in sorted(lines, key=lambda line: line.due_at)
    ]
    text = "\n".join(
        [f"{district_name}: åbne frister, den første først", ""]
        + [f"{r[0]}  {r[1]:<32} {r[2]:<16} {r[3]:<28} {r[4]}" for r in rows]
        + ["", f"Åbn køen: {queue_url}", "", "-- ", FOOTER]
    )
    cells = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    html = (
        f"<p><strong>{escape(district_name)}</strong>: åbne frister, den første først</p>"
        "<table><thead><tr><th>Reference</th><th>Kategori</th><th>Frist</th><th>Udløber</th>"
        f"<th>Status</th></tr></thead><tbody>{cells}</tbody></table>"
        f'<p><a href="{escape(queue_url)}">Åbn køen</a></p><hr><p>{escape(FOOTER)}</p>'
    )
    return _message(sender, to, subject, text, html, message_id, now)
