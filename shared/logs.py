"""Logging set-up: one line per noteworthy fact, never personal data, no per-message chatter."""

from __future__ import annotations

import logging
import sys


def configure_logging(service: str, level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format=f"%(asctime)s %(levelname)s {service} %(name)s: %(message)s",
        force=True,
    )
    # FastStream's per-message INFO lines cost throughput and may echo payloads.
    logging.getLogger("faststream").setLevel(logging.WARNING)
    # aiokafka logs every reconnect attempt while the broker is away (thousands of lines);
    # the runtime and relay say it once. Group changes are worth seeing.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    logging.getLogger("aiokafka.consumer.group_coordinator").setLevel(logging.INFO)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
