"""The issue's "Done when", over real HTTP: a staff member of a student's center books a class for the student;
the student sees it in bookings/notEnded and classesInfo, cancels it with selfBook, and it is gone; a staff
member of another center is refused. Tokens come from the emulator's token endpoint, as a client would get them."""
from __future__ import annotations

from typing import Any

import requests

from emulator.core import contract
from emulator.pearson.domain.models import STAFF_MEMBER, STUDENT
from emulator.testing import EmulatorServer


def _token(base: str, world_creds: dict[str, Any], email: str) -> str:
    client = world_creds["connectToken"]
    answer = requests.post(f"{base}/api/connect/token", timeout=5, data={
        "username": email, "password": "Passw0rd!", "clientId": client["clientId"],
        "clientSecret": client["clientSecret"]})
    assert answer.status_code == 200, answer.text
    contract.validate("pearson", "connect-token-response", answer.json())
    return str(answer.json()["access_token"])


def _get(base: str, path: str, token: str, schema: str) -> Any:
    answer = requests.get(f"{base}{path}", timeout=5, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    contract.validate("pearson", schema, answer.json())
    return answer.json()


def test_a_booking_moves_over_http():
    with EmulatorServer({"seed": 42}) as server:
        base = f"{server.url}/pearson"
        world = server.store.tenants["default"].world("pearson")
        creds = world.credentials()
        student = next(u for u in world.users.values()
                       if STUDENT in u.roles and not world.bookings_by_student.get(u.id))
        staff = next(u for u in world.users.values() if STAFF_MEMBER in u.roles and u.center_id == student.center_id)
        outsider = next(u for u in world.users.values() if STAFF_MEMBER in u.roles
                        and u.center_id != student.center_id and not world.centers[u.center_id].is_online)
        staff_token = _token(base, creds, staff.email)
        student_token = _token(base, creds, student.email)
        outsider_token = _token(base, creds, outsider.email)

        offered = _get(base, f"/users/{student.id}/encounters/available", staff_token, "available-encounter-list")
        chosen = next(e for e in offered if e["Status"] == "Available" and e["CenterId"] == student.center_id)
        refused = requests.post(f"{base}/classes/{chosen['Id']}/book", timeout=5, json={"StudentId": student.id},
                                headers={"Authorization": f"Bearer {outsider_token}"})
        assert refused.status_code == 403
        assert refused.json() == {"Message": "Authorization has been denied for this request."}

        booked = requests.post(f"{base}/classes/{chosen['Id']}/book", timeout=5, json={"StudentId": student.id},
                               headers={"Authorization": f"Bearer {staff_token}"})
        assert booked.status_code == 200, booked.text
        contract.validate("pearson", "api-proxy-response", booked.json())
        assert booked.json()["Code"] == 0

        not_ended = f"/students/{student.id}/bookings/notEnded?classTypes[0]=1&classTypes[1]=2"
        bookings = _get(base, not_ended, student_token, "booked-class-list")
        assert [b["ClassId"] for b in bookings] == [chosen["Id"]]
        assert bookings[0]["CancelAvailable"] is True and bookings[0]["ClassUnit"] == chosen["UnitNumber"]
        info = _get(base, f"/users/{student.id}/classesInfo", student_token, "student-classes-aggregate")
        assert [b["ClassId"] for b in info["BookedClasses"]] == [chosen["Id"]]
        assert info["LastCompletedEncounterUnitNumber"] == chosen["UnitNumber"] - 1
        after = _get(base, f"/users/{student.id}/encounters/available", student_token, "available-encounter-list")
        assert next(e for e in after if e["Id"] == chosen["Id"])["Status"] == "Booked"
        assert _get(base, f"/students/{student.id}/nextStep", student_token, "next-step") == \
            {"Status": "AttendEncounter"}
        roster = _get(base, f"/classes/{chosen['Id']}/details/refresh", staff_token, "class-details")
        assert student.id in {s["StudentId"] for s in roster["BookedStudents"]}

        cancelled = requests.delete(f"{base}/classes/{chosen['Id']}/selfBook/{student.id}", timeout=5,
                                    headers={"Authorization": f"Bearer {student_token}"})
        assert cancelled.status_code == 200 and cancelled.json()["Code"] == 0
        contract.validate("pearson", "api-proxy-response", cancelled.json())
        assert _get(base, not_ended, student_token, "booked-class-list") == []
        assert _get(base, f"/users/{student.id}/classesInfo", student_token,
                    "student-classes-aggregate")["BookedClasses"] == []
        assert _get(base, f"/students/{student.id}/nextStep", student_token, "next-step") == {"Status": "BookEncounter"}
        roster = _get(base, f"/classes/{chosen['Id']}/details/refresh", staff_token, "class-details")
        assert student.id not in {s["StudentId"] for s in roster["BookedStudents"]}

        # the staff member may not cancel a self-booking: the route is the student's
        again = requests.delete(f"{base}/classes/{chosen['Id']}/selfBook/{student.id}", timeout=5,
                                headers={"Authorization": f"Bearer {staff_token}"})
        assert again.status_code == 403
