"""What the published OpenAPI documents of intake and screening share: the error bodies, and
the last touches FastAPI cannot add from the routes alone.

Routes that read their own body (to refuse an oversized one before parsing, or to answer in
the citizen's language) declare it with `json_body`; `complete_openapi` then puts that model
and the models it refers to under `components/schemas`, so every reference resolves. The
committed documents (`docs/openapi/`) are checked against the apps in tests/contracts/.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

OPENAPI_DIR = Path(__file__).resolve().parent.parent / "docs" / "openapi"
COMPONENTS = "#/components/schemas/{model}"
LICENSE = {"name": "MIT", "identifier": "MIT"}


class FieldError(BaseModel):
    """One field's error, in the caller's language; never repeats what was sent."""

    loc: list[str | int] = Field(
        description="Where the error is, as a path into the body", examples=[["location"]]
    )
    field: str = Field(
        description="The same path, dotted: the name of the form's input",
        examples=["location.postal_code"],
    )
    type: str = Field(
        description="What rule was broken (stable, for programs)", examples=["pattern"]
    )
    msg: str = Field(
        description="What is wrong, in the caller's language",
        examples=["Postnummeret skal være fire cifre."],
    )


class ErrorBody(BaseModel):
    """Every error answer of intake's API: a message for people, in the caller's language (da
    by default; `?lang=en`, a body's `language` or Accept-Language: en for English)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "message": "Bestillingen indeholder fejl. Ret felterne og prøv igen.",
                    "detail": [
                        {
                            "loc": ["location", "postal_code"],
                            "field": "location.postal_code",
                            "type": "string_pattern_mismatch",
                            "msg": "Postnummeret skal være fire cifre.",
                        }
                    ],
                }
            ]
        }
    )

    message: str = Field(
        description="What happened, in the caller's language",
        examples=["Bestillingen blev ikke fundet."],
    )
    detail: list[FieldError] | None = Field(
        default=None, description="The fields' errors: on 422 only, absent otherwise"
    )


def json_body(
    model: type[BaseModel], *, required: bool = True, example: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`openapi_extra` for a route that reads and validates its JSON body itself."""
    media: dict[str, Any] = {"schema": {"$ref": COMPONENTS.format(model=model.__name__)}}
    if example is not None:
        media["example"] = example
    return {"requestBody": {"required": required, "content": {"application/json": media}}}


def error_responses(
    descriptions: dict[int, str],
    model: type[BaseModel] = ErrorBody,
    headers: dict[int, dict[str, Any]] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """`responses=` for the error codes a route answers, each with `model` as its body and
    the response headers given for its code."""
    headers = headers or {}
    return {
        code: {
            "model": model,
            "description": text,
            **({"headers": headers[code]} if code in headers else {}),
        }
        for code, text in descriptions.items()
    }


def complete_openapi(
    app: FastAPI,
    *,
    models: Sequence[type[BaseModel]] = (),
    security_schemes: dict[str, Any] | None = None,
    servers: list[dict[str, str]] | None = None,
    finish: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Make `app.openapi()` the published document: FastAPI's, plus `models` (and every model
    they refer to) as named component schemas, the security schemes, the servers, and
    whatever `finish` changes in it last."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            _add_schemas(schemas, models)
            if security_schemes:
                document["components"]["securitySchemes"] = security_schemes
            if servers:
                document["servers"] = servers
            document["info"].setdefault("license", LICENSE)
            if finish is not None:
                finish(document)
            document["components"]["schemas"] = dict(sorted(schemas.items()))
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add_schemas(schemas: dict[str, Any], models: Iterable[type[BaseModel]]) -> None:
    wanted = [(model, "validation") for model in models]
    if not wanted:
        return
    _, top = models_json_schema(wanted, ref_template=COMPONENTS)  # type: ignore[arg-type]
    for name, schema in top.get("$defs", {}).items():
        known = schemas.get(name)
        if known is not None and known != schema:
            raise ValueError(f"two different schemas are both named {name!r}")
        schemas[name] = schema


def committed(service: str) -> dict[str, Any]:
    """A service's OpenAPI document as committed under docs/openapi/."""
    document: dict[str, Any] = json.loads((OPENAPI_DIR / f"{service}.json").read_text("utf-8"))
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
