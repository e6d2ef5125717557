"""The districts' reply templates as stored: each district's own texts over the national defaults."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.screening import audit
from services.screening.models import Officer, ReplyTemplate
from services.screening.replies import default_template
from shared.db import Database
from shared.vocabulary import Language, ReasonCode


async def texts_in_force(session: AsyncSession, district_code: str) -> dict[tuple[str, str], str]:
    """(reason code, language) → the district's text, or the national default."""
    texts = {
        (reason.value, language.value): default_template(reason, language)
        for reason in ReasonCode
        for language in Language
    }
    stored = await session.exec(
        select(ReplyTemplate).where(ReplyTemplate.district_code == district_code)
    )
    for row in stored.all():
        texts[(row.reason_code, row.language)] = row.text
    return texts


async def reply_templates(db: Database, district_code: str) -> dict[tuple[str, str], str]:
    """The texts the district's officers start from, for the templates page."""
    async with db.reading() as session:
        return await texts_in_force(session, district_code)


async def save_reply_templates(
    db: Database,
    officer: Officer,
    district_code: str,
    texts: dict[tuple[str, str], str],
    *,
    now: datetime,
) -> list[str]:
    """Store the texts that differ from what is in force, with an audit line; returns the
    changed keys."""
    async with db.transaction() as session:
        current = await texts_in_force(session, district_code)
        changed = []
        for (reason, language), text in texts.items():
            if current.get((reason, language)) == text:
                continue
            row = await session.get(ReplyTemplate, (district_code, reason, language))
            if row is None:
                row = ReplyTemplate(
                    district_code=district_code,
                    reason_code=reason,
                    language=language,
                    text=text,
                    updated_at=now,
                    updated_by=officer.id,
                )
            else:
                row.text, row.updated_at, row.updated_by = text, now, officer.id
            session.add(row)
            changed.append(f"{reason}/{language}")
        if changed:
            audit.record(
                session,
                officer=officer,
                action="templates_saved",
                now=now,
                district_code=district_code,
                facts={"changed": changed},
            )
        return changed
