"""Log lines are JSON objects an operator's log store can index, with the order's ids."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from shared.logs import configure_logging, log_context


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    yield
    logging.basicConfig(level=logging.WARNING, force=True)


def test_a_line_is_one_json_object_with_the_service_and_the_ids(capsys) -> None:
    configure_logging("routing", "INFO")
    log = logging.getLogger("services.routing")
    with log_context(correlation="req-1", event="ev-9"):
        log.info("routed %s to %s", "BEB-7K2M9QXA", "1461")
    log.warning("outside any request")
    first, second = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert first["service"] == "routing" and first["level"] == "INFO"
    assert first["message"] == "routed BEB-7K2M9QXA to 1461"
    assert (first["correlation_id"], first["event_id"]) == ("req-1", "ev-9")
    assert first["time"].endswith("+00:00")
    assert "correlation_id" not in second and "event_id" not in second


def test_an_error_keeps_its_traceback_inside_the_one_line(capsys) -> None:
    configure_logging("intake", "INFO")
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("x").exception("failed")
    (line,) = capsys.readouterr().err.splitlines()
    assert "ValueError: boom" in json.loads(line)["error"]


def test_text_lines_for_a_person_at_a_terminal(capsys) -> None:
    configure_logging("intake", "INFO", "text")
    with log_context(correlation="req-2"):
        logging.getLogger("x").info("hello")
    line = capsys.readouterr().err.strip()
    assert " INFO intake x: hello [req-2]" in line
