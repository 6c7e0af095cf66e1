"""Pearson class details (``classes/{ssdsClassId}/details[/refresh]``, ``openapi/classes/{refClassId}/details``):
the page's rules, and a roster that moves with bookings. Every answer is validated against its schema."""
from __future__ import annotations

from typing import Any

from emulator.pearson import classes
from emulator.pearson.models import PearsonWorld, User
from emulator.pearson.tokens import territory_token
from tests.vendor_api import PearsonApi


def _bookable(world: PearsonWorld, student: User, now: Any) -> Any:
    return next(v.cls for v in classes.available_encounters(world, student, now) if v.status == "Available"
                and v.cls.center_id == student.center_id)


def test_staff_of_the_class_center_see_the_roster_move(call, cast, world, tenant):
    student, staff = cast["free"], cast["free_staff"]
    cls = _bookable(world, student, tenant.clock.now())
    for path in (f"/classes/{cls.ref_class_id}/details", f"/classes/{cls.ref_class_id}/details/refresh",
                 f"/classes/{cls.id}/details/refresh"):
        before = call("GET", path, staff).body
        assert before["Id"] == cls.id and before["ClassId"] == cls.ref_class_id
        assert student.id not in {s["StudentId"] for s in before["BookedStudents"]}
        assert before["StandbyStudents"] == [] and before["NumberOfStudents"] == len(before["BookedStudents"])
    call("POST", f"/classes/{cls.id}/book", staff, json={"StudentId": student.id})
    after = call("GET", f"/classes/{cls.ref_class_id}/details/refresh", staff).body
    mine = next(s for s in after["BookedStudents"] if s["StudentId"] == student.id)
    assert mine["UnitNumber"] == student.completed_unit and after["NumberOfStudents"] == before["NumberOfStudents"] + 1
    call("DELETE", f"/classes/{cls.id}/selfBook/{student.id}", student)
    gone = call("GET", f"/classes/{cls.ref_class_id}/details/refresh", staff).body
    assert student.id not in {s["StudentId"] for s in gone["BookedStudents"]}


def test_class_details_follow_the_page_rule(call, cast, world, tenant):
    cls = _bookable(world, cast["free"], tenant.clock.now())
    path = f"/classes/{cls.ref_class_id}/details/refresh"
    assert call("GET", path, None).status_code == 401
    assert call("GET", path, cast["free"]).status_code == 403  # a student: StaffMember only
    assert call("GET", path, cast["far_staff"]).status_code == 403  # staff of another center
    assert call("GET", "/classes/no-such-class/details/refresh", cast["free_staff"]).status_code == 404


def test_openapi_class_details_for_the_center_territory(pearson: PearsonApi, call, cast, world, tenant):
    cls = _bookable(world, cast["free"], tenant.clock.now())
    now = tenant.clock.now()
    own = world.territories[world.centers[cls.center_id].territory_id]
    other = next(t for t in world.territories.values() if t.id != own.id)
    route = f"/openapi/classes/{cls.ref_class_id}/details"
    staff_view = call("GET", f"/classes/{cls.ref_class_id}/details", cast["free_staff"]).body
    assert pearson.send("GET", route, territory_token(world, own, now)).body == staff_view
    assert pearson.send("GET", route, territory_token(world, other, now)).status_code == 403
    assert call("GET", route, cast["free_staff"]).status_code == 401  # a user's token on an openapi/ route
    assert pearson.send("GET", "/openapi/classes/nope/details", territory_token(world, own, now)).status_code == 404

