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


def app_for(name: str, settings: Any) -> Any:
    return importlib.import_module(f"services.{name}.main").create_app(settings)
