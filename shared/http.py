"""Health, readiness and metrics endpoints that every service exposes."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.db import Database
from shared.messaging.runtime import MessagingRuntime
from shared.metrics import OUTBOX_PENDING


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
