"""The committed OpenAPI documents are the apps' own, and say what the brief promises clients."""

from __future__ import annotations

import pytest

from shared.api_models import committed
from tests.contracts.documents import REGENERATE, SERVICES, openapi


@pytest.fixture(scope="module")
def documents() -> dict[str, dict]:
    return {service: openapi(service) for service in SERVICES}


@pytest.mark.parametrize("service", SERVICES)
def test_the_committed_document_is_what_the_app_serves(documents, service) -> None:
    assert committed(service) == documents[service], (
        f"docs/openapi/{service}.json is out of date; {REGENERATE}"
    )


def _refs(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


@pytest.mark.parametrize("service", SERVICES)
def test_every_reference_names_a_component(documents, service) -> None:
    document = documents[service]
    schemas = document["components"]["schemas"]
    refs = _refs(document)
    assert all(r.startswith("#/components/") for r in refs), refs
    assert {r.rsplit("/", 1)[1] for r in refs if "/schemas/" in r} <= set(schemas)


def test_a_new_order_documents_its_receipt_errors_and_idempotency_key(documents) -> None:
    operation = documents["intake"]["paths"]["/api/v1/orders"]["post"]
    receipt = operation["responses"]["201"]["content"]["application/json"]["schema"]
    assert receipt == {"$ref": "#/components/schemas/Receipt"}
    assert {"order_id", "reference", "status", "status_token", "status_url"} <= set(
        documents["intake"]["components"]["schemas"]["Receipt"]["required"]
    )
    for code in ("409", "413", "422", "429"):
        body = operation["responses"][code]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/ErrorBody"}, code
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert {"name": "Idempotency-Key", "in": "header"}.items() <= next(
        p for p in operation["parameters"] if p["name"] == "Idempotency-Key"
    ).items()
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/OrderRequest"}


def test_screening_asks_for_a_bearer_token_on_every_api_route(documents) -> None:
    document = documents["screening"]
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["security"] == [{"BearerToken": []}], (method, path)
            assert "401" in operation["responses"], (method, path)
