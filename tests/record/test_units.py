"""The parts of proxy and verify on their own: masking, targets, answer comparison, the counterpart table."""
from __future__ import annotations

import json
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.test import Client

from emulator import cli
from emulator.app import create_app
from emulator.record.contract_check import ContractCheck
from emulator.record.proxy import Proxy, Recorder

from emulator.core.forward import TargetError, Targets as Fallback, join
from emulator.record.har import Exchange, document, from_document
from emulator.record.masking import Masker
from emulator.record.proxy import Targets
from emulator.record.shapes import Correspondence, Echoes, compare_bodies


def exchange(**kw) -> Exchange:
    base = {"vendor": "absorb", "method": "POST", "url": "https://rest.myabsorb.com/authenticate",
            "path": "/authenticate"}
    return Exchange(**{**base, **kw})


def test_secrets_are_masked_everywhere_with_one_placeholder_per_value() -> None:
    key, token = "0b0a7f4e-2c7e-4d1e-9a51-3a0c3c5d6e7f", "eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJlMTIz"
    masker = Masker()
    first = masker.exchange(exchange(
        request_headers=[("x-api-key", key), ("Content-Type", "application/json")],
        request_body=json.dumps({"username": "jo", "password": "hunter2", "privateKey": key}),
        request_mime="application/json", status=200, response_body=json.dumps(token),
        response_mime="application/json"), secret_answer=lambda body: body.lstrip()[:1] == b'"')
    second = masker.exchange(exchange(
        method="GET", url=f"https://rest.myabsorb.com/users?token={token}&code=abc123", path="/users",
        query=[("token", token), ("code", "abc123"), ("_limit", "5")],
        request_headers=[("x-api-key", key), ("Authorization", f"Bearer {token}")], status=200,
        response_body=json.dumps({"client_secret": "s3cr3t", "nested": [{"refresh_token": "r"}], "tokenType": "b"}),
        response_mime="application/json"))
    text = json.dumps(document([first, second]))
    for secret in (key, token, "hunter2", "abc123", "s3cr3t"):
        assert secret not in text
    assert json.loads(first.request_body or "") == {"username": "jo", "password": "<masked:password-1>",
                                                    "privateKey": "<masked:x-api-key-1>"}
    assert first.response_body == '"<masked:token-1>"'
    assert ("Authorization", "Bearer <masked:token-1>") in second.request_headers
    assert ("token", "<masked:token-1>") in second.query and ("_limit", "5") in second.query
    assert "token=%3Cmasked%3Atoken-1%3E" in second.url and "abc123" not in second.url
    assert json.loads(second.response_body)["tokenType"] == "b"  # not a secret


def test_form_bodies_and_oauth_codes_are_masked() -> None:
    masked = Masker().exchange(exchange(
        vendor="ispring", url="https://api-learn.ispring.com/api/v3/token", path="/api/v3/token",
        request_body="client_id=abc&client_secret=topsecret&grant_type=authorization_code&code=XYZ987",
        request_mime="application/x-www-form-urlencoded", status=200,
        response_body='{"access_token": "tok-123456", "expires_in": 1800}', response_mime="application/json"))
    assert "topsecret" not in (masked.request_body or "") and "XYZ987" not in (masked.request_body or "")
    assert "client_id=abc" in (masked.request_body or "")
    assert "tok-123456" not in masked.response_body


def test_a_har_round_trips() -> None:
    ex = exchange(query=[("a", "1")], request_headers=[("X", "y")], request_body="{}", request_mime="application/json",
                  status=201, response_headers=[("Location", "/x")], response_body="[]",
                  response_mime="application/json", started="2030-01-01T00:00:00.000Z", time_ms=1.5)
    assert from_document(json.loads(json.dumps(document([ex])))) == [ex]


def test_targets_forward_only_to_the_configured_base() -> None:
    targets = Targets.parse(["absorb=https://rest.myabsorb.com/", "http://127.0.0.1:9/base"])
    assert targets.upstream("/absorb/users/1") == ("absorb", "/users/1", "https://rest.myabsorb.com/users/1")
    assert targets.upstream("/ispring/x") == ("ispring", "/x", "http://127.0.0.1:9/base/ispring/x")
    assert targets.upstream("/other") is None
    assert targets.upstream("/absorb//evil.example/x")[2].startswith("https://rest.myabsorb.com/")
    assert join("https://rest.myabsorb.com", "/@evil.example") == "https://rest.myabsorb.com/@evil.example"
    only = Targets.parse(["https://rest.myabsorb.com"], vendor="absorb")
    assert only.upstream("/users") == ("absorb", "/users", "https://rest.myabsorb.com/users")
    for bad, vendor in ((["ftp://x"], None), (["moodle=http://x"], None), (["http://x?q=1"], None), ([], None),
                        (["ispring=http://x"], "absorb")):
        with pytest.raises(TargetError):
            Targets.parse(bad, vendor)
    assert Fallback.parse("absorb=http://a/b, ispring=http://c").url_for("absorb", "/absorb/x") == "http://a/b/x"
    assert Fallback.parse("").url_for("absorb", "/absorb/x") is None


def test_compare_names_renamed_keys_changed_types_and_unmapped_values() -> None:
    mapping, echoes = Correspondence(), Echoes()
    mapping.learn({"id": "11111111-1111-4111-8111-111111111111", "token": "<masked:token-1>"},
                  {"id": "22222222-2222-4222-8222-222222222222", "token": "real"})
    echoes.add_tree({"username": "jo"})
    recorded = {"id": "11111111-1111-4111-8111-111111111111", "username": "jo", "progress": 50.0,
                "courseName": "x", "when": "2024-01-01T00:00:00Z", "items": [{"id": "a", "n": 1}]}
    emulated = {"id": "33333333-3333-4333-8333-333333333333", "username": "ann", "progress": "50",
                "courseTitle": "x", "when": "2031-05-05T10:00:00.123Z", "items": [{"id": "b", "n": 2}]}
    found = {(d.where, d.recorded.split(" ")[0]) for d in compare_bodies(recorded, emulated, mapping, echoes)}
    assert ("body $", "key") in found and ("body $", "no") in found  # courseName gone, courseTitle new
    assert ("body $.progress", "number") in found
    assert any(w == "body $.id" for w, _ in found)  # a mapped id must come back as its counterpart
    assert any(w == "body $.username" for w, _ in found)  # sent, read back: must agree
    assert not any(w.startswith(("body $.when", "body $.items")) for w, _ in found)  # dates, list items: shape only
    assert mapping.text("Bearer <masked:token-1>") == "Bearer real"
    assert mapping.path("/users/11111111-1111-4111-8111-111111111111/x") == \
        "/users/22222222-2222-4222-8222-222222222222/x"


def test_the_proxy_holds_each_answer_to_the_emulators_contract(tmp_path) -> None:
    def vendor(environ, start_response):  # a "real vendor" whose user has a number for an id
        body = {"/users/3f2504e0-4f89-41d3-9a0c-0305e82c3301": b'{"id": 5}'}.get(environ["PATH_INFO"], b"{}")
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    upstream = make_server("127.0.0.1", 0, vendor, threaded=True)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    try:
        app = create_app({"default_tenant": False})
        recorder = Recorder(tmp_path / "x.har", {"absorb": None})
        proxy = Proxy(Targets.parse([f"absorb=http://127.0.0.1:{upstream.server_port}"]), recorder, ContractCheck(app))
        client = Client(proxy)
        assert client.get("/absorb/users/3f2504e0-4f89-41d3-9a0c-0305e82c3301").json == {"id": 5}  # unchanged
        client.get("/absorb/certificates/1")
        assert client.get("/moodle/x").status_code == 404  # no target: refused, never forwarded
    finally:
        upstream.shutdown()
        upstream.server_close()
    found = recorder.differences()
    assert [d["operation"] for d in found] == ["GET /users/3f2504e0-4f89-41d3-9a0c-0305e82c3301",
                                               "GET /certificates/1"]
    assert any("id" in p for p in found[0]["problems"])
    assert found[1]["problems"] == ["the emulator serves no such route"]
    assert "2 that the emulator's contract does not describe" in recorder.summary()
    assert len(json.loads((tmp_path / "x.har").read_text())["log"]["entries"]) == 2


def test_the_commands_refuse_bad_input_with_exit_status_2(tmp_path, capsys) -> None:
    assert cli.main(["proxy", "--target", "moodle=http://127.0.0.1:9"]) == 2
    assert "unknown vendor 'moodle'" in capsys.readouterr().err
    (tmp_path / "x.har").write_text('{"log": {}}')
    assert cli.main(["verify", str(tmp_path / "x.har")]) == 2
    assert "no log.entries" in capsys.readouterr().err
    assert cli.main(["verify", str(tmp_path / "missing.har")]) == 2
