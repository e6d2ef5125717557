"""Open311 GeoReport v2's two formats: XML (the spec's required one) and JSON, its Spark mapping.

One answer is built once, as plain Python values, and written in the format the URL's suffix
names: `.xml` as `<root><item>…</item></root>`, `.json` as the same content without the root
(an array for lists, an object for a service definition), as the spec's examples show.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from xml.etree import ElementTree

from fastapi.responses import Response

Format = Literal["json", "xml"]
FORMATS: tuple[Format, ...] = ("json", "xml")

MEDIA_TYPES: dict[Format, str] = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}

#: The element each list's items are written as in XML (the spec's ⇊ and ↴ pairs).
ITEM_ELEMENTS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}

XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(ElementTree.SubElement(element, key), child)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        item = ITEM_ELEMENTS[element.tag]
        for child in value:
            _fill(ElementTree.SubElement(element, item), child)
    else:
        element.text = _text(value)


def to_xml(root: str, content: Any) -> bytes:
    """The answer as the spec's XML: declaration, schemaless, no namespace."""
    element = ElementTree.Element(root)
    _fill(element, content)
    return XML_DECLARATION + ElementTree.tostring(element, encoding="utf-8", xml_declaration=False)


def to_json(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def answer(
    fmt: Format, root: str, content: Any, status_code: int = 200, *, cache: str | None = None
) -> Response:
    """`content` in the format the URL asked for, with the spec's content type."""
    body = to_xml(root, content) if fmt == "xml" else to_json(content)
    headers = {"Cache-Control": cache} if cache else None
    return Response(body, status_code=status_code, media_type=MEDIA_TYPES[fmt], headers=headers)


def error(code: int, description: str) -> dict[str, Any]:
    """One of the spec's errors; `code` is the HTTP status, as in the spec's example."""
    return {"code": code, "description": description}


def errors_answer(
    fmt: Format, status_code: int, descriptions: Sequence[str], **headers: str
) -> Response:
    """The spec's error answer: a list of {code, description}, 400, 403 or 404 (429 when
    rate limited), never repeating what was sent."""
    content = [error(status_code, description) for description in descriptions]
    response = answer(fmt, "errors", content, status_code)
    response.headers.update(headers)
    return response
