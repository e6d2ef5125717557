"""What the commands that run in the foreground share: Ctrl-C (or SIGTERM) asks them to stop."""

from __future__ import annotations

import signal


class StopRequest:
    """Set by SIGINT or SIGTERM, so the command's own loop can stop its children in order."""

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGINT, self.request)
        signal.signal(signal.SIGTERM, self.request)

    def request(self, *_args: object) -> None:
        self.requested = True
