"""`bestil dev`: a broker and the four services as processes on one machine; Ctrl-C stops all."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from bestil.broker import LocalBroker
from bestil.foreground import StopRequest
from bestil.kafka import KafkaCluster
from bestil.services import SERVICES, settings_for


def _wait_ready(url: str, timeout: float) -> bool:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def ensure_front_end() -> None:
    """The form's Det Fælles Designsystem files come from npm: install them once, if npm is here."""
    from services.intake.assets import REPOSITORY_ROOT

    if (REPOSITORY_ROOT / "node_modules" / "dkfds").is_dir() or not (
        REPOSITORY_ROOT / "package.json"
    ).is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        print(
            "npm not found: the form works, but unstyled (install Node.js and run `npm ci`)",
            flush=True,
        )
        return
    print("installing the form's front-end packages (npm ci) …", flush=True)
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=REPOSITORY_ROOT, check=False
    )
    if done.returncode != 0:
        print("npm ci failed: the form works, but unstyled", flush=True)


def _broker(kafka: str | None, env: dict[str, str], var: Path) -> LocalBroker | KafkaCluster | None:
    """The broker `bestil dev` runs itself (None: an Apache Kafka someone else runs)."""
    if kafka and kafka != "local":
        env.update(BESTIL_KAFKA_BOOTSTRAP=kafka, BESTIL_KAFKA_BROKER="kafka")
        print(f"using Apache Kafka at {kafka}", flush=True)
        return None
    host, _, port = settings_for("intake").kafka.bootstrap.partition(",")[0].rpartition(":")
    if kafka == "local":
        env["BESTIL_KAFKA_BROKER"] = "kafka"
        cluster = KafkaCluster(
            var / "kafka", 1, ports=[int(port)], controller_ports=[int(port) + 1], host=host
        )
        print(f"starting Apache Kafka on {cluster.bootstrap} (its log: {var / 'kafka'}) …")
        return cluster
    env["BESTIL_KAFKA_BROKER"] = "tansu"
    # The local broker answers a fetch only when its wait is over, and four idle services
    # polling it every 10 ms (its default, for the benchmarks' latency) kept one core busy
    # (measured: 99 % of a core at 10 ms, 29 % at 50 ms, 10 % at 200 ms). A person clicking
    # does not notice up to 100 ms more per hop; a laptop notices a core spinning.
    env.setdefault("BESTIL_KAFKA_FETCH_MAX_WAIT_MS", "100")
    broker = LocalBroker(host or "127.0.0.1", int(port), log_file=var / "broker.log")
    print(f"starting the local broker on {broker.bootstrap} …", flush=True)
    return broker


DEV_SECRETS = ("BESTIL_STATUS_LINK_SECRET", "BESTIL_PHONE_CHANNEL_KEY")


def dev_secrets(var: Path) -> dict[str, str]:
    """This machine's own keys, made once into var/secrets.env and kept (links stay valid).

    Even on a laptop the built-in keys would let anyone who knows a reference open its
    status page; a key of its own costs nothing.
    """
    path = var / "secrets.env"
    known: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            if name in DEV_SECRETS and value:
                known[name] = value
    missing = [name for name in DEV_SECRETS if name not in known]
    if missing:
        known.update({name: secrets.token_urlsafe(48) for name in missing})
        path.touch(mode=0o600, exist_ok=True)
        path.write_text("".join(f"{k}={v}\n" for k, v in known.items()), encoding="utf-8")
    return known


def run_dev(reference_data: str | None = None, *, kafka: str | None = None) -> int:
    ensure_front_end()
    env = dict(os.environ)
    if reference_data:
        env["BESTIL_REFERENCE_DATA_DIR"] = str(Path(reference_data).resolve())
    var = Path(env.get("BESTIL_VAR_DIR", "var"))
    var.mkdir(parents=True, exist_ok=True)
    env["BESTIL_ENV"] = "dev"
    env.setdefault("BESTIL_LOG_FORMAT", "text")  # read by a person, not a log shipper
    for name, value in dev_secrets(var).items():
        env.setdefault(name, value)
    broker = _broker(kafka, env, var)
    if broker is not None:
        broker.start()
    processes: dict[str, subprocess.Popen[bytes]] = {}
    stop = StopRequest()
    try:
        for name in SERVICES:
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", "bestil.cli", "serve", name], env=env
            )
        urls = {name: f"http://127.0.0.1:{settings_for(name).port}" for name in SERVICES}
        for name, url in urls.items():
            if _wait_ready(url + "/readyz", 60):
                print(f"{name} is ready on {url}", flush=True)
            else:
                print(f"{name} is not ready yet (see its log above)", flush=True)
        print(
            "\nBestil en betjent is running:\n"
            f"  the order form (citizens)   {urls['intake']}/\n"
            f"  the officers' queue         {urls['screening']}/\n"
            f"  the API documentation       {urls['intake']}/docs and {urls['screening']}/docs\n"
            f"  emails are written to       {(var / 'mail').resolve()}\n"
            "  add an officer:             echo 'a-long-password' | bestil officer add "
            "--email you@politi.dk --name 'Your Name' --district 1461\n"
            "Press Ctrl-C to stop everything.\n",
            flush=True,
        )
        while not stop.requested:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(
                        f"{name} stopped with code {process.returncode}; stopping all", flush=True
                    )
                    stop.requested = True
            time.sleep(0.3)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        if broker is not None:
            broker.stop()
        print("stopped.", flush=True)
    return 0
