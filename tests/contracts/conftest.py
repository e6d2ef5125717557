"""What the contract tests share: the repository's root and its npm tools."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.handlers.conftest import harness  # noqa: F401  (the services on a real database)

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"


def needs_npm(package: str) -> Path:
    """`node_modules/<package>` (from `npm ci`), or skip the test, saying how to get it."""
    path = NODE_MODULES / package
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not path.exists():
        pytest.skip(f"node_modules/{package} is missing (run `npm ci` in the repository)")
    return path
