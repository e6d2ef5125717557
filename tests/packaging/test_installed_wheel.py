"""The package as the image installs it: a wheel, not editable, away from the repository.

An editable install finds templates, static files and `node_modules/` in the checkout; the
image has only what the wheel carries plus the front-end packages its npm stage copies in
(BESTIL_INTAKE_NODE_MODULES, see the Dockerfile). Here the wheel is built, installed into a
folder of its own and asked for the form and Det Fælles Designsystem's stylesheet.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"

PROBE = """
import json, sys
from fastapi.testclient import TestClient
import services.intake
from bestil.services import app_for, settings_for

with TestClient(app_for("intake", settings_for("intake"))) as client:
    form = client.get("/")
    css = client.get("/static/vendor/dkfds/css/dkfds.min.css")
print(json.dumps({
    "package": services.intake.__file__,
    "form": form.status_code,
    "links_css": "/static/vendor/dkfds/css/dkfds.min.css" in form.text,
    "css": css.status_code,
    "css_type": css.headers.get("content-type", ""),
    "css_bytes": len(css.content),
}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from the files the Dockerfile copies, so nothing else in the checkout leaks in."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("bestil", "services", "shared"):
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
    )
    (built,) = out.glob("bestil_en_betjent-*.whl")
    return built


def test_the_wheel_carries_templates_static_files_and_strings(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "services/intake/templates/base.html" in names
    assert "services/intake/static/intake.js" in names
    assert "services/intake/templates/strings/da.json" in names
    assert any(n.startswith("services/screening/templates/") for n in names)
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


@pytest.mark.skipif(not (NODE_MODULES / "dkfds").is_dir(), reason="npm ci has not run")
def test_installed_not_editable_the_form_is_served_with_its_stylesheet(
    wheel: Path, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BESTIL_")},
        "PYTHONPATH": str(target),
        "BESTIL_INTAKE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}",
        "BESTIL_KAFKA_BOOTSTRAP": "127.0.0.1:1",
        "BESTIL_INTAKE_NODE_MODULES": str(NODE_MODULES),
    }
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    assert seen["package"].startswith(str(target))  # the wheel's copy, not the checkout
    assert seen["form"] == 200 and seen["links_css"]
    assert seen["css"] == 200 and seen["css_type"].startswith("text/css")
    assert seen["css_bytes"] > 10_000
