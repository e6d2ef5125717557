"""Browser tests: the intake service as a real uvicorn server, driven by headless Chromium.

Debian's chromium (/usr/bin/chromium) is launched by Playwright; no browser is downloaded.
The server has its own SQLite file and a broker address nobody listens on, so what it
publishes waits in its outbox, where the tests read it. Without chromium, Playwright or
`node_modules` (npm ci) the tests are skipped with the reason.
"""

from __future__ import annotations

import json
import struct
import threading
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from services.intake import projection
from services.intake.models import IntakeBase, messages
from shared import events
from shared.db import Database
from shared.reference_data import SHIPPED_DIR
from shared.references import status_token
from shared.settings import CitizenLinkSettings, KafkaSettings, ReferenceDataSettings
from tests.support import free_port, staged_events

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
NODE_MODULES = ROOT / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SECRET = "browser-test-secret"


def _missing() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    for package in ("dkfds", "leaflet", "axe-core"):
        if not (NODE_MODULES / package).is_dir():
            return f"node_modules/{package} is missing (run `npm ci` in the repository)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing()
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=f"browser test skipped: {reason}"))


@dataclass
class IntakeServer:
    """The running intake service: its address, and its database seen from the test."""

    url: str
    database_url: str
    app: Any

    def status_path(self, reference: str, lang: str | None = None) -> str:
        path = f"/status/{reference}?token={status_token(reference, SECRET)}"
        return f"{path}&lang={lang}" if lang else path

    async def apply(self, *progress: events.Event) -> None:
        """Deliver other services' events the way intake's consumer applies them."""
        db = Database(self.database_url, IntakeBase.metadata)
        try:
            for event in progress:
                async with db.transaction() as session:
                    await projection.apply_event(session, event)
        finally:
            await db.dispose()

    async def staged(self, model: type[events.Event]) -> list[events.Event]:
        """The events intake put in its outbox (nothing relays them: no broker listens)."""
        db = Database(self.database_url, IntakeBase.metadata)
        try:
            return await staged_events(db, messages, model)
        finally:
            await db.dispose()


def _tile_png(size: int = 256) -> bytes:
    """A light map tile with a grid, so a screenshot shows that tiles were drawn."""
    rows = []
    for y in range(size):
        line = bytes(150 if y % 64 == 0 or x % 64 == 0 else 232 for x in range(size))
        rows.append(b"\x00" + line)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


class _Tiles(BaseHTTPRequestHandler):
    tile = _tile_png()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.tile)))
        self.end_headers()
        self.wfile.write(self.tile)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def tile_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Map tiles for the form: from a local tile server (indirect param "served"), or from
    an address where nothing answers, so that the form must work without them."""
    if getattr(request, "param", None) != "served":
        yield f"http://127.0.0.1:{free_port()}/tiles/{{z}}/{{x}}/{{y}}.png"
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    thread = threading.Thread(target=server.serve_forever, name="tiles", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def reference_data(request: pytest.FixtureRequest) -> Path | None:
    """The reference data the server reads: none, or (indirect param "shipped") the copy
    shipped with the package, for postal-code checks and the map pin's municipality."""
    return SHIPPED_DIR if getattr(request, "param", None) == "shipped" else None


@pytest.fixture
def intake_server(
    tmp_path: Path, tile_url: str, reference_data: Path | None
) -> Iterator[IntakeServer]:
    import uvicorn

    from services.intake.main import create_app
    from services.intake.settings import IntakeSettings, PageSettings

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    settings = IntakeSettings(
        database_url=database_url,
        var_dir=tmp_path / "var",
        rate_limit_per_minute=1000,
        kafka=KafkaSettings(bootstrap=f"127.0.0.1:{free_port()}", create_topics=False),
        links=CitizenLinkSettings(public_url=url, status_link_secret=SECRET),
    )
    pages = PageSettings(
        map_tile_url=tile_url,
        node_modules=NODE_MODULES,
        reference=ReferenceDataSettings(reference_data_dir=reference_data),
    )
    app = create_app(settings, pages=pages)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="intake-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the intake server did not start")
        time.sleep(0.05)
    try:
        yield IntakeServer(url, database_url, app)
    finally:
        server.should_exit = True
        thread.join(15)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Any, intake_server: IntakeServer) -> AsyncIterator[Any]:
    context = await browser.new_context(
        base_url=intake_server.url, viewport=VIEWPORTS["desktop"], locale="da-DK"
    )
    # axe-core is put in every page before the page's own scripts, by the browser itself,
    # so the pages' Content-Security-Policy stays on while they are checked.
    await context.add_init_script(path=str(AXE))
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.js_errors = errors
    yield page
    await context.close()
    assert errors == [], f"the page reported script or Content-Security-Policy errors: {errors}"


async def axe_violations(page: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """axe-core's raw result for the page as it is now, and its WCAG 2.1 A/AA violations."""
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]
    return result, violations


async def check_accessibility(page: Any, what: str) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    _, violations = await axe_violations(page)
    assert not violations, f"axe found WCAG violations on {what}:\n" + json.dumps(
        violations, indent=2, ensure_ascii=False
    )


async def screenshots(page: Any, name: str) -> None:
    """The page at phone and desktop width, under test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width, viewport in VIEWPORTS.items():
        await page.set_viewport_size(viewport)
        await page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    await page.set_viewport_size(VIEWPORTS["desktop"])
