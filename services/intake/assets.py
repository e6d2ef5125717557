"""Where the pages' front-end packages and the reference data are found at run time.

`npm ci` installs the pinned packages of the repository's package.json (Det Fælles Designsystem,
Leaflet) into `node_modules/`; intake serves their built files from there, so nothing from npm
is committed and nothing is fetched from a CDN when a citizen opens the form.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from services.intake.domain import PostalArea, PostalCodes
from shared import districts
from shared.reference_data import MUNICIPALITIES_GEOJSON, POSTAL_CODES_CSV
from shared.reference_data.boundaries import PolygonIndex, read_polygons

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]

#: URL name under /static/vendor/ -> (npm package, folder of its built files)
VENDOR_PACKAGES: dict[str, tuple[str, str]] = {
    "dkfds": ("dkfds", "dist"),
    "leaflet": ("leaflet", "dist"),
}


def find_node_modules(configured: Path | None = None) -> Path | None:
    """The configured node_modules folder, else the one `npm ci` made in the repository."""
    candidate = configured or REPOSITORY_ROOT / "node_modules"
    return candidate if candidate.is_dir() else None


def vendor_dirs(node_modules: Path | None) -> dict[str, Path]:
    """Each installed package's built files, by the name they are served under."""
    found: dict[str, Path] = {}
    for name, (package, folder) in VENDOR_PACKAGES.items():
        directory = node_modules / package / folder if node_modules else None
        if directory and directory.is_dir():
            found[name] = directory
        else:
            log.warning("front-end package %s not found: run `npm ci` in the repository", package)
    return found


def vendor_versions(node_modules: Path | None) -> dict[str, str]:
    """The installed version of each package, put in asset URLs so a new version is refetched."""
    versions: dict[str, str] = {}
    for name, (package, _folder) in VENDOR_PACKAGES.items():
        manifest = node_modules / package / "package.json" if node_modules else None
        if manifest and manifest.is_file():
            versions[name] = str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
    return versions


def load_postal_codes(directory: Path | None) -> PostalCodes | None:
    """The postal-code table from the reference data directory, or None when there is none."""
    path = directory / POSTAL_CODES_CSV if directory else None
    if path is None or not path.is_file():
        return None
    areas: dict[str, PostalArea] = {}
    with path.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            code = row["postal_code"].strip().zfill(4)
            municipalities = tuple(
                c.strip().lstrip("0") for c in row["municipality_codes"].split(";") if c.strip()
            )
            areas[code] = PostalArea(code, row["name"].strip(), municipalities)
    log.info("loaded %d postal codes", len(areas))
    return PostalCodes(areas)


def load_municipality_boundaries(directory: Path | None) -> PolygonIndex | None:
    """The municipalities' outlines, to suggest the municipality a map pin falls in; None
    when the directory has none. A file that is there but unreadable stops the start."""
    path = directory / MUNICIPALITIES_GEOJSON if directory else None
    if path is None or not path.is_file():
        return None

    def code_of(properties: Mapping[str, Any]) -> str:
        code = str(properties.get("municipality_code", "")).strip().lstrip("0")
        if districts.municipality(code) is None:
            raise ValueError(f"{path}: unknown municipality code {code!r}")
        return code

    index = PolygonIndex(read_polygons(path, code_of, "municipality"))
    log.info("loaded %d municipality polygons", len(index))
    return index
