"""Each service SIGKILLed under steady submissions and started again: nothing lost or doubled.

The kill lands while the service is busy (20 orders a second keep every consumer mid-batch
most of the time); intake's death is also the client's: its requests fail and are retried
with the same Idempotency-Key.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.e2e.conftest import running_system
from tests.faults.conftest import Citizens, at, check_exactly_once, file_receipts

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("service", ["intake", "routing", "screening", "notifications"])
async def test_a_service_killed_mid_batch_and_restarted_loses_and_doubles_nothing(
    tmp_path: Path, service: str
) -> None:
    with running_system(tmp_path) as system:
        citizens = Citizens(system.url("intake"), rate=20)

        async def crash() -> None:
            await at(4, lambda: system.kill(service))
            await at(2, lambda: system.restart(service))

        await asyncio.gather(citizens.run_for(12), crash())
        await check_exactly_once(
            system,
            citizens,
            f"{service} SIGKILLed and restarted",
            # over SMTP the email in flight at the kill may go out again (same Message-ID)
            repeats_allowed=1 if service == "notifications" else 0,
        )
        if service == "intake":
            assert citizens.retries > 0  # the kill was felt by the client


async def test_emails_written_as_files_are_written_once_across_a_kill(tmp_path: Path) -> None:
    with running_system(tmp_path, env={"BESTIL_NOTIFICATIONS_SMTP_HOST": ""}) as system:
        citizens = Citizens(system.url("intake"), rate=20)

        async def crash() -> None:
            await at(4, lambda: system.kill("notifications"))
            await at(2, lambda: system.restart("notifications"))

        await asyncio.gather(citizens.run_for(12), crash())
        await check_exactly_once(
            system,
            citizens,
            "notifications SIGKILLed, mail as files",
            receipts_of=file_receipts(system),
        )
