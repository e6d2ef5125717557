"""The reference data shipped with the package, and the point-in-polygon index that reads it.

A snapshot of `../shared/data` (see README.md here for its sources and the attribution it
carries): the police districts' and municipalities' boundaries and the postal codes. Services
read it unless `BESTIL_REFERENCE_DATA_DIR` names another directory with the same file names.
"""

from __future__ import annotations

from pathlib import Path

SHIPPED_DIR = Path(__file__).resolve().parent
DISTRICTS_GEOJSON = "police_districts.geojson"
MUNICIPALITIES_GEOJSON = "municipalities.geojson"
POSTAL_CODES_CSV = "postal_codes.csv"
#: The attribution the agency's free data asks for, wherever the data is shown or passed on.
ATTRIBUTION = "Indeholder data fra Styrelsen for Dataforsyning og Infrastruktur, DAGI"
