"""Pearson's class-booking routes and the emulator's token endpoint: thin handlers on the vendor's blueprint.

Each route's authorization rule is its help page's (``access.RULES``); the domain rules live in ``classes``,
``bookings`` and ``people``; wire formats in ``wire``. Query values are ASP.NET's: booleans ``true``/``false``,
enums by number or name, collections as ``name[0]=..&name[1]=..`` or repeated ``name=``.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from enum import IntEnum

from flask import Response, jsonify, request

from emulator.core.errors import BadRequest, NotFound
from emulator.core.http import bool_arg, current_store, datetime_arg, guid_arg, json_body
from emulator.core.openapi import Param, documented
from emulator.core.wire import is_guid
from emulator.pearson.domain import bookings, classes, people
from emulator.core.tenantcall import bind_tenant
from emulator.pearson.domain.access import (
    Caller, belongs_to_center, target_user, territory_has_center, territory_reaches,
)
from emulator.pearson.http.auth import territory_call, user_call
from emulator.pearson.domain.choices import CenterType, ClassType, WalkThroughStatus, WalkThroughType
from emulator.pearson.domain.models import PearsonWorld, Territory, WalkThrough
from emulator.pearson.http.routes import bp
from emulator.pearson.domain.tokens import TokenRefused, connect_token
from emulator.pearson.wire.bookings import (
    API_PROXY_RESPONSE, AVAILABLE_CLASS_DETAILS, AVAILABLE_ENCOUNTER_FROM_CLASS, BOOK_PARAMETERS, BOOKED_CLASS,
    CLASS_DETAILS, CLASSES_INFO, NO_PRE_BOOKING_CLASS, REGISTRATION, SCHEDULED_CLASS, TERRITORY, TOKEN, USER_STATE,
    USER_STATE_V1, WALKTHROUGH, load_body,
)

ERRORS: dict[int, str | None] = {401: "error", 403: "error", 404: "error"}
INVALID = "The request is invalid."
CLASS_TYPE_PARAM = {"type": "string", "description": "ClassTypes: a number or a name (the emulator's table)."}


# -- students' classes --------------------------------------------------------------------------------

@bp.get("/users/<guid:user_identifier>/encounters/available")
@documented("Gets the encounters of the user's next unit that can still be attended",
            responses={200: "available-encounter-list", **ERRORS})
@user_call("encounters/available")
def get_available_encounters(user_identifier: str, *, world: PearsonWorld, now: datetime, caller: Caller) -> Response:
    student = target_user(world, caller, "encounters/available", user_identifier)
    return jsonify([AVAILABLE_ENCOUNTER_FROM_CLASS.dump(v) for v in classes.available_encounters(world, student, now)])


@bp.get("/users/<guid:user_identifier>/classesInfo")
@documented("Gets the student's last completed encounter unit and booked classes",
            responses={200: "student-classes-aggregate", **ERRORS})
@user_call("classesInfo")
def get_classes_info(user_identifier: str, *, world: PearsonWorld, now: datetime, caller: Caller) -> Response:
    student = target_user(world, caller, "classesInfo", user_identifier)
    return jsonify(CLASSES_INFO.dump(bookings.classes_info(world, student, now)))


@bp.get("/users/<guid:user_identifier>/noPreBookingClasses")
@documented("Gets the classes of a type joined without booking",
            query=(Param("classType", CLASS_TYPE_PARAM, "Required.", required=True),),
            responses={200: "no-pre-booking-class-list", 400: "error", **ERRORS})
@user_call("noPreBookingClasses")
def get_no_pre_booking_classes(user_identifier: str, *, world: PearsonWorld, now: datetime,
                               caller: Caller) -> Response:
    class_type = _enum(ClassType, request.args.get("classType"), "classType", required=True)
    student = target_user(world, caller, "noPreBookingClasses", user_identifier)
    assert class_type is not None
    return jsonify([NO_PRE_BOOKING_CLASS.dump(v) for v in classes.no_prebooking_classes(world, student, now,
                                                                                         class_type)])


@bp.get("/students/<guid:user_identifier>/bookings/notEnded")
@documented("Gets the student's bookings whose class has not ended",
            query=(Param("classTypes[0]", CLASS_TYPE_PARAM), Param("classTypes[1]", CLASS_TYPE_PARAM),
                   Param("classTypes", CLASS_TYPE_PARAM, "Repeated: the same collection.")),
            responses={200: "booked-class-list", 400: "error", **ERRORS})
@user_call("bookings/notEnded")
def get_not_ended_bookings(user_identifier: str, *, world: PearsonWorld, now: datetime, caller: Caller) -> Response:
    class_types = _collection(ClassType, "classTypes")
    if not class_types:
        raise BadRequest(INVALID, validations=["classTypes: required"])
    student = target_user(world, caller, "bookings/notEnded", user_identifier)
    return jsonify([BOOKED_CLASS.dump(v) for v in bookings.not_ended(world, student, now, class_types)])


@bp.get("/students/<guid:user_identifier>/nextStep")
@documented("Gets the student's next step", responses={200: "next-step", **ERRORS})
@user_call("nextStep")
def get_next_step(user_identifier: str, *, world: PearsonWorld, now: datetime, caller: Caller) -> Response:
    user = target_user(world, caller, "nextStep", user_identifier)
    return jsonify({"Status": bookings.next_step(world, user, now)})


@bp.get("/v2/users/<guid:user_identifier>/SelfBooking/availableclasses")
@documented("Gets the classes the student can book",
            query=(Param("ClassType", CLASS_TYPE_PARAM),
                   Param("CenterTypes", {"type": "string"}, "CenterType: 1 in center, 2 online (repeatable)."),
                   Param("CenterTypes[0]", {"type": "string"}), Param("CenterTypes[1]", {"type": "string"}),
                   Param("TimeSlots", {"type": "string"}, "Local-time ranges 'HH:mm-HH:mm' (repeatable)."),
                   Param("TimeSlots[0]", {"type": "string"}), Param("TimeSlots[1]", {"type": "string"}),
                   Param("TimeZoneOffset", {"type": "string"}, "The local time's offset from UTC, '-03:00:00'.")),
            responses={200: "available-class-details-list", 400: "error", **ERRORS})
@user_call("SelfBooking/availableclasses")
def get_self_booking_classes(user_identifier: str, *, world: PearsonWorld, now: datetime, caller: Caller) -> Response:
    class_type = _enum(ClassType, request.args.get("ClassType"), "ClassType")
    center_types = _collection(CenterType, "CenterTypes")
    slots = [_slot(raw) for raw in _raw_collection("TimeSlots")]
    offset = _offset(request.args.get("TimeZoneOffset"))
    student = target_user(world, caller, "SelfBooking/availableclasses", user_identifier)
    found = classes.self_booking_classes(world, student, now, class_type, center_types, slots, offset)
    return jsonify([AVAILABLE_CLASS_DETAILS.dump(v) for v in found])


# -- booking ------------------------------------------------------------------------------------------

@bp.post("/classes/<class_id>/book")
@documented("Books a class for the student named in the body (staff of the student's center)",
            query=(Param("carryOver", {"type": "boolean"}, "Move the student's pending encounter booking here."),),
            body="class-book-parameters", responses={200: "api-proxy-response", 400: "error", 415: "error", **ERRORS})
@user_call("book")
def book_class(class_id: str, *, world: PearsonWorld, now: datetime, caller: Caller) -> Response:
    carry_over = _bool("carryOver", False)
    body = load_body(BOOK_PARAMETERS, json_body(request))
    student = bookings.student_for_booking(world, caller, body["student_id"])
    cls = classes.get_class(world, class_id)
    answer = bookings.book(world, caller, cls, student, now, carry_over=carry_over,
                           override=bool(body["override"]), mode=body["booked_mode"])
    return jsonify(API_PROXY_RESPONSE.dump(answer))


@bp.delete("/classes/<guid:class_id>/selfBook/<guid:user_identifier>")
@documented("Cancels the student's booking of a class (the student)",
            responses={200: "api-proxy-response", 400: "error", **ERRORS})
@user_call("selfBook")
def cancel_self_booking(class_id: str, user_identifier: str, *, world: PearsonWorld, now: datetime,
                        caller: Caller) -> Response:
    student = target_user(world, caller, "selfBook", user_identifier)
    cls = classes.get_class(world, class_id)
    return jsonify(API_PROXY_RESPONSE.dump(bookings.cancel_self_booking(world, cls, student, now)))


@bp.get("/centers/<guid:center_id>/rebook")
@documented("Gets the classes that could replace a booked class",
            query=(Param("classId", {"type": "string", "format": "uuid"}, "Required.", required=True),
                   Param("startDate", {"type": "string"}, "Classes starting after this instant (default: now)."),
                   Param("includeOnlineCenterClasses", {"type": "boolean"}, "Default true.")),
            responses={200: "scheduled-class-list", 400: "error", **ERRORS})
@user_call("rebook")
def get_rebook_options(center_id: str, *, world: PearsonWorld, now: datetime, caller: Caller) -> Response:
    raw_class = request.args.get("classId")
    if not raw_class or not is_guid(raw_class):
        raise BadRequest(INVALID, validations=["classId: a GUID is required"])
    start = _date("startDate")
    include_online = _bool("includeOnlineCenterClasses", True)
    belongs_to_center(caller, center_id)
    center = classes.get_center(world, center_id)
    original = classes.get_class(world, guid_arg(raw_class, "classId"))
    found = classes.rebook_options(world, center, original, start, include_online, now)
    return jsonify([SCHEDULED_CLASS.dump(v) for v in found])


SCHEDULE_QUERY = (Param("startDate", {"type": "string"}, "Classes starting at or after this instant (default: now)."),
                  Param("includeOnlineCenterClasses", {"type": "boolean"}, "Default true."),
                  Param("includeCrossCenterGroupClasses", {"type": "boolean"}, "Accepted; changes nothing here."))


@bp.get("/centers/<guid:center_id>/schedule")
@documented("Gets the center's scheduled classes (staff of the center)", query=SCHEDULE_QUERY,
            responses={200: "scheduled-class-list", 400: "error", **ERRORS})
@user_call("schedule")
def get_center_schedule(center_id: str, *, world: PearsonWorld, now: datetime, caller: Caller) -> Response:
    start, include_online = _schedule_query(cross_default=False)
    belongs_to_center(caller, center_id)
    center = classes.get_center(world, center_id)
    return jsonify([SCHEDULED_CLASS.dump(v) for v in classes.center_schedule(world, center, start, include_online,
                                                                             now)])


@bp.get("/openapi/centers/<guid:center_id>/schedule", endpoint="get_openapi_center_schedule")
@bp.get("/openapi/v2/centers/<guid:center_id>/schedule", endpoint="get_openapi_v2_center_schedule")
@documented("Gets the center's scheduled classes (a territory's token)", query=SCHEDULE_QUERY,
            responses={200: "scheduled-class-list", 400: "error", **ERRORS})
@territory_call
def get_openapi_center_schedule(center_id: str, *, world: PearsonWorld, now: datetime,
                                territory: Territory) -> Response:
    start, include_online = _schedule_query(cross_default=True)
    center = classes.get_center(world, center_id)
    territory_has_center(territory, center)
    return jsonify([SCHEDULED_CLASS.dump(v) for v in classes.center_schedule(world, center, start, include_online,
                                                                             now)])


@bp.get("/classes/<ssds_class_id>/details", endpoint="get_class_details")
@bp.get("/classes/<ssds_class_id>/details/refresh", endpoint="get_class_details_refresh")
@documented("Gets a class's details and the students booked into it (staff of the class's center)",
            responses={200: "class-details", **ERRORS})
@user_call("classes/details")
def get_class_details(ssds_class_id: str, *, world: PearsonWorld, now: datetime, caller: Caller) -> Response:
    cls = classes.get_class(world, ssds_class_id)
    belongs_to_center(caller, cls.center_id)
    return jsonify(CLASS_DETAILS.dump(classes.class_details(world, cls, now)))


@bp.put("/classes/<ssds_class_id>/UpdateTime")
@documented("Moves a class to a new start time (a staff member); its bookings move with it",
            query=(Param("startDate", {"type": "string"}, "The new start (not in the past). Required here.",
                         required=True),),
            responses={200: "class-details", 400: "error", **ERRORS})
@user_call("UpdateTime")
def update_class_time(ssds_class_id: str, *, world: PearsonWorld, now: datetime, caller: Caller) -> Response:
    start = _date("startDate")
    if start is None:
        raise BadRequest(INVALID, validations=["startDate: required"])
    cls = classes.get_class(world, ssds_class_id)
    classes.move_class(world, cls, start, now)
    return jsonify(CLASS_DETAILS.dump(classes.class_details(world, cls, now)))


@bp.get("/openapi/classes/<ref_class_id>/details")
@documented("Gets a class's details and the students booked into it (a territory's token)",
            responses={200: "class-details", **ERRORS})
@territory_call
def get_openapi_class_details(ref_class_id: str, *, world: PearsonWorld, now: datetime,
                              territory: Territory) -> Response:
    cls = classes.get_class(world, ref_class_id)
    territory_has_center(territory, world.centers[cls.center_id])
    return jsonify(CLASS_DETAILS.dump(classes.class_details(world, cls, now)))


def _schedule_query(*, cross_default: bool) -> tuple[datetime | None, bool]:
    start = _date("startDate")
    include_online = _bool("includeOnlineCenterClasses", True)
    _bool("includeCrossCenterGroupClasses", cross_default)
    return start, include_online


# -- centers and people ---------------------------------------------------------------------------------

@bp.get("/centers/<guid:center_id>/territory")
@documented("Get territory by center id", responses={200: "territory", **ERRORS})
@user_call("territory")
def get_center_territory(center_id: str, *, world: PearsonWorld, now: datetime, caller: Caller) -> Response:
    return jsonify(TERRITORY.dump(people.territory_of_center(world, center_id)))


@bp.post("/walkthroughs/user/<guid:user_identifier>/status")
@documented("Saves the user's walkthrough status (the user)", body="walkthrough-history",
            responses={200: None, 400: "error", 415: "error", **ERRORS})
@user_call("walkthroughs")
def post_walkthrough_status(user_identifier: str, *, world: PearsonWorld, now: datetime, caller: Caller) -> Response:
    body = load_body(WALKTHROUGH, json_body(request))
    user = target_user(world, caller, "walkthroughs", user_identifier)
    if body["user_id"] is not None and body["user_id"] != user.id:
        raise BadRequest(INVALID, validations=["UserId: must be the user in the path"])
    status = _enum(WalkThroughStatus, str(body["status"]), "Status", required=True)
    kind = _enum(WalkThroughType, str(body["walk_through_type"]), "WalkThroughType", required=True)
    assert status is not None and kind is not None
    people.set_walkthrough_status(world, WalkThrough(user_id=user.id, walkthrough_id=body["walk_through_id"],
                                                     status=status, walkthrough_type=kind, updated=now))
    return Response(status=200)  # IHttpActionResult: Ok(), no content


@bp.get("/v2/users/<guid:user_identifier>/state")
@documented("Gets the User's state information", responses={200: "user-state", **ERRORS})
@user_call("state")
def get_user_state(user_identifier: str, *, world: PearsonWorld, now: datetime, caller: Caller) -> Response:
    user = target_user(world, caller, "state", user_identifier)
    return jsonify(USER_STATE.dump(people.user_state(world, user, now)))


@bp.get("/users/<guid:user_identifier>/state")
@documented("Gets the User's state information (v1: Registration is one object, the current contract)",
            responses={200: "user-state-v1", **ERRORS})
@user_call("state")
def get_user_state_v1(user_identifier: str, *, world: PearsonWorld, now: datetime, caller: Caller) -> Response:
    user = target_user(world, caller, "state", user_identifier)
    return jsonify(USER_STATE_V1.dump(people.user_state(world, user, now)))


@bp.get("/openapi/students/<guid:user_identifier>/contracts/future/next")
@documented("Gets the student's next future contract (a territory's token)",
            query=(Param("synchronizeUserData", {"type": "boolean"}, "Default true (nothing to synchronize here)."),),
            responses={200: "next-future-registration", 400: "error", **ERRORS})
@territory_call
def get_next_future_contract(user_identifier: str, *, world: PearsonWorld, now: datetime,
                             territory: Territory) -> Response:
    _bool("synchronizeUserData", True)
    user = world.users.get(user_identifier)
    if user is None:
        raise NotFound(f"No user was found with identifier '{user_identifier}'.")
    territory_reaches(world, territory, user)
    found = people.next_future_contract(world, user, now)
    return jsonify(None if found is None else REGISTRATION.dump(found))


# -- the emulator's token endpoint --------------------------------------------------------------------

@bp.post("/api/connect/token")
@documented("Get a token (the emulator's: password-grant style form, or a territory's client alone)",
            body="connect-token-request", body_media="application/x-www-form-urlencoded", auth=False,
            responses={200: "connect-token-response", 400: "error"})
def post_connect_token() -> Response:
    form = {k: v for k, v in request.form.items() if isinstance(v, str)}
    tenant = current_store().tenant_for("pearson", form.get("clientId"))
    if tenant is None:
        raise TokenRefused("invalid_client", "The client credentials are invalid.")
    bind_tenant(tenant, "pearson")
    with tenant.lock:
        answer = connect_token(PearsonWorld.of(tenant), form, tenant.clock.now())
    return jsonify(TOKEN.dump(answer))


# -- ASP.NET query binding ------------------------------------------------------------------------------

def _raw_collection(name: str) -> list[str]:
    """``name=a&name=b`` and ``name[0]=a&name[1]=b`` (indexes in order)."""
    indexed = re.compile(re.escape(name) + r"\[(\d+)\]")
    values = list(request.args.getlist(name))
    keyed = sorted((int(m.group(1)), k) for k in request.args if (m := indexed.fullmatch(k)))
    for _, key in keyed:
        values.extend(request.args.getlist(key))
    return [v for v in values if v != ""]


def _collection(enum: type[IntEnum], name: str) -> list[int]:
    found = [_enum(enum, raw, name, required=True) for raw in _raw_collection(name)]
    return [v for v in found if v is not None]


def _enum(enum: type[IntEnum], raw: str | None, name: str, *, required: bool = False) -> int | None:
    """An enum by number or by name (any case), as ASP.NET binds it; 400 when unknown or required and absent."""
    if raw is None or raw.strip() == "":
        if required:
            raise BadRequest(INVALID, validations=[f"{name}: required"])
        return None
    text = raw.strip()
    by_name = {m.name.replace("_", "").lower(): int(m) for m in enum}
    if re.fullmatch(r"-?[0-9]{1,9}", text) and int(text) in {int(m) for m in enum}:
        return int(text)
    if text.lower() in by_name:
        return by_name[text.lower()]
    raise BadRequest(INVALID, validations=[f"{name}: '{raw}' is not a {enum.__name__} value"])


def _bool(name: str, default: bool) -> bool:
    try:
        return bool_arg(request.args, name, default)
    except BadRequest as err:
        raise BadRequest(INVALID, validations=err.validations) from None


def _date(name: str) -> datetime | None:
    try:
        return datetime_arg(request.args, name)
    except BadRequest as err:
        raise BadRequest(INVALID, validations=err.validations) from None


_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def _slot(raw: str) -> tuple[time, time]:
    """``HH:mm-HH:mm`` (the end excluded; ``24:00`` allowed as the end)."""
    low, _, high = raw.partition("-")
    start = _CLOCK.fullmatch(low.strip())
    end = _CLOCK.fullmatch(high.strip()) if high.strip() != "24:00" else None
    if start is None or (end is None and high.strip() != "24:00"):
        raise BadRequest(INVALID, validations=[f"TimeSlots: '{raw}' is not 'HH:mm-HH:mm'"])
    first = time(int(start.group(1)), int(start.group(2)))
    last = time(23, 59, 59, 999999) if end is None else time(int(end.group(1)), int(end.group(2)))
    return first, last


_OFFSET = re.compile(r"([+-])?(\d{1,2}):([0-5]\d)(?::([0-5]\d))?")


def _offset(raw: str | None) -> timedelta:
    """A .NET TimeSpan such as ``-03:00:00`` (or ``-03:00``), at most 14 hours; absent: UTC."""
    if raw is None or raw.strip() == "":
        return timedelta(0)
    match = _OFFSET.fullmatch(raw.strip())
    if match is None or int(match.group(2)) > 14:
        raise BadRequest(INVALID, validations=[f"TimeZoneOffset: '{raw}' is not a time interval like '-03:00:00'"])
    sign, hours, minutes, seconds = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0))
    return -delta if sign == "-" else delta

