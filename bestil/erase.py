"""`bestil erase BEB-…`: erase one order's personal data on a citizen's request, from the shell.

It goes through screening's use case (`services.screening.erasure`) against screening's
database, like `bestil officer` does: screening's copy is anonymised at once, the erasure is
audited with the operator as actor, and `ErasureRequested` waits in screening's outbox, which
the running screening service publishes, so that every other service anonymises its copy too.
"""

from __future__ import annotations

from bestil.officers import _screening, actor


async def erase(order: str, by: str | None) -> tuple[str, int]:
    """Erase the order (a reference or an id); `by` is the email of the national admin who
    decided it (else the event names `cli`). Returns the event's id and how many fields went."""
    from services.screening import accounts, erasure
    from services.screening.accounts import AccountError
    from shared.clock import utcnow

    async with _screening() as (db, _):
        officer = None
        if by:
            async with db.reading() as session:
                officer = await accounts.officer_by_email(session, by)
            if officer is None or not officer.active or not erasure.may_erase(officer.role):
                raise AccountError(f"{by} is no active national admin")
        done = await erasure.erase_order(db, officer, order, now=utcnow(), via="cli", actor=actor())
    return str(done.event.event_id), len(set(done.what))
