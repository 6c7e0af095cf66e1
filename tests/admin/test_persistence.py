"""--state-file: every acknowledged write survives a restart, even a SIGKILL right after the answer."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from emulator.app import create_app
from emulator.core.persistence import StateError

from admin_helpers import absorb_headers, learner_and_course


def test_tenants_worlds_clocks_and_faults_survive_a_restart(tmp_path):
    state = tmp_path / "state.bin"
    client = create_app({"state_file": str(state)}).test_client()
    info = client.post("/_emulator/tenants", json={"id": "keep", "seed": 9}).get_json()
    client.post("/_emulator/tenants/keep/clock/freeze", json={"at": "2099-03-03T00:00:00Z"})
    user_id, course_id = learner_and_course(client, "keep")
    headers = absorb_headers(client, info)
    enrollment_id = client.post(f"/absorb/users/{user_id}/enrollments/{course_id}",
                                headers=headers).get_json()["enrollmentId"]
    client.post("/_emulator/tenants/keep/faults", json={"path": "/absorb/nothing", "status": 500})
    assert state.exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]

    again = create_app({"state_file": str(state)}).test_client()
    assert {t["id"] for t in again.get("/_emulator/tenants").get_json()["tenants"]} == {"default", "keep"}
    assert again.get(f"/absorb/enrollments/{enrollment_id}", headers=headers).status_code == 200  # token kept too
    assert again.get("/_emulator/tenants/keep/clock").get_json()["now"] == "2099-03-03T00:00:00Z"
    assert len(again.get("/_emulator/tenants/keep/faults").get_json()["faults"]) == 1
    again.delete("/_emulator/tenants/keep")
    third = create_app({"state_file": str(state)}).test_client()
    assert third.get("/_emulator/tenants/keep").status_code == 404


def test_an_unreadable_state_file_is_refused_clearly(tmp_path):
    state = tmp_path / "state.bin"
    state.write_bytes(b"not a pickle")
    with pytest.raises(StateError, match="cannot read the state file"):
        create_app({"state_file": str(state)})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(state: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("LMS_EMULATOR_ADMIN_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "emulator.cli", "serve", "--state-file", str(state),
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/_emulator/tenants", timeout=1)
            return proc
        except requests.ConnectionError:
            if proc.poll() is not None:
                raise RuntimeError("the emulator exited at start")
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the emulator did not start")


def test_sigkill_right_after_an_acknowledged_enrollment(tmp_path):
    state, port = tmp_path / "emulator.state", _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(state, port)
    try:
        info = requests.get(f"{base}/_emulator/tenants/default", timeout=5).json()
        data = requests.get(f"{base}/_emulator/tenants/default/data.json", timeout=5).json()["absorb"]
        enrolled = {(e["userId"], e["courseId"]) for e in data["enrollments"] if e["isActive"]}
        user_id, course_id = next((u["id"], c["id"]) for u in data["users"] if not u["isAdmin"]
                                  for c in data["courses"] if c["courseType"] == "OnlineCourse"
                                  and (u["id"], c["id"]) not in enrolled)
        key = info["absorb"]["apiKey"]
        headers = {"x-api-key": key, "x-api-version": "2"}
        token = requests.post(f"{base}/absorb/authenticate", headers=headers, timeout=5,
                              json={"username": "admin", "password": "admin", "privateKey": key}).json()
        headers["Authorization"] = f"Bearer {token}"
        created = requests.post(f"{base}/absorb/users/{user_id}/enrollments/{course_id}", headers=headers, timeout=5)
        assert created.status_code == 201
        proc.send_signal(signal.SIGKILL)  # right after the acknowledged answer
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    proc = _serve(state, port)
    try:
        enrollment_id = created.json()["enrollmentId"]
        found = requests.get(f"{base}/absorb/enrollments/{enrollment_id}", headers=headers, timeout=5)
        assert found.status_code == 200
        assert found.json()["userId"] == user_id and found.json()["courseId"] == course_id
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)


def test_a_fault_rule_spent_by_a_get_stays_spent_after_a_restart(tmp_path):
    state = tmp_path / "state.bin"
    first = create_app({"state_file": str(state)})
    client = first.test_client()
    key = first.extensions["lms_emulator"]["store"].tenants["default"].world("absorb").api_key
    added = client.post("/_emulator/tenants/default/faults",
                        json={"method": "GET", "path": "/absorb/**", "status": 503, "count": 1})
    assert added.status_code == 201
    spent = client.get("/absorb/enrollments", headers={"x-api-key": key, "x-api-version": "2"})
    assert spent.status_code == 503
    restarted = create_app({"state_file": str(state)}).test_client()
    assert restarted.get("/_emulator/tenants/default/faults").get_json()["faults"] == []
