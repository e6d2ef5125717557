"""Waiting between tries at a broker or database that is away, and starting a client until it is up.

One doubling back-off (0.5 s up to 10 s) for everything in the messaging runtime: a service
that starts before its broker, a consumer restarted by the watchdog, the outbox relay. A
hand-written loop instead of tenacity: these loops run forever until cancelled, log each try
in the service's words and reset after a success, which is all they need.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

FIRST_WAIT = 0.5
LONGEST_WAIT = 10.0


class Backoff:
    """The wait before the next try: doubles after each failure, back to the first after a success."""

    def __init__(self, first: float = FIRST_WAIT, longest: float = LONGEST_WAIT) -> None:
        self.first = first
        self.longest = longest
        self.seconds = first

    def reset(self) -> None:
        self.seconds = self.first

    async def wait(self) -> None:
        await asyncio.sleep(self.seconds)
        self.seconds = min(self.seconds * 2, self.longest)


async def start_until_up(
    start: Callable[[], Awaitable[object]],
    undo: Callable[[], Awaitable[object]],
    failed: str,
    backoff: Backoff | None = None,
) -> None:
    """Call `start` until it returns; after each failure `undo` what it half did, then wait.

    `failed` is the warning's beginning ("routing: broker not reachable"); the exception's
    type follows it, never its text, which may quote a message's content.
    """
    backoff = backoff or Backoff()
    while True:
        try:
            await start()
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("%s (%s); retrying in %.1fs", failed, type(exc).__name__, backoff.seconds)
            with contextlib.suppress(Exception):
                await undo()
            await backoff.wait()
