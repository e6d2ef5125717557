"""Where tests find the shared reference data files, which never live in this repository."""

from __future__ import annotations

import os
from pathlib import Path


def reference_data_dir() -> Path | None:
    """The reference data directory ($BESTIL_REFERENCE_DATA_DIR or ../shared/data), or None."""
    configured = os.environ.get("BESTIL_REFERENCE_DATA_DIR")
    directory = (
        Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    return directory if directory.is_dir() else None
