"""Redocly's linter (npm @redocly/cli, the recommended rules of redocly.yaml) finds no error in
the committed OpenAPI documents."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from shared.api_models import OPENAPI_DIR
from tests.contracts.conftest import ROOT, needs_npm
from tests.contracts.documents import SERVICES


@pytest.mark.parametrize("service", SERVICES)
def test_redocly_finds_no_error(service) -> None:
    needs_npm("@redocly/cli")
    run = subprocess.run(
        [
            str(ROOT / "node_modules" / ".bin" / "redocly"),
            "lint",
            str(OPENAPI_DIR / f"{service}.json"),
            "--config",
            str(ROOT / "redocly.yaml"),
            "--format",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
    )
    problems = json.loads(run.stdout[run.stdout.index("{") :])["problems"]
    errors = [p for p in problems if p["severity"] == "error"]
    assert errors == [], "\n".join(f"{p['ruleId']}: {p['message']}" for p in errors)
    assert run.returncode == 0, run.stderr
