"""Apache Kafka itself fails: its process stopped or killed and started again on the same log,
and one broker of three killed and left down. Citizens order throughout."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from bestil.kafka import java_available
from tests.brokers import Kafka
from tests.e2e.conftest import running_system
from tests.faults.conftest import Citizens, at, check_exactly_once

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(
        not java_available() and os.environ.get("BESTIL_TEST_BROKER") != "kafka",
        reason="needs Java and Apache Kafka's jars (Tansu keeps no log)",
    ),
]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
async def test_a_broker_restart_under_load_loses_and_doubles_nothing(
    tmp_path: Path, sig: signal.Signals
) -> None:
    with running_system(tmp_path, kind="kafka") as system:
        kafka = system.broker
        assert isinstance(kafka, Kafka)
        citizens = Citizens(system.url("intake"), rate=10)

        async def restart() -> None:
            await at(4, lambda: kafka.stop_node(1, sig))
            await at(3, lambda: kafka.start_node(1))  # the same log directory

        await asyncio.gather(citizens.run_for(12), restart())
        await check_exactly_once(system, citizens, f"Kafka restarted after {sig.name}")


async def test_one_broker_of_three_killed_and_left_down_loses_nothing(tmp_path: Path) -> None:
    with running_system(tmp_path, kind="kafka", brokers=3) as system:
        kafka = system.broker
        assert isinstance(kafka, Kafka)
        citizens = Citizens(system.url("intake"), rate=10)
        # broker 1 leads about a third of the partitions and may be the group coordinator
        await asyncio.gather(citizens.run_for(12), at(4, lambda: kafka.kill_node(1)))
        for service in system.processes:
            assert system.processes[service].poll() is None, f"{service} died"
        await check_exactly_once(system, citizens, "one of three Kafka brokers killed")
