"""The OpenAPI documents are as strict as the server (issue 31, item 7): for each query parameter the second
adversarial pass found looser in the document, the document accepts exactly the values the server accepts."""
from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from emulator.core.paging import parse_page
from emulator.core.errors import EmulatorError
from emulator.ispring.domain.service import page_size

VALUES = ["0", "1", "20", "1000", "1001", "+5", " 7 ", "007", "-0", "-1", "65535", "65536", "1_2", "١٢", "", "x",
          "1e3", "2.0"]


def _params(app: Any, vendor: str) -> dict[str, dict[str, Any]]:
    document = app.test_client().get(f"/{vendor}/openapi.json").get_json()
    found: dict[str, dict[str, Any]] = {}
    for operations in document["paths"].values():
        for operation in operations.values():
            for param in operation.get("parameters", []):
                found.setdefault(param["name"], param["schema"])
    return found


def _document_accepts(schema: dict[str, Any], value: Any) -> bool:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).is_valid(value)


def _server_accepts(call: Any) -> bool:
    try:
        call()
    except EmulatorError:
        return False
    return True


@pytest.mark.parametrize("name", ["_limit", "_offset"])
def test_absorb_paging_parameters(app: Any, name: str):
    schema = _params(app, "absorb")[name]
    for value in VALUES:
        server = _server_accepts(lambda v=value: parse_page({name: v}, deprecated=False))
        if value == "":  # an empty value is no value to the server: the default (the document's own rule)
            continue
        assert _document_accepts(schema, value) == server, (name, value, server)


def test_ispring_page_size(app: Any):
    schema = _params(app, "ispring")["pageSize"]
    for value in VALUES:
        server = _server_accepts(lambda v=value: page_size(v))
        if not value.strip().lstrip("+-").isascii() or not value.strip().lstrip("+-").isdigit():
            assert not server, value  # not an integer at all: the document's type says so too
            continue
        assert _document_accepts(schema, int(value)) == server, (value, server)


@pytest.mark.parametrize("name, good", [("modifiedSince", "2024-01-02T03:04:05Z"),
                                         ("countryId", "0b0e7bde-65aa-4a0c-8a64-7d1c1d0a2b1e")])
def test_an_empty_value_is_accepted_by_both(app: Any, name: str, good: str):
    schema = _params(app, "absorb")[name]
    assert _document_accepts(schema, "") and _document_accepts(schema, good)
    assert not _document_accepts(schema, "yesterday")


def test_attempt_score_range_is_documented(app: Any):
    from emulator.core import contract

    for score, ok in ((0, True), (100, True), (100.5, False), (-1, False), (None, True)):
        body = {"status": 3, "score": score}
        try:
            contract.validate("absorb", "attempt-finish-request", body)
            valid = True
        except Exception:  # noqa: BLE001 - jsonschema's ValidationError
            valid = False
        assert valid == ok, score
