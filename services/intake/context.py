"""What intake's routes need at hand, built once by `create_app`."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from services.intake.ratelimit import SlidingWindowLimiter
from services.intake.settings import IntakeSettings
from shared.clock import Clock
from shared.db import Database
from shared.messaging.runtime import MessagingRuntime


@dataclass
class IntakeContext:
    settings: IntakeSettings
    db: Database
    runtime: MessagingRuntime
    clock: Clock
    limiter: SlidingWindowLimiter

    def client_key(self, request: Request) -> str:
        """Who the rate limit counts: the socket's peer, or behind `proxy_hops` trusted
        proxies the address the outermost one appended to X-Forwarded-For. The addresses
        left of it are whatever the client chose to send, so they are never used."""
        peer = request.client.host if request.client else "unknown"
        hops = self.settings.proxy_hops
        if hops == 0:
            return peer
        forwarded = [
            address.strip()
            for header in request.headers.getlist("x-forwarded-for")
            for address in header.split(",")
            if address.strip()
        ]
        if not forwarded:
            return peer
        # Fewer addresses than proxies: the request passed fewer of them; the leftmost was
        # appended by the first proxy it did pass.
        return forwarded[-hops if len(forwarded) >= hops else 0][:100]


def ctx(request: Request) -> IntakeContext:
    return request.app.state.ctx
