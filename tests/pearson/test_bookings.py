"""Pearson class bookings: every route's help-page authorization rule, the rules that make bookings move, and
what the tenant's clock decides. Every answer is validated against its schema (``PearsonApi``)."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from emulator.admin.fixtures import by_name
from emulator.app import create_app
from emulator.core.strict import HEADER as STRICT_HEADER
from emulator.core.errors import ValidationFailed
from emulator.pearson import classes
from emulator.pearson.choices import ClassType
from emulator.pearson.models import STAFF_MEMBER, STUDENT, PearsonClass, PearsonWorld, User
from emulator.pearson.tokens import territory_token
from tests.vendor_api import PearsonApi

G = "00000000-0000-4000-8000-000000000000"


def _bookable(world: PearsonWorld, student: User, now: Any) -> PearsonClass:
    return next(v.cls for v in classes.available_encounters(world, student, now) if v.status == "Available")


# -- the authorization table --------------------------------------------------------------------------

READ_ROUTES = {
    # route: (path, who may read the student: self, same-center staff, online-center staff)
    "encounters/available": ("/users/{s}/encounters/available", (True, True, False)),
    "classesInfo": ("/users/{s}/classesInfo", (True, True, True)),
    "noPreBookingClasses": ("/users/{s}/noPreBookingClasses?classType=3", (True, True, False)),
    "notEnded": ("/students/{s}/bookings/notEnded?classTypes[0]=1&classTypes[1]=2", (True, True, True)),
    "nextStep": ("/students/{s}/nextStep", (True, True, False)),
    "SelfBooking": ("/v2/users/{s}/SelfBooking/availableclasses", (True, True, False)),
    "state": ("/v2/users/{s}/state", (True, True, True)),
}


@pytest.mark.parametrize("route", sorted(READ_ROUTES))
def test_read_routes_admit_exactly_the_documented_callers(route, call, cast):
    path, (own, same, online) = READ_ROUTES[route]
    url = path.format(s=cast["free"].id)
    expect = {"free": own, "free_staff": same, "online_staff": online, "far_staff": False, "classmate": False}
    for who, allowed in expect.items():
        who_user = cast["classmate"] if who == "classmate" else cast[who]
        if who == "classmate" and who_user.center_id != cast["free"].center_id:
            continue
        assert call("GET", url, who_user).status_code == (200 if allowed else 403), (route, who)
    assert call("GET", url, None).status_code == 401
    assert call("GET", path.format(s=G), cast["free_staff"]).status_code == 404


@pytest.mark.parametrize("route,allowed", [
    ("encounters/available", {"Administrator": False, "ProspectWithTrial": False}),
    ("nextStep", {"Administrator": False, "ProspectWithTrial": True}),
    ("state", {"Administrator": True, "ProspectWithTrial": True, "User": True, "QA": False, "FocusTool": False}),
])
def test_role_lists_on_the_users_own_route(route, allowed, call, people):
    path = READ_ROUTES[route][0]
    for role, ok in allowed.items():
        user = people[role]
        assert call("GET", path.format(s=user.id), user).status_code == (200 if ok else 403), (route, role)


def test_state_needs_both_role_lists(call, people, world):
    qa = people["QA"]  # in the second list only
    assert call("GET", f"/v2/users/{qa.id}/state", qa).status_code == 403


def test_territory_checks_roles_but_no_relationship(call, cast, people, world):
    far_center = cast["far_staff"].center_id
    assert call("GET", f"/centers/{far_center}/territory", cast["free"]).status_code == 200
    assert call("GET", f"/centers/{far_center}/territory", people["QA"]).status_code == 403
    assert call("GET", f"/centers/{G}/territory", cast["free"]).status_code == 404
    body = call("GET", f"/centers/{far_center}/territory", people["Administrator"]).body
    assert body["Id"] == world.centers[far_center].territory_id


def test_rebook_asks_only_that_the_caller_belongs_to_the_center(call, cast, world, tenant):
    cls = _bookable(world, cast["free"], tenant.clock.now())
    center = cast["free"].center_id
    path = f"/centers/{center}/rebook?classId={cls.id}"
    assert call("GET", path, cast["free"]).status_code == 200  # a student of the center: no role list
    assert call("GET", path, cast["free_staff"]).status_code == 200
    assert call("GET", path, cast["far_staff"]).status_code == 403
    assert call("GET", f"/centers/{center}/rebook?classId={G}", cast["free"]).status_code == 404
    assert call("GET", f"/centers/{center}/rebook", cast["free"]).status_code == 400


def test_walkthrough_status_is_the_users_own(call, cast, people):
    body = {"WalkThroughId": G, "Status": 2, "WalkThroughType": 1}
    student = cast["free"]
    assert call("POST", f"/walkthroughs/user/{student.id}/status", cast["free_staff"], json=body).status_code == 403
    assert call("POST", f"/walkthroughs/user/{student.id}/status", student, json=body).status_code == 200
    prospect = people["ProspectWithTrial"]
    assert call("POST", f"/walkthroughs/user/{prospect.id}/status", prospect, json=body).status_code == 200
    admin = people["Administrator"]
    assert call("POST", f"/walkthroughs/user/{admin.id}/status", admin, json=body).status_code == 403


# -- bookings move --------------------------------------------------------------------------------------

def test_booking_shows_everywhere_and_cancelling_removes_it(call, cast, world, tenant):
    student, staff = cast["free"], cast["free_staff"]
    cls = _bookable(world, student, tenant.clock.now())
    answer = call("POST", f"/classes/{cls.id}/book", staff, json={"studentId": student.id})  # any case binds
    assert answer.status_code == 200 and answer.body["Code"] == 0
    booked = call("GET", f"/students/{student.id}/bookings/notEnded?classTypes=1", student).body
    assert [b["ClassId"] for b in booked] == [cls.id] and booked[0]["BookMode"] == 1
    assert call("GET", f"/students/{student.id}/bookings/notEnded?classTypes=2", student).body == []
    assert call("GET", f"/users/{student.id}/classesInfo", staff).body["BookedClasses"][0]["ClassId"] == cls.id
    assert call("GET", f"/students/{student.id}/nextStep", student).body == {"Status": "AttendEncounter"}
    offered = call("GET", f"/v2/users/{student.id}/SelfBooking/availableclasses?ClassType=Encounter", student).body
    mine = next(o for o in offered if o["Id"] == cls.id)
    assert mine["Status"] == "Booked" and mine["NoOfSeatsAvailable"] == cls.seats - len(
        world.bookings_by_class[cls.id])
    gone = call("DELETE", f"/classes/{cls.id}/selfBook/{student.id}", student)
    assert gone.status_code == 200 and gone.body["Code"] == 0
    assert call("GET", f"/students/{student.id}/bookings/notEnded?classTypes=1", student).body == []
    again = call("DELETE", f"/classes/{cls.id}/selfBook/{student.id}", student)
    assert again.status_code == 400 and again.body["Code"] == 7


def test_book_refusals(call, cast, world, tenant):
    student, staff = cast["free"], cast["free_staff"]
    now = tenant.clock.now()
    cls = _bookable(world, student, now)
    assert call("POST", f"/classes/{cls.id}/book", staff, json={}).status_code == 400  # StudentId required
    assert call("POST", f"/classes/{cls.id}/book", staff, json={"StudentId": G}).status_code == 404
    assert call("POST", f"/classes/{G}/book", staff, json={"StudentId": student.id}).status_code == 404
    assert call("POST", f"/classes/{cls.id}/book", student, json={"StudentId": student.id}).status_code == 403
    assert call("POST", f"/classes/{cls.id}/book", staff, json={"StudentId": student.id}).body["Code"] == 0
    assert call("POST", f"/classes/{cls.id}/book", staff, json={"StudentId": student.id}).body["Code"] == 2
    other = next(v.cls for v in classes.available_encounters(world, student, now) if v.cls.id != cls.id)
    refused = call("POST", f"/classes/{other.ref_class_id}/book", staff, json={"StudentId": student.id})
    assert refused.status_code == 400 and refused.body["Code"] == 4  # one pending encounter at a time
    moved = call("POST", f"/classes/{other.ref_class_id}/book?carryOver=true", staff, json={"StudentId": student.id})
    assert moved.body["Code"] == 0
    booked = call("GET", f"/students/{student.id}/bookings/notEnded?classTypes=1", student).body
    assert [b["ClassId"] for b in booked] == [other.id]
    wrong_unit = next(c for c in world.classes.values() if c.class_type == ClassType.ENCOUNTER and c.start > now
                      and c.center_id == student.center_id and c.unit_number != other.unit_number)
    assert call("POST", f"/classes/{wrong_unit.id}/book?carryOver=true", staff,
                json={"StudentId": student.id}).body["Code"] == 5
    club = next(c for c in world.classes.values() if c.class_type == ClassType.SOCIAL_CLUB)
    assert call("POST", f"/classes/{club.id}/book", staff, json={"StudentId": student.id}).body["Code"] == 8


def test_a_full_class_is_refused_unless_overridden(call, cast, world, tenant):
    student, staff = cast["free"], cast["free_staff"]
    cls = _bookable(world, student, tenant.clock.now())
    cls.seats = len(world.bookings_by_class.get(cls.id, ()))  # nobody else fits
    assert call("POST", f"/classes/{cls.id}/book", staff, json={"StudentId": student.id}).body["Code"] == 1
    assert call("POST", f"/classes/{cls.id}/book", staff,
                json={"StudentId": student.id, "Override": True}).body["Code"] == 0


def test_the_clock_decides_what_has_ended(call, cast, world, tenant):
    student, staff = cast["free"], cast["free_staff"]
    cls = _bookable(world, student, tenant.clock.now())
    call("POST", f"/classes/{cls.id}/book", staff, json={"StudentId": student.id})
    path = f"/students/{student.id}/bookings/notEnded?classTypes[0]=1"
    tenant.clock.freeze(cls.start + timedelta(minutes=1))  # started: still not ended, no longer cancellable
    assert call("GET", path, student).body[0]["CancelAvailable"] is False
    started = call("DELETE", f"/classes/{cls.id}/selfBook/{student.id}", student)
    assert started.status_code == 400 and started.body["Code"] == 3
    tenant.clock.freeze(cls.end)  # ended: gone from notEnded, its unit completed
    assert call("GET", path, student).body == []
    info = call("GET", f"/users/{student.id}/classesInfo", student).body
    assert info["LastCompletedEncounterUnitNumber"] == cls.unit_number and info["BookedClasses"] == []
    units = {e["UnitNumber"] for e in call("GET", f"/users/{student.id}/encounters/available", student).body}
    assert units <= {cls.unit_number + 1}


def test_rebook_offers_the_same_unit_elsewhere(call, cast, world, tenant):
    student = cast["free"]
    cls = _bookable(world, student, tenant.clock.now())
    path = f"/centers/{student.center_id}/rebook?classId={cls.id}"
    offered = call("GET", path, student).body
    assert offered and all(o["Id"] != cls.id and o["ClassType"] == 1 for o in offered)
    assert all(world.classes[o["Id"]].unit_number == cls.unit_number for o in offered)
    centers = {o["CenterId"] for o in offered}
    local = call("GET", path + "&includeOnlineCenterClasses=false", student).body
    assert {o["CenterId"] for o in local} <= {student.center_id} and len(local) <= len(offered)
    assert centers <= {student.center_id, *(c.id for c in world.centers.values() if c.is_online)}
    assert call("GET", path + "&includeOnlineCenterClasses=maybe", student).status_code == 400


def test_no_pre_booking_classes(call, cast, tenant):
    student = cast["free"]
    clubs = call("GET", f"/users/{student.id}/noPreBookingClasses?classType=SocialClub", student).body
    assert clubs and all(c["NumberOfSeats"] == 20 for c in clubs)
    assert call("GET", f"/users/{student.id}/noPreBookingClasses?classType=1", student).body == []
    assert call("GET", f"/users/{student.id}/noPreBookingClasses", student).status_code == 400
    assert call("GET", f"/users/{student.id}/noPreBookingClasses?classType=99", student).status_code == 400


def test_self_booking_filters(call, cast):
    student = cast["free"]
    base = f"/v2/users/{student.id}/SelfBooking/availableclasses"
    everything = call("GET", base, student).body
    online = call("GET", base + "?CenterTypes[0]=2", student).body
    assert online and all(o["IsOnline"] for o in online) and len(online) < len(everything)
    mornings = call("GET", base + "?TimeSlots=08:00-12:00&TimeZoneOffset=-03:00:00", student).body
    assert all(5 <= int(o["DateTime"][11:13]) < 15 for o in mornings)  # 08-12 at UTC-3
    for bad in ("?TimeSlots=8-noon", "?TimeZoneOffset=soon", "?ClassType=Tennis", "?CenterTypes=9"):
        assert call("GET", base + bad, student).status_code == 400, bad


def test_walkthrough_makes_the_user_seasoned(call, cast):
    student = cast["free"]
    state = f"/v2/users/{student.id}/state"
    assert call("GET", state, student).body["IsNewUser"] is True
    for bad in ({"WalkThroughId": "x", "Status": 2, "WalkThroughType": 1}, {"Status": 2},
                {"WalkThroughId": G, "Status": 9, "WalkThroughType": 1}, [1],
                {"WalkThroughId": G, "Status": 2, "WalkThroughType": 1, "UserId": G}):
        assert call("POST", f"/walkthroughs/user/{student.id}/status", student, json=bad).status_code == 400, bad
    done = call("POST", f"/walkthroughs/user/{student.id}/status", student,
                json={"userId": student.id, "walkThroughId": G, "status": 2, "walkThroughType": 1})
    assert done.status_code == 200 and done.data == b""
    body = call("GET", state, student).body
    assert body["IsNewUser"] is False and body["UserId"] == student.id and body["Registration"]


def test_contracts_need_a_territory_token(call, pearson, cast, world, tenant):
    student = cast["free"]
    path = f"/openapi/students/{student.id}/contracts/future/next"
    assert call("GET", path, student).status_code == 401  # a user's token is not a territory's
    own = world.territories[world.centers[student.center_id].territory_id]
    other = next(t for t in world.territories.values() if t.id != own.id)
    now = tenant.clock.now()
    answer = pearson.send("GET", path, territory_token(world, own, now))
    assert answer.status_code == 200
    future = [c for c in world.contracts.values() if c.student_id == student.id and c.start > now]
    assert (answer.body is None) == (not future)
    if future:
        assert answer.body["Id"] == min(future, key=lambda c: c.start).id
        assert answer.body["ContractStatusLabel"] == "Future"
    assert pearson.send("GET", path, territory_token(world, other, now)).status_code == 403
    assert pearson.send("GET", path + "?synchronizeUserData=perhaps", territory_token(world, own, now)) \
        .status_code == 400


def test_next_step_without_a_contract(call, people):
    prospect = people["ProspectWithTrial"]
    assert call("GET", f"/students/{prospect.id}/nextStep", prospect).body == {"Status": "NoActiveContract"}


# -- the token endpoint -----------------------------------------------------------------------------------

def test_token_endpoint(pearson, world, cast):
    creds = world.credentials()["connectToken"]
    student = cast["free"]

    def post(**form: str) -> Any:
        return pearson.call("POST", "/api/connect/token", "connect-token-response", data=form)

    good = {"username": student.email.upper(), "password": "Passw0rd!", "clientId": creds["clientId"],
            "clientSecret": creds["clientSecret"]}
    answer = post(**good)
    assert answer.status_code == 200 and answer.body["expires_in"] == 3600
    assert pearson.send("GET", f"/users/{student.id}/classesInfo", answer.body["access_token"]).status_code == 200
    for change, error in (({"password": "nope"}, "invalid_grant"), ({"username": "nobody"}, "invalid_grant"),
                          ({"clientSecret": "nope"}, "invalid_client"), ({"clientId": "nope"}, "invalid_client"),
                          ({"password": ""}, "invalid_request"), ({"clientSecret": ""}, "invalid_request")):
        refused = post(**{**good, **change})
        assert refused.status_code == 400 and refused.body["error"] == error, change
    territory = creds["territories"][0]
    token = post(clientId=territory["clientId"], clientSecret=territory["clientSecret"])
    assert token.status_code == 200
    assert post(clientId=territory["clientId"], clientSecret="x").body["error"] == "invalid_client"


# -- the shipped fixture ------------------------------------------------------------------------------------

ANA, BRUNO, CARLA = (f"a1000000-0000-4000-8000-00000000000{n}" for n in (1, 2, 3))
DIEGO, OLGA = "b2000000-0000-4000-8000-000000000001", "b2000000-0000-4000-8000-000000000009"


def test_class_bookings_fixture(app, client):
    store = app.state.store
    tenant = store.create_tenant("fx", fixture=by_name("pearson-class-bookings", None))
    world = tenant.world("pearson")
    assert world.counts() == {"centers": 2, "users": 5, "teachers": 1, "sessions": 0, "encounters": 0,
                              "territories": 2, "classes": 6, "bookings": 2, "contracts": 3, "walkthroughs": 0}
    api = PearsonApi(client)
    token = api.call("POST", "/api/connect/token", "connect-token-response", data={
        "username": "diego.alves@example.com", "password": "diego-at-sao-paulo",
        "clientId": "fx.learning-services", "clientSecret": world.client_secret}).body["access_token"]
    bruno = api.send("GET", f"/users/{BRUNO}/encounters/available", token).body
    assert [(e["Id"][-1], e["Status"]) for e in bruno] == [("3", "Booked"), ("4", "Available")]
    ana = api.send("GET", f"/users/{ANA}/classesInfo", token).body
    assert ana["LastCompletedEncounterUnitNumber"] == 3 and [b["BookMode"] for b in ana["BookedClasses"]] == [2]
    # the full class: Ana's staff may not squeeze her in without Override
    refused = api.send("POST", "/classes/BR-SAO-01-00002/book?carryOver=true", token, json={"StudentId": ANA})
    assert refused.status_code == 400 and refused.body["Code"] == 1
    online = api.call("POST", "/api/connect/token", "connect-token-response", data={
        "username": "olga.online@example.com", "password": "Passw0rd!", "clientId": "fx.learning-services",
        "clientSecret": world.client_secret}).body["access_token"]
    assert api.send("GET", f"/users/{ANA}/classesInfo", online).status_code == 200  # the online center's staff
    assert api.send("GET", f"/users/{ANA}/encounters/available", online).status_code == 403
    territory = api.call("POST", "/api/connect/token", "connect-token-response", data={
        "clientId": "fixture.territory-br", "clientSecret": "br-territory-secret"}).body["access_token"]
    future = api.send("GET", f"/openapi/students/{ANA}/contracts/future/next", territory).body
    assert future["ContractId"] == "BR-SAO-01-C100002" and future["ContractStatusLabel"] == "Future"
    assert api.send("GET", f"/openapi/students/{BRUNO}/contracts/future/next", territory).body is None
    assert api.send("GET", f"/students/{CARLA}/nextStep", token).body == {"Status": "NoActiveContract"}


@pytest.mark.parametrize("change,where", [
    ({"bookings": [{"classId": "c7000000-0000-4000-8000-00000000000f", "studentId": ANA}]}, "bookings[0].classId"),
    ({"classes": [{"classType": 1, "centerId": "0b6f3c1e-5a4d-4e2b-9c71-2f8d7a6b5c01", "start": "+1d"}]},
     "classes[0].unitNumber"),
    ({"classes": [{"classType": 9, "unitNumber": 1, "centerId": G, "start": "+1d"}]}, "classes[0].classType"),
    ({"contracts": [{"contractId": "x", "studentId": ANA, "start": "+2d", "end": "+1d"}]}, "contracts[0].end"),
])
def test_class_fixture_problems_are_named(app, change, where):
    doc = json.loads(json.dumps(by_name("pearson-class-bookings", None)))
    doc["pearson"].update(change)
    with pytest.raises(ValidationFailed) as err:
        app.state.store.create_tenant("bad", fixture=doc)
    assert any(where in v for v in err.value.validations), err.value.validations


def test_strict_mode_finds_nothing_to_report_on_the_booking_routes():
    """Under ``--strict`` every request below is documented and every answer keeps its contract (no 500, no
    violation header): the declarations of the routes match what they do."""
    app = create_app({"seed": 42, "strict": True})
    tenant = app.state.store.tenants["default"]
    world: PearsonWorld = tenant.world("pearson")
    api = PearsonApi(app.test_client())
    student = next(u for u in world.users.values() if STUDENT in u.roles and not world.bookings_by_student.get(u.id))
    staff = next(u for u in world.users.values() if STAFF_MEMBER in u.roles and u.center_id == student.center_id)
    creds = world.credentials()["connectToken"]

    def token_of(user: User) -> str:
        return str(api.call("POST", "/api/connect/token", "connect-token-response", data={
            "username": user.email, "password": "Passw0rd!", "clientId": creds["clientId"],
            "clientSecret": creds["clientSecret"]}).body["access_token"])

    mine, theirs = token_of(student), token_of(staff)
    cls = _bookable(world, student, tenant.clock.now())
    s = student.id
    calls = [("GET", f"/users/{s}/encounters/available", mine), ("GET", f"/users/{s}/classesInfo", mine),
             ("GET", f"/users/{s}/noPreBookingClasses?classType=3", mine),
             ("GET", f"/students/{s}/bookings/notEnded?classTypes[0]=1&classTypes[1]=2", mine),
             ("GET", f"/students/{s}/nextStep", mine),
             ("GET", f"/v2/users/{s}/SelfBooking/availableclasses?ClassType=1&CenterTypes[0]=1&TimeSlots[0]=08:00-22:00"
                     "&TimeZoneOffset=-03:00:00", mine),
             ("GET", f"/v2/users/{s}/state", mine), ("GET", f"/centers/{student.center_id}/territory", mine),
             ("GET", f"/centers/{student.center_id}/rebook?classId={cls.id}&includeOnlineCenterClasses=false", theirs),
             ("POST", f"/classes/{cls.id}/book?carryOver=false", theirs),
             ("DELETE", f"/classes/{cls.id}/selfBook/{s}", mine),
             ("DELETE", f"/classes/{cls.id}/selfBook/{s}", mine),  # a refusal keeps the contract too
             ("POST", f"/walkthroughs/user/{s}/status", mine),
             ("GET", f"/classes/{cls.ref_class_id}/details", theirs),
             ("GET", f"/classes/{cls.id}/details/refresh", theirs),
             ("PUT", f"/classes/{cls.id}/UpdateTime?startDate="
                     f"{(cls.start + timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%SZ')}", theirs),
             ("PUT", f"/classes/{cls.id}/UpdateTime?startDate=2000-01-01T00:00:00Z", theirs),  # refused: in contract
             ("GET", f"/staffmembers/{staff.id}/profile", theirs),
             ("GET", f"/api/Class?ssdsClassId={cls.ref_class_id}&source=1", None),
             ("GET", "/api/Class?source=1", None)]
    for method, path, bearer in calls:
        body = {"StudentId": s} if path.endswith("book?carryOver=false") else \
            {"WalkThroughId": G, "Status": 1, "WalkThroughType": 2} if "walkthroughs" in path else None
        answer = api.send(method, path, bearer, **({"json": body} if body is not None else {}))
        assert answer.status_code < 500, (path, answer.data)
        assert STRICT_HEADER not in answer.headers, (path, answer.headers.get(STRICT_HEADER))


def test_center_schedule_for_its_staff_and_its_territory(call, pearson, cast, world, tenant):
    center = cast["free"].center_id
    path = f"/centers/{center}/schedule"
    assert call("GET", path, cast["free"]).status_code == 403  # a student: the page asks for StaffMember
    assert call("GET", path, cast["far_staff"]).status_code == 403  # staff of another center
    everything = call("GET", path, cast["free_staff"]).body
    local = call("GET", path + "?includeOnlineCenterClasses=false", cast["free_staff"]).body
    assert {c["CenterId"] for c in local} == {center} and len(local) < len(everything)
    cls = _bookable(world, cast["free"], tenant.clock.now())
    before = next(c for c in everything if c["Id"] == cls.id)["NumberOfStudents"]
    call("POST", f"/classes/{cls.id}/book", cast["free_staff"], json={"StudentId": cast["free"].id})
    after = call("GET", path, cast["free_staff"]).body
    assert next(c for c in after if c["Id"] == cls.id)["NumberOfStudents"] == before + 1
    own = world.territories[world.centers[center].territory_id]
    other = next(t for t in world.territories.values() if t.id != own.id)
    now = tenant.clock.now()
    for route in (f"/openapi/centers/{center}/schedule", f"/openapi/v2/centers/{center}/schedule"):
        assert pearson.send("GET", route, territory_token(world, own, now)).body == after
        assert pearson.send("GET", route, territory_token(world, other, now)).status_code == 403
        assert call("GET", route, cast["free_staff"]).status_code == 401


def test_v1_state_has_one_registration(call, cast, people):
    student = cast["free"]
    body = call("GET", f"/users/{student.id}/state", student).body
    assert body["Registration"]["IsCurrent"] is True and body["UserId"] == student.id
    prospect = people["ProspectWithTrial"]
    assert call("GET", f"/users/{prospect.id}/state", prospect).body["Registration"] is None
