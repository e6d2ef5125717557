"""Screening's composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.screening import api, web
from services.screening.context import ScreeningContext
from services.screening.handlers import HANDLERS
from services.screening.models import ScreeningBase, messages
from services.screening.settings import ScreeningSettings
from shared.clock import Clock, utcnow
from shared.db import Database
from shared.http import operations_router
from shared.messaging.runtime import MessagingRuntime


def create_app(settings: ScreeningSettings | None = None, clock: Clock = utcnow) -> FastAPI:
    settings = settings or ScreeningSettings()
    db = Database(settings.resolved_database_url("screening"), ScreeningBase.metadata)
    runtime = MessagingRuntime("screening", db, messages, settings.kafka, HANDLERS)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await db.create_all()
        await runtime.start()
        yield
        await runtime.stop()
        await db.dispose()

    app = FastAPI(title="Bestil en betjent — screening", lifespan=lifespan)
    app.state.ctx = ScreeningContext(settings, db, runtime, clock)
    app.state.db, app.state.runtime = db, runtime
    app.include_router(operations_router(db, runtime))
    app.include_router(api.router)
    app.include_router(web.router)
    return app
