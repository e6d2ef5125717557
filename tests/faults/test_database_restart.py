"""PostgreSQL restarted under load: the services reconnect, nothing is lost or doubled.

Runs where the tests use PostgreSQL (`BESTIL_TEST_DATABASE=postgresql`, as CI's second round)
and this user can restart its server (`pg_ctlcluster`, as root on Debian); every service's
database is on that one server, so all four lose their connections at once.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import use_postgres
from tests.e2e.conftest import running_system
from tests.faults.conftest import Citizens, at, check_exactly_once

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not use_postgres(), reason="SQLite has no server to restart"),
    pytest.mark.skipif(
        shutil.which("pg_ctlcluster") is None or os.geteuid() != 0,
        reason="needs pg_ctlcluster as root to restart the server",
    ),
]


def restart_postgres() -> None:
    """What an operator's `systemctl restart postgresql` does, and wait until it answers."""
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[
        -1
    ]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True,
    )
    subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432", "-t", "60"], check=True)


async def test_a_database_restart_under_load_loses_and_doubles_nothing(tmp_path: Path) -> None:
    with running_system(tmp_path) as system:
        citizens = Citizens(system.url("intake"), rate=20)
        await asyncio.gather(citizens.run_for(12), at(4, restart_postgres))
        for service, process in system.processes.items():
            assert process.poll() is None, f"{service} died"
        # an email the SMTP server took just before the server went away cannot be marked sent:
        # it goes out once more, the same email (architecture.md), as after a crash
        await check_exactly_once(system, citizens, "PostgreSQL restarted", repeats_allowed=1)
        assert citizens.retries > 0  # intake could not commit while the server was away
