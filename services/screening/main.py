"""Screening's composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.screening import api, assets, projection, retention, web
from services.screening.context import ScreeningContext
from services.screening.handlers import subscribers
from services.screening.models import ScreeningBase, messages
from services.screening.settings import ScreeningSettings
from services.screening.web.common import CsrfRefusedError, SignInRequiredError, render
from shared import migrations
from shared.clock import Clock, utcnow
from shared.db import Database
from shared.http import MetricsServer, ObservedRequests, api_docs, operations_router
from shared.messaging.runtime import MessagingRuntime
from shared.tracing import instrument_app

STATIC_DIR = Path(__file__).parent / "static"


def tile_origin(url: str) -> str:
    """The origin a tile URL template loads from ("{s}" subdomains as a wildcard), or ""."""
    parts = urlsplit(url)
    if not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def security_headers(tile_url: str = "") -> dict[str, str]:
    """The workspace loads nothing from elsewhere but the map's tiles (images, from their
    origin), talks to itself only, and runs no inline script."""
    images = " ".join(filter(None, ["'self'", "data:", tile_origin(tile_url)]))
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; script-src 'self'; style-src 'self'; img-src {images}; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
            "object-src 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }


SECURITY_HEADERS = security_headers()

# Outside dev the workspace is served over HTTPS only: browsers must never try plain http.
HSTS = "max-age=31536000; includeSubDomains"

ERRORS = {
    403: ("Ingen adgang", "Du har ikke adgang til denne side."),
    404: (
        "Ikke fundet",
        "Siden eller bestillingen findes ikke, eller den hører ikke til din kreds.",
    ),
    405: ("Ikke tilladt", "Handlingen er ikke tilladt her."),
}


def create_app(
    settings: ScreeningSettings | None = None,
    clock: Clock = utcnow,
    http: httpx.AsyncClient | None = None,
) -> FastAPI:
    settings = settings or ScreeningSettings()
    db = Database(settings.resolved_database_url("screening"), ScreeningBase.metadata)
    runtime = MessagingRuntime(
        "screening",
        db,
        messages,
        settings.kafka,
        subscribers(clock),
        prefetch=retention.prefetch(projection.load_batch),
    )
    retention_job = retention.job(db, settings.retention, clock)
    context = ScreeningContext(settings, db, runtime, clock, http=http)
    metrics = MetricsServer(settings, runtime)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await migrations.prepare(db, "screening", upgrade_now=settings.migrate_on_start)
        await projection.prepare_queue(db)
        await runtime.start()
        await metrics.start()
        async with retention_job.running():
            yield
        await metrics.stop()
        await runtime.stop()
        if context.http is not None and http is None:
            await context.http.aclose()
        await db.dispose()

    app = FastAPI(title="Bestil en betjent — screening", lifespan=lifespan, **api_docs(settings))
    app.state.ctx = context
    app.state.db, app.state.runtime, app.state.retention = db, runtime, retention_job
    app.include_router(operations_router(db, runtime, settings))
    app.include_router(api.router)
    api.publish_openapi(app)
    app.include_router(web.router)
    assets.mount_vendor(app, settings.node_modules)  # before /static, which would shadow it
    # check_dir=False: an install without the package data still serves every page (unstyled).
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    _add_security_headers(app, security_headers(settings.map_tile_url), hsts=settings.over_https)
    _add_error_pages(app)
    app.add_middleware(ObservedRequests, service="screening")  # outermost: sees every answer
    instrument_app(app, "screening", settings.tracing)
    return app


def _add_security_headers(app: FastAPI, headers: dict[str, str], *, hsts: bool) -> None:
    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if not request.url.path.startswith("/static/"):
            # Pages and API answers carry personal data: no shared or back-button caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _add_error_pages(app: FastAPI) -> None:
    """Pages, not JSON, for the workspace's errors; the API keeps FastAPI's answers."""

    @app.exception_handler(SignInRequiredError)
    async def sign_in_first(request: Request, exc: SignInRequiredError) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=302)

    @app.exception_handler(CsrfRefusedError)
    async def csrf_refused(request: Request, exc: CsrfRefusedError) -> Response:
        return render(
            request,
            "error.html",
            {
                "title": "Formularen er udløbet",
                "message": "Siden var for gammel, eller formularen kom ikke fra Bestil en "
                "betjent. Intet er ændret. Gå tilbage, genindlæs siden og prøv igen.",
            },
            status_code=403,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/") or exc.status_code not in ERRORS:
            return await http_exception_handler(request, exc)
        title, message = ERRORS[exc.status_code]
        return render(
            request, "error.html", {"title": title, "message": message}, status_code=exc.status_code
        )
