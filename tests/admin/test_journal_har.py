"""A tenant's journal as HAR 1.2 (``GET /_emulator/tenants/{id}/journal.har``): masked, filterable, and a
recording ``lms-emulator verify`` replays against a fresh tenant without a difference."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from emulator import cli
from emulator.record import har
from emulator.testing import EmulatorServer


@pytest.fixture(scope="module")
def server():
    with EmulatorServer({"default_tenant": False}) as live:
        yield live


def test_the_journal_downloads_as_har_and_verifies(server, tmp_path: Path, capsys):
    tenant = server.create_tenant()
    absorb = tenant.absorb()  # POST /authenticate
    base = tenant.info["baseUrls"]["absorb"]
    department = absorb.get(f"{base}/departments", params={"_limit": "1"}).json()["departments"][0]["id"]
    user = absorb.post(f"{base}/users", json={"username": "har.learner", "firstName": "H", "lastName": "Ar",
                                              "departmentId": department}).json()["id"]
    assert absorb.get(f"{base}/users/{user}").status_code == 200
    absorb.get(f"{base}/no-such-route")  # a 404 is journaled too

    answer = tenant.admin("GET", "/journal.har")
    assert answer.status_code == 200 and answer.headers["Content-Disposition"].endswith('-journal.har"')
    doc = answer.json()
    assert doc["log"]["version"] == "1.2" and doc["log"]["creator"]["name"] == "lms-emulator"
    entries = doc["log"]["entries"]
    assert [(e["request"]["method"], e["_vendorPath"], e["response"]["status"]) for e in entries] == [
        ("POST", "/authenticate", 200), ("GET", "/departments", 200), ("POST", "/users", 201),
        ("GET", f"/users/{user}", 200), ("GET", "/no-such-route", 404)]
    assert entries[3]["request"]["url"] == f"{base}/users/{user}"
    assert entries[3]["response"]["content"]["mimeType"] == "application/json"
    text = answer.text
    assert tenant.info["absorb"]["apiKey"] not in text  # masked as the journal masks it
    assert absorb.headers["Authorization"].split()[1] not in text
    assert len(har.from_document(doc)) == 5

    only = tenant.admin("GET", "/journal.har", params={"status": "4xx"}).json()["log"]["entries"]
    assert [e["response"]["status"] for e in only] == [404]

    recording = tmp_path / "journal.har"
    recording.write_text(json.dumps(doc))
    assert cli.main(["verify", str(recording), "--url", server.url]) == 0, capsys.readouterr().out
    assert "5 exchanges, no difference" in capsys.readouterr().out


def test_an_unknown_tenant_has_no_har(server):
    assert requests.get(f"{server.url}/_emulator/tenants/nobody/journal.har", timeout=30).status_code == 404
