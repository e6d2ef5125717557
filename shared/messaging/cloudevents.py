"""CloudEvents 1.0 binary-mode headers, so other agencies can consume with any CloudEvents SDK."""

from __future__ import annotations

from shared.events import Message
from shared.topics import topic_for


def headers_for(event: Message, source: str) -> dict[str, str]:
    headers = {
        "ce_specversion": "1.0",
        "ce_id": str(event.event_id),
        "ce_source": f"/bestil-en-betjent/{source}",
        "ce_type": topic_for(event).ce_type,
        "ce_time": event.occurred_at.isoformat(),
        "ce_subject": event.subject(),
        "content-type": "application/json",
    }
    correlation_id = getattr(event, "correlation_id", None)
    if correlation_id is not None:  # internal events only: the public stream is not linkable
        headers["correlation_id"] = correlation_id
    return headers
