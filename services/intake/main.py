"""Intake's composition root: settings, database, broker and routes, built in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles

from services.intake import api, assets, projection, retention, web
from services.intake.context import IntakeContext
from services.intake.handlers import subscribers
from services.intake.http import request_validation_error
from services.intake.models import IntakeBase, messages
from services.intake.open311 import routes as open311
from services.intake.ratelimit import SlidingWindowLimiter
from services.intake.settings import IntakeSettings, PageSettings
from shared import migrations
from shared.clock import Clock, utcnow
from shared.db import Database
from shared.http import (
    MetricsServer,
    ObservedRequests,
    StrictTransportSecurity,
    api_docs,
    operations_router,
)
from shared.messaging.runtime import MessagingRuntime
from shared.tracing import instrument_app


def create_app(
    settings: IntakeSettings | None = None,
    clock: Clock = utcnow,
    pages: PageSettings | None = None,
) -> FastAPI:
    settings = settings or IntakeSettings()
    pages = pages or PageSettings()
    db = Database(settings.resolved_database_url("intake"), IntakeBase.metadata)
    runtime = MessagingRuntime(
        "intake",
        db,
        messages,
        settings.kafka,
        subscribers(clock),
        prefetch=retention.prefetch(projection.load_orders),
    )
    retention_job = retention.job(db, settings.retention, clock)
    metrics = MetricsServer(settings, runtime)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await migrations.prepare(db, "intake", upgrade_now=settings.migrate_on_start)
        await runtime.start()
        await metrics.start()
        async with retention_job.running():
            yield
        await metrics.stop()
        await runtime.stop()
        await db.dispose()

    app = FastAPI(
        title="Bestil en betjent — intake",
        description="Citizens' orders: the form and the JSON API.",
        version="1.0",
        lifespan=lifespan,
        **api_docs(settings),
    )
    app.state.ctx = IntakeContext(
        settings, db, runtime, clock, SlidingWindowLimiter(settings.rate_limit_per_minute)
    )
    app.state.db, app.state.runtime, app.state.retention = db, runtime, retention_job
    # Every request's correlation id, echoed and carried into its events (`http.correlation_id`).
    app.add_middleware(ObservedRequests, service="intake")
    if settings.environment != "dev":
        app.add_middleware(StrictTransportSecurity)
    app.add_exception_handler(RequestValidationError, request_validation_error)
    app.include_router(operations_router(db, runtime, settings))
    app.include_router(api.router)
    api.publish_openapi(app)
    app.include_router(open311.router)
    app.include_router(web.router)
    node_modules = assets.find_node_modules(pages.node_modules)
    app.state.pages = pages
    app.state.vendor_versions = assets.vendor_versions(node_modules)
    reference_data = pages.reference.reference_data_dir
    app.state.postal_codes = assets.load_postal_codes(reference_data)
    app.state.municipality_boundaries = assets.load_municipality_boundaries(reference_data)
    for name, directory in assets.vendor_dirs(node_modules).items():
        app.mount(f"/static/vendor/{name}", StaticFiles(directory=directory), name=f"vendor-{name}")
    # check_dir off: an install without the static folder serves bare pages rather than failing.
    app.mount("/static", StaticFiles(directory=assets.STATIC_DIR, check_dir=False), name="static")
    instrument_app(app, "intake", settings.tracing)
    return app
