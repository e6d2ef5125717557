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
        if self.settings.trust_forwarded_for and "x-forwarded-for" in request.headers:
            return request.headers["x-forwarded-for"].split(",")[0].strip()
        return request.client.host if request.client else "unknown"


def ctx(request: Request) -> IntakeContext:
    return request.app.state.ctx
