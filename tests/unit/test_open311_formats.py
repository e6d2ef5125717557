"""Open311's JSON and XML have the shape of the GeoReport v2 spec's own examples.

The example documents below are copied from the spec (wiki.open311.org/GeoReport_v2, as
published in open311/open311.github.io, GeoReport/v2/index.md). Its JSON examples write
numbers with leading zeros (`"service_code":001`), which JSON does not allow: `_spec_json`
reads them as the numbers they mean. Compared are the element and key names, not the values.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

import pytest

from services.intake.models import Order
from services.intake.open311 import formats
from services.intake.open311.reading import public_request
from services.intake.open311.services_list import definition, service_list
from shared.vocabulary import Category

SPEC_SERVICES_XML = """<?xml version="1.0" encoding="utf-8"?>
<services>
    <service>
        <service_code>001</service_code>
        <service_name>Cans left out 24x7</service_name>
        <description>Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.</description>
        <metadata>true</metadata>
        <type>realtime</type>
        <keywords>lorem, ipsum, dolor</keywords>
        <group>sanitation</group>
    </service>
    <service>
        <service_code>002</service_code>
        <metadata>true</metadata>
        <type>realtime</type>
        <keywords>lorem, ipsum, dolor</keywords>
        <group>street</group>
        <service_name>Construction plate shifted</service_name>
        <description>Metal construction plate covering the street or sidewalk has been moved.</description>
    </service>
</services>"""

SPEC_SERVICES_JSON = """[
  {
    "service_code":001,
    "service_name":"Cans left out 24x7",
    "description":"Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.",
    "metadata":true,
    "type":"realtime",
    "keywords":"lorem, ipsum, dolor",
    "group":"sanitation"
  }
]"""

SPEC_DEFINITION_XML = """<?xml version="1.0" encoding="utf-8"?>
<service_definition>
    <service_code>DMV66</service_code>
    <attributes>
        <attribute>
            <variable>true</variable>
            <code>WHISHETN</code>
            <datatype>singlevaluelist</datatype>
            <required>true</required>
            <datatype_description></datatype_description>
            <order>1</order>
            <description>What is the ticket/tag/DL number?</description>
            <values>
                <value>
                    <key>123</key>
                    <name>Ford</name>
                </value>
                <value>
                    <key>124</key>
                    <name>Chrysler</name>
                </value>
            </values>
        </attribute>
    </attributes>
</service_definition>"""

SPEC_DEFINITION_JSON = """{
  "service_code":"DMV66",
  "attributes":[
    {
      "variable":true,
      "code":"WHISHETN",
      "datatype":"singlevaluelist",
      "required":true,
      "datatype_description":null,
      "order":1,
      "description":"What is the ticket/tag/DL number?",
      "values":[
        {
          "key":123,
          "name":"Ford"
        },
        {
          "key":124,
          "name":"Chrysler"
        }
      ]
    }
  ]
}"""

SPEC_CREATED_XML = """<?xml version="1.0" encoding="utf-8"?>
<service_requests>
    <request>
        <service_request_id>293944</service_request_id>
        <service_notice>The City will inspect and require the responsible party to correct within 24 hours and/or issue a Correction Notice or Notice of Violation of the Public Works Code</service_notice>
        <account_id/>
    </request>
</service_requests>"""

SPEC_CREATED_JSON = """[
  {
    "service_request_id":293944,
    "service_notice":"The City will inspect and require the responsible party to correct within 24 hours and/or issue a Correction Notice or Notice of Violation of the Public Works Code",
    "account_id":null
  }
]"""

SPEC_REQUESTS_XML = """<?xml version="1.0" encoding="utf-8"?>
<service_requests>
    <request>
        <service_request_id>638344</service_request_id>
        <status>closed</status>
        <status_notes>Duplicate request.</status_notes>
        <service_name>Sidewalk and Curb Issues</service_name>
        <service_code>006</service_code>
        <description></description>
        <agency_responsible></agency_responsible>
        <service_notice></service_notice>
        <requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
        <updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
        <expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime>
        <address>8TH AVE and JUDAH ST</address>
        <address_id>545483</address_id>
        <zipcode>94122</zipcode>
        <lat>37.762221815</lat>
        <long>-122.4651145</long>
        <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg </media_url>
    </request>
</service_requests>"""

SPEC_REQUESTS_JSON = """[
  {
    "service_request_id":638344,
    "status":"closed",
    "status_notes":"Duplicate request.",
    "service_name":"Sidewalk and Curb Issues",
    "service_code":006,
    "description":null,
    "agency_responsible":null,
    "service_notice":null,
    "requested_datetime":"2010-04-14T06:37:38-08:00",
    "updated_datetime":"2010-04-14T06:37:38-08:00",
    "expected_datetime":"2010-04-15T06:37:38-08:00",
    "address":"8TH AVE and JUDAH ST",
    "address_id":545483,
    "zipcode":94122,
    "lat":37.762221815,
    "long":-122.4651145,
    "media_url":"http://city.gov.s3.amazonaws.com/requests/media/638344.jpg "
  }
]"""

SPEC_ERRORS_XML = """<?xml version="1.0" encoding="utf-8"?>
<errors>
    <error>
        <code>403</code>
        <description>Invalid api_key received -- can't proceed with create_request.</description>
    </error>
</errors>"""

SPEC_ERRORS_JSON = """[
  {
    "code":403,
    "description":"Invalid api_key received -- can't proceed with create_request."
  }
]"""


def _spec_json(text: str) -> Any:
    return json.loads(re.sub(r":0+(\d)", r":\1", text))


def _shape(element: ElementTree.Element) -> tuple[str, frozenset[Any]]:
    """An element's name and the shapes of its children, without values or order."""
    return element.tag, frozenset(_shape(child) for child in element)


def _keys(value: Any) -> Any:
    """A JSON value's keys, recursively: dicts by key, lists by their items' union."""
    if isinstance(value, dict):
        return {key: _keys(child) for key, child in value.items()}
    if isinstance(value, list):
        merged: dict[str, Any] = {}
        for item in value:
            merged.update(_keys(item) or {})
        return [merged]
    return None


def _order(status: str = "declined") -> Order:
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    return Order(
        id=str(uuid.uuid4()),
        reference="BEB-7K3M9QXZ",
        category="traffic_control",
        language="da",
        channel="api",
        status=status,
        submitted_at=now,
        decision_due=now,
        execution_due=now,
        district_code="1461",
        district_name="Østjyllands Politi",
        event={
            "requester": {"name": "Mette Hansen", "email": "mette@example.dk"},
            "location": {"municipality_code": "751", "lat": 56.15674, "lon": 10.21076},
            "description": "Bilerne drøner forbi hækken",
            "details": {"road": "Skolevej", "problem": "speeding"},
        },
        updated_at=now,
    )


def _problem_only(definition_: dict[str, Any]) -> dict[str, Any]:
    # The spec's example has one singlevaluelist attribute: compare with ours of that kind.
    [problem] = [a for a in definition_["attributes"] if a["code"] == "problem"]
    return {**definition_, "attributes": [problem]}


CASES = [
    pytest.param(
        SPEC_SERVICES_XML,
        SPEC_SERVICES_JSON,
        "services",
        lambda: service_list("en"),
        id="services",
    ),
    pytest.param(
        SPEC_DEFINITION_XML,
        SPEC_DEFINITION_JSON,
        "service_definition",
        lambda: _problem_only(definition(Category.TRAFFIC_CONTROL, "en")),
        id="service-definition",
    ),
    pytest.param(
        SPEC_CREATED_XML,
        SPEC_CREATED_JSON,
        "service_requests",
        lambda: [
            {"service_request_id": str(uuid.uuid4()), "service_notice": "…", "account_id": None}
        ],
        id="request-created",
    ),
    pytest.param(
        SPEC_REQUESTS_XML,
        SPEC_REQUESTS_JSON,
        "service_requests",
        lambda: [public_request(_order(), "en")],
        id="service-requests",
    ),
    pytest.param(
        SPEC_ERRORS_XML,
        SPEC_ERRORS_JSON,
        "errors",
        lambda: [formats.error(403, "Missing or invalid api_key.")],
        id="errors",
    ),
]


@pytest.mark.parametrize(("spec_xml", "spec_json", "root", "ours"), CASES)
def test_xml_has_the_shape_of_the_specs_example(spec_xml, spec_json, root, ours) -> None:
    written = formats.to_xml(root, ours())
    assert written.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n')
    assert _shape(ElementTree.fromstring(written)) == _shape(
        ElementTree.fromstring(spec_xml.encode())
    )


@pytest.mark.parametrize(("spec_xml", "spec_json", "root", "ours"), CASES)
def test_json_has_the_keys_of_the_specs_example(spec_xml, spec_json, root, ours) -> None:
    assert _keys(json.loads(formats.to_json(ours()))) == _keys(_spec_json(spec_json))


@pytest.mark.parametrize(("spec_xml", "spec_json", "root", "ours"), CASES)
def test_json_and_xml_say_the_same(spec_xml, spec_json, root, ours) -> None:
    # The Spark convention: the JSON is the XML without its root and item elements.
    content = ours()
    element = ElementTree.fromstring(formats.to_xml(root, content))
    items = [element] if isinstance(content, dict) else list(element)
    as_list = [content] if isinstance(content, dict) else content
    for item, xml_item in zip(as_list, items, strict=True):
        for key, value in item.items():
            if not isinstance(value, list):
                expected = "" if value is None else formats._text(value)
                assert (xml_item.findtext(key) or "") == expected, key


def test_a_request_shows_no_personal_data_and_the_place_only_rounded() -> None:
    closed = public_request(_order("declined"), "da")
    text = json.dumps(closed, ensure_ascii=False)
    for secret in ("Mette", "mette@", "Skolevej", "drøner", "BEB-7K3M9QXZ", "56.15674"):
        assert secret not in text
    assert (closed["lat"], closed["long"]) == (56.16, 10.21)
    assert closed["description"] == "Færdselskontrol: Bilister kører for stærkt"
    opened = public_request(_order("accepted"), "da")
    assert opened["status"] == "open" and opened["lat"] is None and opened["long"] is None


def test_text_is_escaped_in_xml() -> None:
    written = formats.to_xml("errors", [formats.error(400, "<b>&'\"")])
    assert ElementTree.fromstring(written).findtext("error/description") == "<b>&'\""
