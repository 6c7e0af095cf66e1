"""The request pipeline (``core.pipeline``): one hook each side, the order of the after steps, ``bind_tenant``,
and the journal's vendor rule living on the vendor."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Flask, Response, jsonify

from emulator.absorb import VENDOR as ABSORB
from emulator.app import create_app
from emulator.core.journal import make_entry, render
from emulator.core.pipeline import Page, Pipeline, _answer_body


def _entry(answer: bytes, secret_answer=None) -> dict:
    return render(make_entry(
        method="POST", path="/x/authenticate", query="", headers=[], body=b"", content_type="", status=200,
        response_body=answer, response_content_type="application/json", duration_ms=1.0,
        at=datetime(2024, 1, 1, tzinfo=timezone.utc), vendor="x", tenant_id=None, secret_answer=secret_answer))


def test_the_app_has_one_before_and_one_after_hook_and_they_are_the_pipeline():
    app = create_app({"seed": 1})
    before, after = app.before_request_funcs[None], app.after_request_funcs[None]
    assert len(before) == 1 and len(after) == 1
    assert isinstance(before[0].__self__, Pipeline) and before[0].__self__ is after[0].__self__


def test_steps_of_features_that_are_off_are_not_in_the_pipeline():
    off = create_app({"seed": 1, "cors_origins": ""}).before_request_funcs[None][0].__self__
    on = create_app({"seed": 1, "strict": True, "admin_token": "t" * 20}).before_request_funcs[None][0].__self__
    assert off.cors is None and off.strict is None and off.state_file is None and not off.admin_token
    assert on.cors is not None and on.strict is not None and on.admin_token


def test_a_bare_string_answer_is_masked_only_for_a_vendor_that_calls_it_a_secret():
    assert _entry(b'"tok-123"')["responseBody"] == '"tok-123"'  # core itself knows no vendor's rule
    assert _entry(b'"tok-123"', ABSORB.secret_answer)["responseBody"] == '"***"'
    assert _entry(b'{"a":1}', ABSORB.secret_answer)["responseBody"] == '{"a":1}'


def test_the_journal_records_the_answer_the_client_got_and_the_fault_bind_tenant_applied():
    """The after steps run CORS before the journal; the entry of a cross-origin call is recorded
    with the status the client got, and a fault rule bound by ``bind_tenant`` is named in it."""
    app = create_app({"seed": 1, "cors_origins": "*"})
    client = app.test_client()
    tenant = client.post("/_emulator/tenants", json={}).get_json()
    rule = client.post(f"/_emulator/tenants/{tenant['id']}/faults",
                       json={"vendor": "absorb", "path": "/absorb/users", "status": 503}).get_json()
    answer = client.get("/absorb/users", headers={"x-api-key": tenant["absorb"]["apiKey"], "x-api-version": "2",
                                                  "Authorization": "nonsense", "Origin": "http://app.test"})
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    entries = client.get(f"/_emulator/tenants/{tenant['id']}/journal").get_json()["entries"]
    assert [(e["path"], e["status"], e.get("fault")) for e in entries] == [("/absorb/users", 503, rule["id"])]


def test_the_journal_reads_an_answers_body_as_get_data_returns_it():
    """``_answer_body`` reads werkzeug's ``Response.response`` for a body of one ``bytes``: it must stay what
    ``get_data`` returns, for every kind of answer (a werkzeug change to that attribute fails here)."""
    with Flask(__name__).app_context():
        answers = [jsonify({"a": 1}), Response("text é"), Response([b"a", b"b"]), Response(b""),
                   Response(iter([b"x"]))]
    for answer in answers:
        assert _answer_body(answer) == answer.get_data()
    assert _answer_body(Page(b"[1]")) == b"[1]"
