"""The reference data shipped with the package: a faithful copy, loaded by default, replaceable."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from services.routing.main import load_boundaries
from services.routing.settings import RoutingSettings
from shared.reference_data import (
    ATTRIBUTION,
    DISTRICTS_GEOJSON,
    MUNICIPALITIES_GEOJSON,
    POSTAL_CODES_CSV,
    SHIPPED_DIR,
)
from shared.settings import ReferenceDataSettings

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "data"  # where the snapshot is built from (../shared/data)
FILES = (DISTRICTS_GEOJSON, MUNICIPALITIES_GEOJSON, POSTAL_CODES_CSV)


@pytest.fixture(autouse=True)
def _no_configured_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BESTIL_REFERENCE_DATA_DIR", raising=False)


@pytest.mark.parametrize("name", FILES)
def test_the_shipped_copy_is_the_source_data_unchanged(name: str) -> None:
    if not (SOURCE / name).is_file():
        pytest.skip(f"{SOURCE} is not next to the repository")
    assert (SHIPPED_DIR / name).read_bytes() == (SOURCE / name).read_bytes()


def test_the_shipped_copy_says_where_it_came_from_and_carries_the_attribution() -> None:
    readme = (SHIPPED_DIR / "README.md").read_text(encoding="utf-8")
    assert ATTRIBUTION == "Indeholder data fra Styrelsen for Dataforsyning og Infrastruktur, DAGI"
    assert ATTRIBUTION in readme
    assert "../shared/data" in readme and "PostNord" in readme
    for name in FILES:
        assert f"`{name}`" in readme


def test_the_package_data_globs_take_the_files_into_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["shared.reference_data"]
    for name in (*FILES, "README.md"):
        assert any(Path(name).match(glob) for glob in globs), name


def test_the_shipped_directory_is_the_default_and_a_configured_one_replaces_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert ReferenceDataSettings().reference_data_dir == SHIPPED_DIR
    monkeypatch.setenv("BESTIL_REFERENCE_DATA_DIR", str(tmp_path))
    assert ReferenceDataSettings().reference_data_dir == tmp_path


def test_routing_routes_by_coordinates_out_of_the_box() -> None:
    data = load_boundaries(RoutingSettings())
    assert data is not None and data.has_boundaries and data.has_postal_codes
    assert data.district_at(56.1567, 10.2108) == "1461"  # Aarhus
    assert data.district_for_postal_code("8000") == "1461"


def test_routing_with_a_configured_directory_uses_only_what_it_holds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BESTIL_REFERENCE_DATA_DIR", str(tmp_path))
    data = load_boundaries(RoutingSettings())
    assert data is not None and not data.has_boundaries and not data.has_postal_codes
