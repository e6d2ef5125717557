"""Each service's schema comes from its migrations, on SQLite and on PostgreSQL.

Three promises: an empty database upgrades to head; a database that `create_all` made before
migrations existed (the baseline schema, with no version table: every deployment until now)
upgrades to head too, keeping its rows; and at head, the database is exactly what the models
describe — a model changed without a migration fails here (and so in CI).
"""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from bestil.services import SERVICES, database_for, settings_for
from shared import migrations
from shared.db import Database


async def _database(database_url, service: str) -> Database:
    settings = settings_for(service)
    settings.database_url = await database_url(service)
    return database_for(service, settings)


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


@pytest.mark.parametrize("service", SERVICES)
async def test_an_empty_database_upgrades_to_head_and_matches_the_models(database_url, service):
    db = await _database(database_url, service)
    try:
        assert await migrations.current(db, service) is None
        await migrations.upgrade(db, service)
        assert await migrations.current(db, service) == migrations.head(service)
        assert {t.name for t in db.metadata.sorted_tables} <= await _tables(db)
        assert await migrations.differences(db, service) == []
        await migrations.upgrade(db, service)  # again: nothing to do
        assert await migrations.current(db, service) == migrations.head(service)
    finally:
        await db.engine.dispose()


@pytest.mark.parametrize("service", SERVICES)
async def test_a_database_made_by_create_all_is_adopted_and_keeps_its_rows(database_url, service):
    db = await _database(database_url, service)
    try:
        # What create_all made before migrations: the baseline's tables, no version table.
        await migrations.upgrade(db, service, migrations.baseline(service))
        async with db.engine.begin() as connection:
            await connection.execute(text(f"DROP TABLE {migrations.version_table(service)}"))
        assert await migrations.current(db, service) is None
        async with db.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO processed_events (event_id, topic, processed_at) "
                    "VALUES ('kept-across-the-upgrade', 'orders.submitted.v1', CURRENT_TIMESTAMP)"
                )
            )
        await migrations.upgrade(db, service)
        assert await migrations.current(db, service) == migrations.head(service)
        assert await migrations.differences(db, service) == []
        async with db.engine.connect() as connection:
            kept = await connection.scalar(
                text(
                    "SELECT count(*) FROM processed_events WHERE event_id = 'kept-across-the-upgrade'"
                )
            )
        assert kept == 1
    finally:
        await db.engine.dispose()


def test_every_service_has_one_linear_history_and_its_own_version_table():
    tables = {migrations.version_table(service) for service in SERVICES}
    assert len(tables) == len(SERVICES)
    for service in SERVICES:
        assert migrations.baseline(service)
        assert migrations.head(service)


async def test_without_the_start_up_upgrade_a_service_refuses_a_database_behind_its_code(
    database_url,
):
    db = await _database(database_url, "routing")
    try:
        with pytest.raises(migrations.SchemaNotCurrentError, match="bestil migrate routing"):
            await migrations.prepare(db, "routing", upgrade_now=False)
        await migrations.prepare(db, "routing", upgrade_now=True)
        await migrations.prepare(db, "routing", upgrade_now=False)  # at head: starts
    finally:
        await db.engine.dispose()
