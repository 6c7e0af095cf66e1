"""End to end: ``lms-emulator proxy`` records an Absorb flow and an iSpring flow against a second emulator
standing in for the vendor; ``verify`` replays the recording against a fresh tenant and finds no difference;
an edited recording is caught, the exchange named, exit status 1; no secret is left in clear in the file."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from emulator import cli
from emulator.testing import EmulatorProcess, Tenant, stop_process

READY = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


class ProxyProcess:
    """``lms-emulator proxy`` in a child process (port 0), stopped with SIGTERM: summary printed on the way out."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "emulator.cli", "proxy", "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        ready = threading.Event()
        self.url = ""

        def drain() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append(line)
                found = READY.search(line)
                if found and not self.url:
                    self.url = found.group(1)
                    ready.set()
            ready.set()

        self.reader = threading.Thread(target=drain, daemon=True)
        self.reader.start()
        assert ready.wait(60) and self.url, "".join(self.lines)

    def stop(self) -> str:
        stop_process(self.proc)
        self.reader.join(10)
        return "".join(self.lines)


@pytest.fixture(scope="module")
def vendor() -> Any:
    """The second emulator: the "real vendor" of these tests."""
    with EmulatorProcess() as server:
        yield server


def absorb_flow(base: str, creds: dict[str, Any]) -> dict[str, Any]:
    """Authenticate, list users, create a user, enroll them in a course, read the enrollment back."""
    key = {"x-api-key": creds["apiKey"], "x-api-version": "2"}
    token = requests.post(f"{base}/authenticate", headers=key, timeout=30, json={
        "username": creds["admin"]["username"], "password": creds["admin"]["password"], "privateKey": creds["apiKey"]})
    assert token.status_code == 200, token.text
    auth = {**key, "Authorization": f"Bearer {token.json()}"}
    users = requests.get(f"{base}/users", params={"_limit": "3"}, headers=auth, timeout=30)
    assert users.status_code == 200, users.text
    department = requests.get(f"{base}/departments", params={"_limit": "1"}, headers=auth, timeout=30).json()
    course = requests.get(f"{base}/courses", params={"_limit": "1", "_filter": "courseType eq 'OnlineCourse'"},
                          headers=auth, timeout=30).json()
    department_id = (department.get("departments") or department.get("items") or department)[0]["id"] \
        if isinstance(department, dict) else department[0]["id"]
    course_id = (course.get("courses") or course)[0]["id"] if isinstance(course, dict) else course[0]["id"]
    created = requests.post(f"{base}/users", headers=auth, timeout=30, json={
        "username": "recorded.learner", "firstName": "Rec", "lastName": "Orded", "departmentId": department_id})
    assert created.status_code in (200, 201), created.text
    user_id = created.json()["id"]
    enrolled = requests.post(f"{base}/users/{user_id}/enrollments/{course_id}", headers=auth, timeout=30)
    assert enrolled.status_code == 201, enrolled.text
    back = requests.get(f"{base}/users/{user_id}/enrollments/{course_id}", headers=auth, timeout=30)
    assert back.status_code == 200, back.text
    return {"token": token.json(), "userId": user_id}


def ispring_flow(base: str, creds: dict[str, Any]) -> str:
    owner = next(c for c in creds["clients"] if c["role"].lower().endswith("owner"))
    token = requests.post(f"{base}/api/v3/token", timeout=30, data={
        "client_id": owner["clientId"], "client_secret": owner["clientSecret"], "grant_type": "client_credentials"})
    assert token.status_code == 200, token.text
    access = token.json()["access_token"]
    headers = {"Authorization": f"Bearer {access}", "X-Auth-Account-Url": creds["accountUrl"],
               "Accept": "application/json"}
    listed = requests.post(f"{base}/performance-management/appraisal/session/list", json={}, headers=headers,
                           timeout=30)
    assert listed.status_code == 200, listed.text
    session_id = listed.json()[0]["sessionId"] if "sessionId" in listed.json()[0] else listed.json()[0]["id"]
    info = requests.get(f"{base}/performance-management/appraisal/session/{session_id}/info", headers=headers,
                        timeout=30)
    assert info.status_code == 200, info.text
    return access


@pytest.fixture(scope="module")
def recording(vendor: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One recording of both flows through the proxy, with what a leak check needs to know."""
    folder = tmp_path_factory.mktemp("recording")
    har, differences = folder / "flows.har", folder / "differences.json"
    tenant: Tenant = vendor.create_tenant(seed=7)
    proxy = ProxyProcess("--target", f"absorb={vendor.url}/absorb", "--target", f"ispring={vendor.url}/ispring",
                         "--record", str(har), "--differences", str(differences))
    try:
        absorb = absorb_flow(f"{proxy.url}/absorb", tenant.info["absorb"])
        ispring_token = ispring_flow(f"{proxy.url}/ispring", tenant.info["ispring"])
    finally:
        output = proxy.stop()
    # (the seeded admin's password is its username, "admin": checked where it is sent, not searched for)
    secrets = [tenant.info["absorb"]["apiKey"], absorb["token"],
               ispring_token, *(c["clientSecret"] for c in tenant.info["ispring"]["clients"])]
    return {"har": har, "differences": differences, "output": output, "secrets": secrets, "tenant": tenant}


def test_the_proxy_records_every_exchange_as_har(recording: dict[str, Any]) -> None:
    doc = json.loads(recording["har"].read_text())
    entries = doc["log"]["entries"]
    assert doc["log"]["version"] == "1.2"
    assert [(e["_vendor"], e["request"]["method"], e["response"]["status"]) for e in entries] == [
        ("absorb", "POST", 200), ("absorb", "GET", 200), ("absorb", "GET", 200), ("absorb", "GET", 200),
        ("absorb", "POST", 201), ("absorb", "POST", 201), ("absorb", "GET", 200),
        ("ispring", "POST", 200), ("ispring", "POST", 200), ("ispring", "GET", 200)]
    assert "13 calls" not in recording["output"] and "10 calls, 0 that the emulator's contract does not describe" \
        in recording["output"], recording["output"]
    assert json.loads(recording["differences"].read_text()) == {"differences": []}


def test_no_secret_is_left_in_clear(recording: dict[str, Any]) -> None:
    text = recording["har"].read_text()
    for secret in recording["secrets"]:
        assert secret not in text
    entries = json.loads(text)["log"]["entries"]
    assert entries[0]["response"]["content"]["text"] == '"<masked:token-1>"'  # Absorb's bare-string token
    assert json.loads(entries[0]["request"]["postData"]["text"])["password"] == "<masked:password-1>"
    assert "<masked:x-api-key-1>" in text
    assert "Bearer <masked:token-1>" in text  # the same token where it is used: verify can follow it


def test_verify_finds_no_difference_against_a_fresh_tenant(recording: dict[str, Any],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["verify", str(recording["har"])])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "10 exchanges, no difference" in out


def test_verify_names_an_edited_exchange_and_fails(recording: dict[str, Any], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(recording["har"].read_text())
    content = doc["log"]["entries"][6]["response"]["content"]  # the enrollment read back
    body = json.loads(content["text"])
    body["courseTitle"] = body.pop("courseName")  # a key renamed
    body["progress"] = str(body["progress"])  # a type changed
    content["text"] = json.dumps(body)
    edited = tmp_path / "edited.har"
    edited.write_text(json.dumps(doc))
    status = cli.main(["verify", str(edited), "--json", str(tmp_path / "result.json")])
    out = capsys.readouterr().out
    assert status == 1, out
    assert "#6 absorb GET /users/" in out and "1 with differences" in out
    result = json.loads((tmp_path / "result.json").read_text())
    wheres = {d["where"]: d for d in result["results"][6]["differences"]}
    assert set(wheres) == {"body $"} | {"body $.progress"} or len(wheres) >= 2, wheres
    texts = [f'{d["where"]} {d["recorded"]} {d["emulator"]}' for d in result["results"][6]["differences"]]
    assert any("courseTitle" in t for t in texts) and any("courseName" in t for t in texts)
    assert any("$.progress" in t and "string" in t and "number" in t for t in texts)
    assert all(not r["differences"] for i, r in enumerate(result["results"]) if i != 6)
