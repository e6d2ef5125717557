"""Notifications' composition root: the consumer, the deadline watch, and the mailer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.notifications import retention, service
from services.notifications.deadline_watch import DeadlineWatch
from services.notifications.delivery import delivery_for
from services.notifications.handlers import subscribers
from services.notifications.models import NotificationsBase, messages
from services.notifications.service import Mailer
from services.notifications.settings import NotificationsSettings
from shared import migrations
from shared.clock import Clock, utcnow
from shared.db import Database
from shared.http import MetricsServer, ObservedRequests, api_docs, operations_router
from shared.messaging.runtime import MessagingRuntime
from shared.tracing import instrument_app

log = logging.getLogger(__name__)


async def run_mailer(mailer: Mailer, wake: asyncio.Event, poll_s: float) -> None:
    """Send what is due, then sleep until woken by a commit that owes mail, or the poll."""
    while True:
        try:
            if await mailer.send_due():
                continue
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database is away: try again at the next poll
            log.warning("mailer: %s", type(exc).__name__)
        wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), poll_s)


async def run_deadline_watch(watch: DeadlineWatch, wake: asyncio.Event, every_s: float) -> None:
    """Raise due alerts and owe the digests; wake the mailer when that owed emails."""
    while True:
        try:
            if await watch.check() or await watch.send_digests():
                wake.set()  # new emails are owed
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("deadline watch: %s", type(exc).__name__)
        await asyncio.sleep(every_s)


def create_app(settings: NotificationsSettings | None = None, clock: Clock = utcnow) -> FastAPI:
    """The service, its consumer, and the mailer and deadline watch it runs beside them."""
    settings = settings or NotificationsSettings()
    db = Database(settings.resolved_database_url("notifications"), NotificationsBase.metadata)
    runtime = MessagingRuntime(
        "notifications",
        db,
        messages,
        settings.kafka,
        subscribers(clock, settings.resolved_mail_dir()),
        prefetch=retention.prefetch(service.load_batch),
    )
    retention_job = retention.job(db, settings.retention, clock, settings.resolved_mail_dir())
    metrics = MetricsServer(settings, runtime)
    mailer = Mailer(db, settings, clock, delivery_for(settings))
    watch = DeadlineWatch(db, settings, clock)
    wake = asyncio.Event()
    runtime.after_commit(wake.set)  # an event that owes an email is sent at once, not at the poll

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await migrations.prepare(db, "notifications", upgrade_now=settings.migrate_on_start)
        await runtime.start()
        await metrics.start()
        tasks = [
            asyncio.create_task(run_mailer(mailer, wake, settings.send_poll_ms / 1000)),
            asyncio.create_task(run_deadline_watch(watch, wake, settings.deadline_check_s)),
        ]
        async with retention_job.running():
            yield
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await metrics.stop()
        await runtime.stop()
        await db.dispose()

    app = FastAPI(
        title="Bestil en betjent — notifications", lifespan=lifespan, **api_docs(settings)
    )
    app.state.mailer, app.state.deadlines = mailer, watch
    app.state.db, app.state.runtime, app.state.metrics = db, runtime, metrics
    app.state.retention = retention_job
    app.include_router(operations_router(db, runtime, settings))
    app.add_middleware(ObservedRequests, service="notifications")
    instrument_app(app, "notifications", settings.tracing)
    return app
