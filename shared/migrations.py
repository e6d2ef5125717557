"""Each service's schema under Alembic: one history per service, its own version table.

`create_all` only ever creates missing tables, so a new column never reached a running
deployment. Now a service upgrades its database to the head of its history at start-up (a
setting turns that off, for a one-off `bestil migrate` job in production), and CI fails when
a model changes without a migration (`differences`).

A database made by `create_all` before migrations existed holds exactly the baseline schema:
it is stamped with the baseline revision and upgraded from there.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection

from shared.db import Database

log = logging.getLogger(__name__)

ENVIRONMENT = Path(__file__).parent / "alembic"
SERVICES_DIR = Path(__file__).resolve().parents[1] / "services"


def version_table(service: str) -> str:
    return f"alembic_version_{service}"


def history_dir(service: str) -> Path:
    return SERVICES_DIR / service / "migrations"


def _config(service: str, metadata: MetaData, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ENVIRONMENT))
    config.set_main_option("version_locations", str(history_dir(service)))
    config.set_main_option("path_separator", "os")
    config.attributes.update(service=service, metadata=metadata, connection=connection)
    return config


def _context_options(service: str, metadata: MetaData, connection: Connection) -> dict[str, Any]:
    return {
        "target_metadata": metadata,
        "version_table": version_table(service),
        # SQLite cannot ALTER most things: Alembic's batch mode copies the table instead.
        "render_as_batch": connection.dialect.name == "sqlite",
        "compare_type": True,
        "include_object": _own_tables(service),
    }


def _own_tables(service: str) -> Any:
    """Autogenerate never touches another service's version table (or anything not ours)."""

    def include(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
        return not (kind == "table" and reflected and compare_to is None)

    return include


def configure_context(context: Any) -> None:
    """Called by shared/alembic/env.py: run the migrations on the caller's connection."""
    config = context.config
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        **_context_options(config.attributes["service"], config.attributes["metadata"], connection),
    )
    with context.begin_transaction():
        context.run_migrations()


def baseline(service: str) -> str:
    """The first revision of a service's history: the schema `create_all` used to make."""
    script = ScriptDirectory.from_config(_config(service, MetaData()))
    (base,) = script.get_bases()
    return base


def head(service: str) -> str:
    script = ScriptDirectory.from_config(_config(service, MetaData()))
    found = script.get_current_head()
    assert found is not None, f"{service} has no migrations"
    return found


def _upgrade(connection: Connection, service: str, metadata: MetaData, revision: str) -> None:
    config = _config(service, metadata, connection)
    tables = set(inspect(connection).get_table_names())
    ours = {table.name for table in metadata.sorted_tables}
    if version_table(service) not in tables and tables & ours:
        command.stamp(config, baseline(service))  # made by create_all before migrations
        log.info("%s: adopted a database made before migrations (baseline)", service)
    before = _current(connection, service)
    command.upgrade(config, revision)
    after = _current(connection, service)
    if after != before:
        log.info("%s: database upgraded from %s to %s", service, before or "empty", after)


def _current(connection: Connection, service: str) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": version_table(service)})
    return context.get_current_revision()


def _differences(connection: Connection, service: str, metadata: MetaData) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts=_context_options(service, metadata, connection)
    )
    return list(compare_metadata(context, metadata))


async def upgrade(db: Database, service: str, revision: str = "head") -> None:
    """Bring the service's database to the head of its history (idempotent)."""
    db.ensure_directory()
    async with db.engine.begin() as connection:
        await connection.run_sync(_upgrade, service, db.metadata, revision)


class SchemaNotCurrentError(RuntimeError):
    """The database is behind (or ahead of) this code's migrations."""


async def prepare(db: Database, service: str, *, upgrade_now: bool) -> None:
    """At start-up: upgrade, or (when a job does that) refuse a database not at head."""
    if upgrade_now:
        await upgrade(db, service)
        return
    found, wanted = await current(db, service), head(service)
    if found != wanted:
        raise SchemaNotCurrentError(
            f"{service}: database at migration {found or 'none'}, this version needs {wanted}: "
            f"run `bestil migrate {service}` (BESTIL_MIGRATE_ON_START is false)"
        )


async def current(db: Database, service: str) -> str | None:
    async with db.engine.connect() as connection:
        return await connection.run_sync(_current, service)


async def differences(db: Database, service: str) -> list[Any]:
    """What the models have that the database (upgraded to head) lacks, or the reverse."""
    async with db.engine.connect() as connection:
        return await connection.run_sync(_differences, service, db.metadata)


def _revision(connection: Connection, service: str, metadata: MetaData, message: str) -> None:
    config = _config(service, metadata, connection)
    command.revision(config, message=message, autogenerate=True)


async def new_revision(db: Database, service: str, message: str) -> None:
    """Write a migration for what the models changed (run against a database at head)."""
    history_dir(service).mkdir(parents=True, exist_ok=True)
    db.ensure_directory()
    if any(history_dir(service).glob("*.py")):
        await upgrade(db, service)
    async with db.engine.begin() as connection:
        await connection.run_sync(_revision, service, db.metadata, message)
