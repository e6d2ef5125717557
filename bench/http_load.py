"""An open-loop HTTP/1.1 load generator on bare asyncio streams.

httpx was the bottleneck: at 400 requests/s on these two cores its connection pool fell behind,
queued its own requests and reported 30 s latencies for a server answering in 4 ms. This one
writes pre-built requests on keep-alive connections (opening another when all are busy), reads
the status line, headers and a Content-Length body, and costs a few tens of microseconds per
request, so the figures are the server's.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from bench.common import percentile


@dataclass
class LoadResult:
    rate: float
    sent: int
    achieved: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0  # connections refused, reset or timed out

    @property
    def errors(self) -> int:
        return self.failures + sum(n for code, n in self.statuses.items() if code >= 400)

    def line(self, name: str) -> str:
        ms = self.latencies_ms
        return (
            f"{name:<18} {self.rate:>6.0f}/s  achieved {self.achieved:>6.0f}/s  "
            f"p50 {percentile(ms, 50):>7.1f} ms  p95 {percentile(ms, 95):>7.1f} ms  "
            f"p99 {percentile(ms, 99):>8.1f} ms  errors {self.errors}"
            + (f" {self.breakdown()}" if self.errors else "")
        )

    def breakdown(self) -> str:
        parts = [f"HTTP {code}: {n}" for code, n in sorted(self.statuses.items()) if code >= 400]
        if self.failures:
            parts.append(f"connection failures: {self.failures}")
        return "(" + ", ".join(parts) + ")"


class StaleConnectionError(ConnectionError):
    """The server closed the connection before answering: the request was not processed."""


class RawHttpClient:
    """Keep-alive connections to one server; each request takes an idle one or opens one."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0

    @staticmethod
    def post_json(host: str, port: int, path: str, body: Any) -> bytes:
        data = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        return head.encode() + data

    async def send(self, request: bytes) -> int:
        while self.idle:
            # A kept-alive connection the server has since closed (uvicorn closes them after
            # 5 s idle) fails before any answer: as browsers and httpx do, try a fresh one.
            reader, writer = self.idle.pop()
            try:
                return await self._exchange(reader, writer, request)
            except StaleConnectionError:
                writer.close()
        reader, writer = await asyncio.open_connection(self.host, self.port)
        self.opened += 1
        try:
            return await self._exchange(reader, writer, request)
        except StaleConnectionError:
            writer.close()
            raise

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
    ) -> int:
        try:
            writer.write(request)
            status_line = await reader.readline()
        except ConnectionError as exc:
            raise StaleConnectionError from exc
        if not status_line:
            raise StaleConnectionError
        status = int(status_line.split()[1])
        length, chunked, keep = 0, False, True
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                keep = False
        if chunked:
            while True:
                size = int((await reader.readline()).strip(), 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        elif length:
            await reader.readexactly(length)
        if keep:
            self.idle.append((reader, writer))
        else:
            writer.close()
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


async def open_loop(
    host: str, port: int, requests: list[bytes], rate: float, seconds: float
) -> LoadResult:
    """Send len = rate × seconds requests on schedule, whether or not earlier ones were
    answered; latency counts from the scheduled moment, so that queueing shows."""
    client = RawHttpClient(host, port)
    n = int(rate * seconds)
    result = LoadResult(rate=rate, sent=n, achieved=0.0)
    start = time.perf_counter()

    async def one(i: int) -> None:
        scheduled = start + i / rate
        try:
            status = await asyncio.wait_for(client.send(requests[i % len(requests)]), 60)
            result.statuses[status] = result.statuses.get(status, 0) + 1
        except (OSError, ConnectionError, asyncio.IncompleteReadError, TimeoutError, ValueError):
            result.failures += 1
        result.latencies_ms.append((time.perf_counter() - scheduled) * 1000)

    tasks = []
    for i in range(n):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    result.achieved = n / (time.perf_counter() - start)
    client.close()
    return result
