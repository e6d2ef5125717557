"""Notifications' composition root: the consumer, the deadline watch, and the mailer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.notifications import service
from services.notifications.deadlines import DeadlineWatch
from services.notifications.handlers import make_handlers
from services.notifications.models import NotificationsBase, messages
from services.notifications.service import Mailer
from services.notifications.settings import NotificationsSettings
from shared.clock import Clock, utcnow
from shared.db import Database
from shared.http import operations_router
from shared.messaging.runtime import MessagingRuntime

log = logging.getLogger(__name__)


async def run_mailer(mailer: Mailer, wake: asyncio.Event, poll_s: float) -> None:
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
    settings = settings or NotificationsSettings()
    db = Database(settings.resolved_database_url("notifications"), NotificationsBase.metadata)
    runtime = MessagingRuntime(
        "notifications",
        db,
        messages,
        settings.kafka,
        make_handlers(clock),
        prefetch=service.load_batch,
    )
    mailer = Mailer(db, settings, clock)
    watch = DeadlineWatch(db, settings, clock)
    wake = asyncio.Event()
    if runtime.consumer is not None:
        previous = runtime.consumer.after_commit

        def after_commit() -> None:
            previous()
            wake.set()

        runtime.consumer.after_commit = after_commit

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await db.create_all()
        await runtime.start()
        tasks = [
            asyncio.create_task(run_mailer(mailer, wake, settings.send_poll_ms / 1000)),
            asyncio.create_task(run_deadline_watch(watch, wake, settings.deadline_check_s)),
        ]
        yield
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await runtime.stop()
        await db.dispose()

    app = FastAPI(title="Bestil en betjent — notifications", lifespan=lifespan)
    app.state.mailer, app.state.deadlines = mailer, watch
    app.state.db, app.state.runtime = db, runtime
    app.include_router(operations_router(db, runtime))
    return app
