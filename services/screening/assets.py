"""The map's front-end packages (Leaflet, Leaflet.markercluster), served from `node_modules`.

`npm ci` installs the versions pinned in the repository's package-lock.json; screening serves
their built files under /static/vendor/, so no officer's browser fetches code from a CDN.
Without them every page still works: the map page shows its list, the order page its text.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

log = logging.getLogger(__name__)

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]

#: URL name under /static/vendor/ -> (npm package, folder of its built files)
VENDOR_PACKAGES: dict[str, tuple[str, str]] = {
    "leaflet": ("leaflet", "dist"),
    "markercluster": ("leaflet.markercluster", "dist"),
}


def find_node_modules(configured: Path | None = None) -> Path | None:
    """The configured node_modules folder, else the one `npm ci` made in the repository."""
    candidate = configured or REPOSITORY_ROOT / "node_modules"
    return candidate if candidate.is_dir() else None


def mount_vendor(app: FastAPI, configured: Path | None) -> dict[str, str]:
    """Serve each installed package under /static/vendor/<name>/; their versions, by name,
    go into the asset URLs (so a new version is fetched again) and `app.state`."""
    node_modules = find_node_modules(configured)
    versions: dict[str, str] = {}
    for name, (package, folder) in VENDOR_PACKAGES.items():
        directory = node_modules / package / folder if node_modules else None
        manifest = node_modules / package / "package.json" if node_modules else None
        if not (directory and directory.is_dir() and manifest and manifest.is_file()):
            log.warning("front-end package %s not found: run `npm ci` in the repository", package)
            continue
        versions[name] = str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
        app.mount(f"/static/vendor/{name}", StaticFiles(directory=directory), name=f"vendor-{name}")
    app.state.vendor_versions = versions
    return versions
