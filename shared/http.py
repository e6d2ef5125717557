"""What every service's HTTP side has: health, readiness, metrics, correlation ids, timings."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.db import Database
from shared.logs import log_context
from shared.messaging.runtime import MessagingRuntime
from shared.metrics import HTTP_REQUEST_SECONDS, OUTBOX_PENDING

#: A caller's X-Correlation-Id is kept when it is a plain token; anything else is replaced, so a
#: header cannot smuggle text (or personal data) into every log line.
_CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")


def correlation_id_from(given: str) -> str:
    return given if _CORRELATION_ID.fullmatch(given) else str(uuid.uuid4())


class ObservedRequests:
    """ASGI middleware: a correlation id per request (echoed), its log lines, its duration.

    Timed by route template (`/status/{reference}`), never by the raw path, which would
    put references into metric labels and grow them without bound.
    """

    def __init__(self, app: Any, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-correlation-id", b"").decode("latin-1")
        correlation = correlation_id_from(given)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-correlation-id", correlation.encode()),
                ]
            await send(message)

        with log_context(correlation=correlation):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                route = getattr(scope.get("route"), "path", None) or "unmatched"
                HTTP_REQUEST_SECONDS.labels(
                    self.service, scope["method"], route, str(status)
                ).observe(time.perf_counter() - started)


def operations_router(db: Database, runtime: MessagingRuntime) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": runtime.service}

    @router.get("/readyz")
    async def readyz(response: Response) -> dict[str, object]:
        database = await db.ping()
        broker = runtime.connected.is_set()
        if not (database and broker):
            response.status_code = 503
        return {"database": database, "broker": broker}

    @router.get("/metrics")
    async def metrics() -> Response:
        async with db.reading() as session:
            OUTBOX_PENDING.labels(runtime.service).set(
                await runtime.relay.store.pending_count(session)
            )
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
