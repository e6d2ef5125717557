"""The committed AsyncAPI catalogue is the generated one, and the official parser accepts it."""

from __future__ import annotations

import json
import subprocess

import pytest

from shared.catalogue import DOCUMENT, catalogue, committed
from shared.topics import ALL, is_public
from tests.contracts.conftest import ROOT, needs_npm
from tests.contracts.documents import REGENERATE


@pytest.fixture(scope="module")
def document() -> dict:
    return catalogue()


def test_the_committed_catalogue_is_what_the_code_generates(document) -> None:
    assert committed() == document, f"docs/asyncapi.json is out of date; {REGENERATE}"


def test_the_official_parser_finds_no_error() -> None:
    needs_npm("@asyncapi/parser")
    script = ROOT / "tests" / "contracts" / "validate_asyncapi.mjs"
    run = subprocess.run(
        ["node", str(script), str(DOCUMENT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    *_, summary = run.stdout.strip().splitlines()
    assert json.loads(summary)["errors"] == 0, run.stdout + run.stderr
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("topic", ALL, ids=[t.name for t in ALL])
def test_every_example_has_the_headers_and_key_its_schemas_promise(document, topic) -> None:
    message = document["components"]["messages"][f"{topic.name}:Message"]
    [example] = message["examples"]
    headers = message["headers"]
    assert set(headers["required"]) <= set(example["headers"]) <= set(headers["properties"])
    for name, value in example["headers"].items():
        assert value == headers["properties"][name].get("const", value), name
    key = "public_id" if is_public(topic.name) else "order_id"
    assert message["bindings"]["kafka"]["key"]["examples"] == [example["payload"][key]]
    assert example["headers"]["ce_id"] == example["payload"]["event_id"]
    topic.model.model_validate(example["payload"])


def test_only_the_public_stream_is_for_agencies(document) -> None:
    tags = {
        name: [t["name"] for t in message["tags"]]
        for name, message in document["components"]["messages"].items()
    }
    assert [n for n, t in tags.items() if t == ["agencies"]] == ["public.orders.v1:Message"]
    channels = {n: [t["name"] for t in c["tags"]] for n, c in document["channels"].items()}
    assert [n for n, t in channels.items() if t == ["agencies"]] == ["public.orders.v1"]
    public = document["components"]["messages"]["public.orders.v1:Message"]
    assert "correlation_id" not in public["headers"]["properties"]
    assert "correlationId" not in public


def test_dead_letters_document_why_they_were_parked(document) -> None:
    for name, message in document["components"]["messages"].items():
        if name.startswith("dlq."):
            assert {"x-original-topic", "x-error-type", "x-error-message", "x-attempts"} <= set(
                message["headers"]["required"]
            )
