"""The published contracts as the code generates them, and how to write them under docs/.

Run `.venv/bin/python -m tests.contracts.documents` after changing an event, a route or a
model: it rewrites docs/asyncapi.json and docs/openapi/{intake,screening}.json.
"""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path
from typing import Any

from shared import api_models, catalogue

REGENERATE = "regenerate with `.venv/bin/python -m tests.contracts.documents`"
SERVICES = {"intake": "IntakeSettings", "screening": "ScreeningSettings"}


def openapi(service: str) -> dict[str, Any]:
    """A service's OpenAPI document, from an app that is built but never started."""
    settings_class = getattr(
        importlib.import_module(f"services.{service}.settings"), SERVICES[service]
    )
    main = importlib.import_module(f"services.{service}.main")
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_class(database_url=f"sqlite+aiosqlite:///{tmp}/{service}.db")
        document: dict[str, Any] = main.create_app(settings).openapi()
    return document


def write_all() -> list[Path]:
    written = [catalogue.DOCUMENT]
    catalogue.DOCUMENT.write_text(catalogue.render(catalogue.catalogue()), encoding="utf-8")
    api_models.OPENAPI_DIR.mkdir(parents=True, exist_ok=True)
    for service in SERVICES:
        path = api_models.OPENAPI_DIR / f"{service}.json"
        path.write_text(api_models.render(openapi(service)), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path)
