"""Routing's composition root."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.routing import retention, service
from services.routing.handlers import subscribers
from services.routing.models import RoutingBase, messages
from services.routing.reference_data import ReferenceData, load_reference_data
from services.routing.settings import RoutingSettings
from shared import migrations
from shared.clock import Clock, utcnow
from shared.db import Database
from shared.http import MetricsServer, ObservedRequests, api_docs, operations_router
from shared.messaging.runtime import MessagingRuntime
from shared.tracing import instrument_app

log = logging.getLogger(__name__)


def load_boundaries(settings: RoutingSettings) -> ReferenceData | None:
    """The configured boundaries and postal codes; without them only municipalities route."""
    directory = settings.reference.reference_data_dir
    if directory is None:
        log.info("no reference data configured: routing by municipality only")
        return None
    return load_reference_data(directory)


def create_app(settings: RoutingSettings | None = None, clock: Clock = utcnow) -> FastAPI:
    """The service and its consumer; routing answers no requests besides the operations routes."""
    settings = settings or RoutingSettings()
    db = Database(settings.resolved_database_url("routing"), RoutingBase.metadata)
    runtime = MessagingRuntime(
        "routing",
        db,
        messages,
        settings.kafka,
        subscribers(load_boundaries(settings), clock),
        prefetch=retention.prefetch(service.load_routings),
    )
    retention_job = retention.job(db, settings.retention, clock)
    metrics = MetricsServer(settings, runtime)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await migrations.prepare(db, "routing", upgrade_now=settings.migrate_on_start)
        await runtime.start()
        await metrics.start()
        async with retention_job.running():
            yield
        await metrics.stop()
        await runtime.stop()
        await db.dispose()

    app = FastAPI(title="Bestil en betjent — routing", lifespan=lifespan, **api_docs(settings))
    app.state.db, app.state.runtime, app.state.metrics = db, runtime, metrics
    app.state.retention = retention_job
    app.include_router(operations_router(db, runtime, settings))
    app.add_middleware(ObservedRequests, service="routing")
    instrument_app(app, "routing", settings.tracing)
    return app
