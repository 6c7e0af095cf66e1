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

from tests.vendor_api import AbsorbApi


def test_tenants_worlds_clocks_and_faults_survive_a_restart(tmp_path):
    state = tmp_path / "state.bin"
    client = create_app({"state_file": str(state)}).test_client()
    info = client.post("/_emulator/tenants", json={"id": "keep", "seed": 9}).get_json()
    client.post("/_emulator/tenants/keep/clock/freeze", json={"at": "2099-03-03T00:00:00Z"})
    user_id, course_id = AbsorbApi.learner_and_course(client, "keep")
    headers = AbsorbApi.of_info(client, info).login().headers
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
                raise RuntimeError("the emulator exited at start") from None
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
    key = first.state.store.tenants["default"].world("absorb").api_key
    added = client.post("/_emulator/tenants/default/faults",
                        json={"method": "GET", "path": "/absorb/**", "status": 503, "count": 1})
    assert added.status_code == 201
    spent = client.get("/absorb/bulk/student-courses", headers={"x-api-key": key, "x-api-version": "2"})
    assert spent.status_code == 503
    restarted = create_app({"state_file": str(state)}).test_client()
    assert restarted.get("/_emulator/tenants/default/faults").get_json()["faults"] == []


def test_stale_temporary_files_of_a_killed_write_are_removed_at_start(tmp_path):
    state = tmp_path / "emulator.state"
    create_app({"state_file": str(state)})
    stale = tmp_path / ".emulator.state.abc123.tmp"
    stale.write_bytes(b"half a pickle")
    other = tmp_path / ".other.state.abc.tmp"  # not ours
    other.write_bytes(b"x")
    create_app({"state_file": str(state)})
    assert not stale.exists() and other.exists() and state.exists()


def test_an_old_pickled_state_file_is_refused_in_one_line_and_runs_nothing(tmp_path):
    """Earlier versions pickled the state: such a file (or a planted one) is refused unread, never unpickled."""
    import pickle

    marker = tmp_path / "ran"

    class Planted:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    state = tmp_path / "old.state"
    state.write_bytes(pickle.dumps({"format": "lms-emulator-state/2", "tenants": {"x": Planted()}}))
    with pytest.raises(StateError) as refused:
        create_app({"state_file": str(state)})
    assert "older lms-emulator" in str(refused.value) and "\n" not in str(refused.value)
    assert not marker.exists()


def test_concurrent_writes_are_each_durable(tmp_path):
    """Group commit: eight threads writing at once, every acknowledged enrollment is in the file."""
    import threading

    state = tmp_path / "emulator.state"
    app = create_app({"state_file": str(state)})
    client = app.test_client()
    ids = [client.post("/_emulator/tenants", json={}).get_json()["id"] for _ in range(8)]
    made: dict[str, str] = {}

    def enroll(tid: str) -> None:
        c = app.test_client()
        world = app.state.store.tenants[tid].world("absorb")
        headers = {"x-api-key": world.api_key, "x-api-version": "2"}
        token = c.post("/absorb/authenticate", headers=headers,
                       json={"username": "admin", "password": "admin", "privateKey": world.api_key}).get_json()
        headers["Authorization"] = f"Bearer {token}"
        learner = next(u for u in world.users.values() if not u.is_admin)
        course = next(co for co in world.courses.values() if not co.is_ilc)
        answer = c.post(f"/absorb/users/{learner.id}/enrollments/{course.id}?reEnroll=true", headers=headers)
        assert answer.status_code == 201
        made[tid] = answer.get_json()["enrollmentId"]

    threads = [threading.Thread(target=enroll, args=(tid,)) for tid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    restored = create_app({"state_file": str(state)}).state.store
    assert len(made) == 8
    assert all(made[tid] in restored.tenants[tid].world("absorb").enrollments for tid in ids)
