"""The four services by name: how to build each one's settings and app."""

from __future__ import annotations

import importlib
from typing import Any

SERVICES = ("intake", "routing", "screening", "notifications")

_SETTINGS = {
    "intake": ("services.intake.settings", "IntakeSettings"),
    "routing": ("services.routing.settings", "RoutingSettings"),
    "screening": ("services.screening.settings", "ScreeningSettings"),
    "notifications": ("services.notifications.settings", "NotificationsSettings"),
}


def settings_for(name: str) -> Any:
    module, cls = _SETTINGS[name]
    return getattr(importlib.import_module(module), cls)()


_METADATA = {
    "intake": ("services.intake.models", "IntakeBase"),
    "routing": ("services.routing.models", "RoutingBase"),
    "screening": ("services.screening.models", "ScreeningBase"),
    "notifications": ("services.notifications.models", "NotificationsBase"),
}


def database_for(name: str, settings: Any) -> Any:
    """The service's own database with its tables' metadata (for migrations and the CLI)."""
    from shared.db import Database

    module, base = _METADATA[name]
    metadata = getattr(importlib.import_module(module), base).metadata
    return Database(settings.resolved_database_url(name), metadata)


def app_for(name: str, settings: Any) -> Any:
    return importlib.import_module(f"services.{name}.main").create_app(settings)
