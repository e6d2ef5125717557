"""What every service's HTTP side has: health, readiness, metrics, correlation ids, timings."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.db import Database
from shared.logs import log_context
from shared.messaging.runtime import MessagingRuntime
from shared.metrics import HTTP_REQUEST_SECONDS
from shared.settings import ServiceSettings

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


async def metrics_response(runtime: MessagingRuntime) -> Response:
    """Every metric of this process, with the scrape-time gauges refreshed first."""
    await runtime.refresh_gauges()
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def operations_router(
    db: Database, runtime: MessagingRuntime, settings: ServiceSettings | None = None
) -> APIRouter:
    """/healthz, /readyz and, where `settings.metrics_public` allows it, /metrics.

    The main port may be a public one (intake's is the citizens'): outside `bestil dev`
    /metrics answers 404 there unless BESTIL_METRICS_ON_MAIN_PORT turns it on, and is served
    on the service's metrics port instead (`MetricsServer`).
    """
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

    if settings is None or settings.metrics_public:

        @router.get("/metrics")
        async def metrics() -> Response:
            return await metrics_response(runtime)

    return router


class _QuietServer(uvicorn.Server):
    """A second uvicorn server in the process: the main one owns the signal handlers."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.listening.set()


class MetricsServer:
    """/metrics on `settings.metrics_port`, a port for Prometheus only; nothing when unset.

    Started and stopped in the service's lifespan, on the same event loop as the service, so
    a scrape refreshes its gauges from the service's own database and consumer.
    """

    def __init__(self, settings: ServiceSettings, runtime: MessagingRuntime) -> None:
        self.settings = settings
        self.runtime = runtime
        self._server: _QuietServer | None = None
        self._task: asyncio.Task[None] | None = None

    def app(self) -> FastAPI:
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

        @app.get("/metrics")
        async def metrics() -> Response:
            return await metrics_response(self.runtime)

        return app

    async def start(self) -> None:
        port = self.settings.metrics_port
        if port is None:
            return
        # Bound here, not by uvicorn: a port that is taken raises OSError in the lifespan
        # instead of uvicorn's sys.exit inside a task.
        host = self.settings.host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.create_server((host, port), family=family)
        config = uvicorn.Config(self.app(), lifespan="off", log_config=None, access_log=False)
        self._server = _QuietServer(config)
        self._task = asyncio.create_task(self._server.serve([sock]), name="metrics-server")
        listening = asyncio.create_task(self._server.listening.wait())
        await asyncio.wait((listening, self._task), return_when=asyncio.FIRST_COMPLETED)
        listening.cancel()
        if self._task.done():
            self._task.result()
            raise RuntimeError(f"metrics server did not start on port {port}")

    async def stop(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task
        self._server = self._task = None


def api_docs(settings: ServiceSettings) -> dict[str, Any]:
    """FastAPI's documentation routes: served under `bestil dev` or when BESTIL_API_DOCS is on."""
    if settings.docs_public:
        return {}
    return {"docs_url": None, "redoc_url": None, "openapi_url": None}


HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class StrictTransportSecurity:
    """ASGI middleware: every answer tells the browser to use HTTPS only, for a year.

    Browsers ignore the header on plain HTTP, so it costs nothing behind a TLS proxy and cannot
    lock anyone out of a plain-HTTP trial; it is left out under `bestil dev` all the same.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), HSTS]
            await send(message)

        await self.app(scope, receive, send_with_hsts)
