"""Pearson ``staffmembers/{id}/profile`` (the page's rule: self or staff of the same center, StaffMember or
Student) and the public ``api/Class`` (no token; the class's details). Every answer is validated (PearsonApi)."""
from __future__ import annotations

from emulator.pearson import classes
from emulator.pearson.models import STAFF_MEMBER
from emulator.pearson.tokens import territory_token
from tests.vendor_api import PearsonApi


def test_staff_member_profile_follows_the_page_rule(call, cast, world):
    staff, student = cast["free_staff"], cast["free"]
    path = f"/staffmembers/{staff.id}/profile"
    own = call("GET", path, staff)
    assert own.status_code == 200
    body = own.body
    assert (body["UserId"], body["CenterId"], body["UserName"]) == (staff.id, staff.center_id, staff.email)
    assert f"{body['FirstName']} {body['LastName']}" == staff.name
    center = world.centers[staff.center_id]
    assert (body["CenterName"], body["CenterReferenceId"]) == (center.name, center.reference_id)
    colleague = next(u for u in world.users.values()
                     if STAFF_MEMBER in u.roles and u.center_id == staff.center_id and u.id != staff.id)
    assert call("GET", f"/staffmembers/{colleague.id}/profile", staff).body["UserId"] == colleague.id
    assert call("GET", path, cast["far_staff"]).status_code == 403  # staff of another center
    assert call("GET", path, student).status_code == 403  # a student, not the staff member
    assert call("GET", path, cast["Administrator"]).status_code == 403  # neither StaffMember nor Student
    assert call("GET", path, None).status_code == 401
    assert call("GET", f"/staffmembers/{student.id}/profile", student).status_code == 404  # not a staff member
    assert call("GET", "/staffmembers/00000000-0000-4000-8000-000000000000/profile", staff).status_code == 404


def test_staff_member_profile_shows_a_renamed_staff_member(call, cast, world):
    """The profile is read from the user at each call: a change to the user shows at once."""
    staff = cast["free_staff"]
    staff.name = "Ada Lovelace"
    world.changed(staff)
    body = call("GET", f"/staffmembers/{staff.id}/profile", staff).body
    assert (body["FirstName"], body["LastName"]) == ("Ada", "Lovelace")


def test_api_class_is_public_and_moves_with_bookings(pearson: PearsonApi, call, cast, world, tenant):
    student, staff = cast["free"], cast["free_staff"]
    now = tenant.clock.now()
    cls = next(v.cls for v in classes.available_encounters(world, student, now) if v.status == "Available"
               and v.cls.center_id == student.center_id)
    path = f"/api/Class?ssdsClassId={cls.ref_class_id}&source=1"
    public = pearson.send("GET", path, None)
    assert public.status_code == 200
    assert public.body == call("GET", f"/classes/{cls.ref_class_id}/details", staff).body
    call("POST", f"/classes/{cls.id}/book", staff, json={"StudentId": student.id})
    after = pearson.send("GET", f"/api/Class?ssdsClassId={cls.id}&source=Portal", None).body
    assert student.id in {s["StudentId"] for s in after["BookedStudents"]}
    # a token, when one is sent, names the tenant (and must verify); a territory's token does too
    assert call("GET", path, staff).status_code == 200
    territory = world.territories[world.centers[cls.center_id].territory_id]
    assert pearson.send("GET", path, territory_token(world, territory, now)).status_code == 200
    assert pearson.send("GET", path, "not-a-token").status_code == 401
    for bad in ("/api/Class?source=1", f"/api/Class?ssdsClassId={cls.id}",
                f"/api/Class?ssdsClassId={cls.id}&source=%20;"):
        assert pearson.send("GET", bad, None).status_code == 400, bad
    assert pearson.send("GET", "/api/Class?ssdsClassId=nope&source=1", None).status_code == 404
