"""CloudEvents 1.0 binary-mode headers, so other agencies can consume with any CloudEvents SDK."""

from __future__ import annotations

from shared.events import Event
from shared.topics import topic_for


def headers_for(event: Event, source: str) -> dict[str, str]:
    return {
        "ce_specversion": "1.0",
        "ce_id": str(event.event_id),
        "ce_source": f"/bestil-en-betjent/{source}",
        "ce_type": topic_for(event).ce_type,
        "ce_time": event.occurred_at.isoformat(),
        "ce_subject": event.reference,
        "content-type": "application/json",
        "correlation_id": event.correlation_id,
    }
