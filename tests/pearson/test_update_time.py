"""Pearson ``PUT classes/{ssdsClassId}/UpdateTime?startDate=``: a staff member moves a class, and everything that
hangs off the class's time moves with it (the booking's StartDate in every read, what has ended on the tenant's
clock, the unit completed, ``nextStep``, the rebook offers). Every answer is validated against its schema."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from emulator.pearson import classes
from emulator.pearson.choices import ClassType
from emulator.pearson.models import PearsonClass, PearsonWorld, User


def _bookable(world: PearsonWorld, student: User, now: Any) -> PearsonClass:
    return next(v.cls for v in classes.available_encounters(world, student, now) if v.status == "Available"
                and v.cls.center_id == student.center_id)


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _move(call: Any, staff: User, cls: PearsonClass, to: datetime) -> Any:
    answer = call("PUT", f"/classes/{cls.ref_class_id}/UpdateTime?startDate={_stamp(to)}", staff)
    assert answer.status_code == 200, answer.data
    return answer


def _booked(call: Any, student: User) -> dict[str, dict[str, Any]]:
    """The student's not-ended bookings by class id."""
    path = f"/students/{student.id}/bookings/notEnded?classTypes[0]=1"
    return {b["ClassId"]: b for b in call("GET", path, student).body}


def test_update_time_moves_the_class_and_what_its_bookings_show(call, cast, world, tenant):
    student, staff = cast["free"], cast["free_staff"]
    cls = _bookable(world, student, tenant.clock.now())
    call("POST", f"/classes/{cls.id}/book", staff, json={"StudentId": student.id})
    before = call("GET", f"/classes/{cls.ref_class_id}/details", staff).body["StartDate"]
    new_start = (cls.start + timedelta(days=1)).replace(microsecond=0)
    moved = _move(call, staff, cls, new_start)
    assert student.id in {s["StudentId"] for s in moved.body["BookedStudents"]}
    details = call("GET", f"/classes/{cls.ref_class_id}/details", staff).body
    assert details["StartDate"] == moved.body["StartDate"] != before
    assert _booked(call, student)[cls.id]["StartDate"] == details["StartDate"]
    info = call("GET", f"/users/{student.id}/classesInfo", student).body
    assert next(b for b in info["BookedClasses"] if b["ClassId"] == cls.id)["StartDate"] == details["StartDate"]
    assert world.classes[cls.id].start == new_start


def test_a_class_moved_later_has_not_ended_when_its_old_time_has(call, cast, world, tenant):
    """Moved a day later, the booked encounter outlives its old end: still not ended, its unit not completed,
    the next step still to attend it."""
    student, staff = cast["free"], cast["free_staff"]
    cls = _bookable(world, student, tenant.clock.now())
    old_end, unit = cls.end, student.completed_unit
    call("POST", f"/classes/{cls.id}/book", staff, json={"StudentId": student.id})
    _move(call, staff, cls, cls.start + timedelta(days=1))
    tenant.clock.freeze(old_end + timedelta(minutes=1))
    assert cls.id in _booked(call, student)
    info = call("GET", f"/users/{student.id}/classesInfo", student).body
    assert info["LastCompletedEncounterUnitNumber"] == unit
    assert call("GET", f"/students/{student.id}/nextStep", student).body["Status"] == "AttendEncounter"
    tenant.clock.freeze(world.classes[cls.id].end)  # its new end: now it has ended
    assert cls.id not in _booked(call, student)
    info = call("GET", f"/users/{student.id}/classesInfo", student).body
    assert info["LastCompletedEncounterUnitNumber"] == cls.unit_number


def test_a_class_moved_earlier_ends_sooner(call, cast, world, tenant):
    """Moved to start in an hour, the booked encounter has ended two hours later: gone from notEnded, its unit
    completed, the next step is to book the next one."""
    student, staff = cast["free"], cast["free_staff"]
    now = tenant.clock.now()
    cls = next(c for c in (v.cls for v in classes.available_encounters(world, student, now) if v.status == "Available"
                           and v.cls.center_id == student.center_id) if c.start > now + timedelta(days=1))
    call("POST", f"/classes/{cls.id}/book", staff, json={"StudentId": student.id})
    assert call("GET", f"/students/{student.id}/nextStep", student).body["Status"] == "AttendEncounter"
    _move(call, staff, cls, now + timedelta(hours=1))
    tenant.clock.freeze(now + timedelta(hours=1, minutes=cls.duration))
    assert cls.id not in _booked(call, student)
    info = call("GET", f"/users/{student.id}/classesInfo", student).body
    assert info["LastCompletedEncounterUnitNumber"] == cls.unit_number
    assert call("GET", f"/students/{student.id}/nextStep", student).body["Status"] == "BookEncounter"


def test_rebook_offers_follow_a_moved_class(call, cast, world, tenant):
    """``rebook?startDate=`` offers classes starting after that date: a class moved past it is offered, moved back
    before it, it is not."""
    student, staff = cast["free"], cast["free_staff"]
    now = tenant.clock.now()
    original = _bookable(world, student, now)
    other = next(c for c in world.classes.values() if c.id != original.id and c.center_id == student.center_id
                 and c.class_type == ClassType.ENCOUNTER and c.unit_number == original.unit_number and c.start > now
                 and not c.closed)
    after = other.start + timedelta(hours=1)
    path = f"/centers/{student.center_id}/rebook?classId={original.id}&startDate={_stamp(after)}"
    assert other.id not in {o["Id"] for o in call("GET", path, student).body}
    _move(call, staff, other, after + timedelta(days=1))
    offered = {o["Id"]: o for o in call("GET", path, student).body}
    assert offered[other.id]["StartDate"] == call("GET", f"/classes/{other.id}/details", staff).body["StartDate"]
    _move(call, staff, other, now + timedelta(minutes=30))
    assert other.id not in {o["Id"] for o in call("GET", path, student).body}


def test_update_time_refuses_the_past_and_non_staff(call, cast, world, tenant):
    now = tenant.clock.now()
    cls = _bookable(world, cast["free"], now)
    start = cls.start
    path = f"/classes/{cls.ref_class_id}/UpdateTime"
    assert call("PUT", f"{path}?startDate={_stamp(now - timedelta(hours=1))}", cast["free_staff"]).status_code == 400
    assert call("PUT", path, cast["free_staff"]).status_code == 400  # no startDate
    assert call("PUT", f"{path}?startDate=soon", cast["free_staff"]).status_code == 400
    future = _stamp(cls.start + timedelta(days=1))
    assert call("PUT", f"{path}?startDate={future}", None).status_code == 401
    assert call("PUT", f"{path}?startDate={future}", cast["free"]).status_code == 403  # a student
    assert call("PUT", f"/classes/nope/UpdateTime?startDate={future}", cast["free_staff"]).status_code == 404
    assert world.classes[cls.id].start == start
    started = next(c for c in world.classes.values() if c.start <= now)
    assert call("PUT", f"/classes/{started.id}/UpdateTime?startDate={future}", cast["free_staff"]).status_code == 400
    # the page names no relationship: staff of another center may move the class
    assert call("PUT", f"{path}?startDate={future}", cast["far_staff"]).status_code == 200
