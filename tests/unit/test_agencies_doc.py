"""docs/agencies.md tells agencies what the code publishes: its field table is the contract's.

The table is rendered from `PublicOrderEvent`'s JSON schema (the descriptions in
shared/events.py); when the contract changes, paste what `python -m tests.unit.test_agencies_doc`
prints between the markers in the document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared.events import PublicOrderEvent
from shared.topics import PUBLIC_ORDERS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "agencies.md"
START = "<!-- fields: generated from PublicOrderEvent, see tests/unit/test_agencies_doc.py -->"
END = "<!-- /fields -->"


def _kind(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    options = prop.get("anyOf", [prop])
    parts = []
    for option in options:
        if "$ref" in option:
            found = defs[option["$ref"].rsplit("/", 1)[-1]]
            if "enum" in found:
                parts.append(" \\| ".join(f"`{v}`" for v in found["enum"]))
            else:
                parts.append("object {" + ", ".join(f"`{k}`" for k in found["properties"]) + "}")
        elif "enum" in option:
            parts.append(" \\| ".join(f"`{v}`" for v in option["enum"]))
        elif option.get("type") != "null":
            pattern = f"string `{option['pattern']}`" if "pattern" in option else None
            parts.append(option.get("format") or pattern or option["type"])
    nullable = any(option.get("type") == "null" for option in options)
    return " or ".join(parts) + (", or null" if nullable else "")


def field_table() -> str:
    schema = PublicOrderEvent.model_json_schema()
    defs = schema.get("$defs", {})
    rows = [
        f"| `{name}` | {_kind(prop, defs)} | {prop['description']} |"
        for name, prop in schema["properties"].items()
    ]
    return "\n".join(["| field | type | meaning |", "|---|---|---|", *rows])


def _documented_table() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def test_the_field_table_is_the_contracts_own() -> None:
    assert _documented_table() == field_table(), (
        "docs/agencies.md's field table is out of date: paste the output of "
        "`python -m tests.unit.test_agencies_doc` between its markers"
    )


def test_every_field_is_named_in_the_document() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in PublicOrderEvent.model_fields:
        assert f"`{name}`" in text, name


def test_the_document_names_the_topic_type_retention_and_the_pull_alternative() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert f"`{PUBLIC_ORDERS.name}`" in text
    assert f"`{PUBLIC_ORDERS.ce_type}`" in text
    assert f"{PUBLIC_ORDERS.retention_days // 365} years" in text
    assert "/open311/v2/" in text
    assert "SCRAM-SHA-512" in text and "SASL_SSL" in text


if __name__ == "__main__":
    print(field_table())
