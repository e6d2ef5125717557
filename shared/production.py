"""What a service refuses to run with outside `bestil dev`: secrets anyone can look up.

The built-in keys are in this public repository, so with them anyone can compute a citizen's
status link from a reference, or register "phone" orders. `bestil serve` checks a service's
settings before it binds a port and names each offending variable on a line of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_settings import BaseSettings
from sqlalchemy.engine import make_url

MINIMUM_SECRET_BYTES = 32


@dataclass(frozen=True)
class Secret:
    variable: str
    path: tuple[str, ...]  # attribute path in the service's settings


SECRETS = (
    Secret("BESTIL_STATUS_LINK_SECRET", ("links", "status_link_secret")),
    Secret("BESTIL_PHONE_CHANNEL_KEY", ("phone_channel_key",)),
)


def _at(settings: Any, path: tuple[str, ...]) -> tuple[BaseSettings, str] | None:
    owner = settings
    for name in path[:-1]:
        owner = getattr(owner, name, None)
    if owner is None or path[-1] not in type(owner).model_fields:
        return None
    return owner, path[-1]


def _secret_problem(secret: Secret, owner: BaseSettings, name: str) -> str | None:
    value = getattr(owner, name)
    if value == type(owner).model_fields[name].default:
        return f"{secret.variable} is the built-in development value: set a random value"
    if len(value.encode()) < MINIMUM_SECRET_BYTES:
        return (
            f"{secret.variable} is {len(value.encode())} bytes long: "
            f"it needs at least {MINIMUM_SECRET_BYTES} (e.g. `openssl rand -base64 48`)"
        )
    return None


def unsafe_settings(service: str, settings: Any) -> list[str]:
    """One line per setting that is only safe on a developer's machine (none in dev)."""
    if getattr(settings, "environment", "production") == "dev":
        return []
    problems = []
    for secret in SECRETS:
        found = _at(settings, secret.path)
        if found and (problem := _secret_problem(secret, *found)):
            problems.append(problem)
    links = getattr(settings, "links", None)
    for retired in links.verifying_secrets[1:] if links else []:
        if len(retired.encode()) < MINIMUM_SECRET_BYTES:
            problems.append(
                "BESTIL_PREVIOUS_STATUS_LINK_SECRETS holds a key shorter than "
                f"{MINIMUM_SECRET_BYTES} bytes"
            )
    password = make_url(settings.resolved_database_url(service)).password
    if password and str(password).endswith("-dev-only"):
        problems.append(
            f"BESTIL_{service.upper()}_DATABASE_URL uses a development password: set a random one"
        )
    return problems
