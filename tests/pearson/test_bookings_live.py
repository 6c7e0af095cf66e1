"""The issue's "Done when", over real HTTP: a staff member of a student's center books a class for the student;
the student sees it in bookings/notEnded and classesInfo, cancels it with selfBook, and it is gone; a staff
member of another center is refused. Tokens come from the emulator's token endpoint, as a client would get them;
the people come from the admin API (``data.json``), so the scenario needs nothing but the server's URL.

It runs twice: on a server in this process (``EmulatorServer``), and on the server the README's command starts
(``make serve PORT=0``: granian in a child process; port 0 lets the system choose, the start-up line names it).
Class details get their own HTTP test: the staff routes and the territory's ``openapi/`` route."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from emulator.core import contract
from emulator.testing import EmulatorServer

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Passw0rd!"  # every seeded user's (the token endpoint's credentials say so)


class Live:
    """What a client knows: the base URL, the default tenant's credentials and its data, all read over HTTP."""

    def __init__(self, url: str) -> None:
        self.base = f"{url}/pearson"
        self.creds = requests.get(f"{url}/_emulator/tenants/default", timeout=10).json()["pearson"]
        data = requests.get(f"{url}/_emulator/tenants/default/data.json", timeout=10).json()["pearson"]
        self.users: list[dict[str, Any]] = data["users"]
        self.centers = {c["id"]: c for c in data["centers"]}
        self.booked = {b["studentId"] for b in data["bookings"]}

    def token(self, email: str) -> str:
        client = self.creds["connectToken"]
        answer = requests.post(f"{self.base}/api/connect/token", timeout=10, data={
            "username": email, "password": PASSWORD, "clientId": client["clientId"],
            "clientSecret": client["clientSecret"]})
        assert answer.status_code == 200, answer.text
        contract.validate("pearson", "connect-token-response", answer.json())
        return str(answer.json()["access_token"])

    def territory_token(self, territory_id: str) -> str:
        client = next(t for t in self.creds["connectToken"]["territories"] if t["id"] == territory_id)
        answer = requests.post(f"{self.base}/api/connect/token", timeout=10, data={
            "clientId": client["clientId"], "clientSecret": client["clientSecret"]})
        assert answer.status_code == 200, answer.text
        contract.validate("pearson", "connect-token-response", answer.json())
        return str(answer.json()["access_token"])

    def send(self, method: str, path: str, token: str, **kw: Any) -> requests.Response:
        answer = requests.request(method, f"{self.base}{path}", timeout=10,
                                  headers={"Authorization": f"Bearer {token}"}, **kw)
        if answer.status_code >= 400:
            contract.validate("pearson", "error", answer.json())
        return answer

    def get(self, path: str, token: str, schema: str) -> Any:
        answer = self.send("GET", path, token)
        assert answer.status_code == 200, answer.text
        contract.validate("pearson", schema, answer.json())
        return answer.json()

    def cast(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """A student with no booking, a staff member of their center, one of another (not the online) center."""
        student = next(u for u in self.users if "Student" in u["roles"] and u["id"] not in self.booked)
        staff = next(u for u in self.users if "StaffMember" in u["roles"] and u["centerId"] == student["centerId"])
        outsider = next(u for u in self.users if "StaffMember" in u["roles"] and u["centerId"] != student["centerId"]
                        and not self.centers[u["centerId"]]["isOnline"])
        return student, staff, outsider


def books_and_cancels(live: Live) -> None:
    """The issue's "Done when", step by step."""
    student, staff, outsider = live.cast()
    sid = student["id"]
    staff_token, student_token = live.token(staff["email"]), live.token(student["email"])
    outsider_token = live.token(outsider["email"])

    offered = live.get(f"/users/{sid}/encounters/available", staff_token, "available-encounter-list")
    chosen = next(e for e in offered if e["Status"] == "Available" and e["CenterId"] == student["centerId"])
    refused = live.send("POST", f"/classes/{chosen['Id']}/book", outsider_token, json={"StudentId": sid})
    assert refused.status_code == 403
    assert refused.json() == {"Message": "Authorization has been denied for this request."}

    booked = live.send("POST", f"/classes/{chosen['Id']}/book", staff_token, json={"StudentId": sid})
    assert booked.status_code == 200, booked.text
    contract.validate("pearson", "api-proxy-response", booked.json())
    assert booked.json()["Code"] == 0

    not_ended = f"/students/{sid}/bookings/notEnded?classTypes[0]=1&classTypes[1]=2"
    bookings = live.get(not_ended, student_token, "booked-class-list")
    assert [b["ClassId"] for b in bookings] == [chosen["Id"]]
    assert bookings[0]["CancelAvailable"] is True and bookings[0]["ClassUnit"] == chosen["UnitNumber"]
    info = live.get(f"/users/{sid}/classesInfo", student_token, "student-classes-aggregate")
    assert [b["ClassId"] for b in info["BookedClasses"]] == [chosen["Id"]]
    assert info["LastCompletedEncounterUnitNumber"] == chosen["UnitNumber"] - 1
    after = live.get(f"/users/{sid}/encounters/available", student_token, "available-encounter-list")
    assert next(e for e in after if e["Id"] == chosen["Id"])["Status"] == "Booked"
    assert live.get(f"/students/{sid}/nextStep", student_token, "next-step") == {"Status": "AttendEncounter"}
    roster = live.get(f"/classes/{chosen['Id']}/details/refresh", staff_token, "class-details")
    assert sid in {s["StudentId"] for s in roster["BookedStudents"]}

    cancelled = live.send("DELETE", f"/classes/{chosen['Id']}/selfBook/{sid}", student_token)
    assert cancelled.status_code == 200 and cancelled.json()["Code"] == 0
    contract.validate("pearson", "api-proxy-response", cancelled.json())
    assert live.get(not_ended, student_token, "booked-class-list") == []
    assert live.get(f"/users/{sid}/classesInfo", student_token, "student-classes-aggregate")["BookedClasses"] == []
    assert live.get(f"/students/{sid}/nextStep", student_token, "next-step") == {"Status": "BookEncounter"}
    roster = live.get(f"/classes/{chosen['Id']}/details/refresh", staff_token, "class-details")
    assert sid not in {s["StudentId"] for s in roster["BookedStudents"]}

    # the staff member may not cancel a self-booking: the route is the student's
    assert live.send("DELETE", f"/classes/{chosen['Id']}/selfBook/{sid}", staff_token).status_code == 403


def test_a_booking_moves_over_http():
    with EmulatorServer({"seed": 42}) as server:
        books_and_cancels(Live(server.url))


@contextmanager
def readme_server() -> Iterator[str]:
    """``make serve PORT=0`` from the checkout, as the README says; its own process group, so that stopping it
    stops make's child (the server) too."""
    if not (ROOT / ".venv" / "bin" / "lms-emulator").exists():
        pytest.skip("no .venv in the checkout (`make install`): the README's command would build one first")
    env = {**os.environ, "LMS_EMULATOR_PRINT_CREDENTIALS": "json", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(["make", "-s", "serve", "PORT=0", "SEED=42"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    found: list[str] = []
    ready = threading.Event()

    def drain() -> None:  # read every line (a full pipe would block the server); the first URL is the server's
        assert proc.stdout is not None
        for line in proc.stdout:
            found.append(line)
            if (url := re.search(r"http://127\.0\.0\.1:(\d+)", line)) and not ready.is_set():
                found.insert(0, url.group(0))
                ready.set()
        ready.set()

    threading.Thread(target=drain, daemon=True).start()
    try:
        assert ready.wait(120) and found and found[0].startswith("http://"), "".join(found)
        yield found[0]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_a_booking_moves_on_the_server_the_readme_command_starts():
    with readme_server() as url:
        books_and_cancels(Live(url))


def test_class_details_over_http():
    """``classes/{id}/details`` and ``.../details/refresh`` for staff of the class's center (the roster moves with
    a booking), refused to staff of another center and to a student; ``openapi/classes/{refClassId}/details``
    for the territory of the class's center only, and never with a user's token."""
    with EmulatorServer({"seed": 42}) as server:
        live = Live(server.url)
        student, staff, outsider = live.cast()
        staff_token, outsider_token = live.token(staff["email"]), live.token(outsider["email"])
        student_token = live.token(student["email"])
        offered = live.get(f"/users/{student['id']}/encounters/available", staff_token, "available-encounter-list")
        chosen = next(e for e in offered if e["Status"] == "Available" and e["CenterId"] == student["centerId"])
        details = live.get(f"/classes/{chosen['Id']}/details", staff_token, "class-details")
        ref = details["ClassId"]  # the scheduling system's id: both name the class
        assert details == live.get(f"/classes/{ref}/details/refresh", staff_token, "class-details")
        assert details["Id"] == chosen["Id"]
        assert student["id"] not in {s["StudentId"] for s in details["BookedStudents"]}
        for token in (outsider_token, student_token):
            assert live.send("GET", f"/classes/{ref}/details", token).status_code == 403
        assert live.send("GET", "/classes/no-such-class/details/refresh", staff_token).status_code == 404

        assert live.send("POST", f"/classes/{chosen['Id']}/book", staff_token,
                         json={"StudentId": student["id"]}).json()["Code"] == 0
        roster = live.get(f"/classes/{ref}/details/refresh", staff_token, "class-details")
        assert student["id"] in {s["StudentId"] for s in roster["BookedStudents"]}
        assert roster["NumberOfStudents"] == details["NumberOfStudents"] + 1

        own = live.centers[chosen["CenterId"]]["territoryId"]
        other = next(t["id"] for t in live.creds["connectToken"]["territories"] if t["id"] != own)
        route = f"/openapi/classes/{ref}/details"
        assert live.get(route, live.territory_token(own), "class-details") == roster
        assert live.send("GET", route, live.territory_token(other)).status_code == 403
        assert live.send("GET", route, staff_token).status_code == 401
