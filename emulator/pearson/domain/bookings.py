"""Booking a class (staff), cancelling a self-booking (student), and what a student has booked.

A write changes every read that shows it: ``bookings/notEnded``, ``classesInfo``'s booked classes,
``encounters/available`` (the class turns ``Booked``; seats), the SelfBooking list, ``rebook`` (seats) and
``nextStep``. What has ended is decided by the tenant's clock at each read.

Refusals the service decides (a full class, one already booked, one started...) are 400 with the
``ApiProxyResponse`` body (``Code``, ``Message``, ``Fields``); the codes are the emulator's (``choices.ProxyCode``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from emulator.core.errors import BadRequest, Forbidden, NotFound
from emulator.core.wire import new_guid
from emulator.pearson.domain.access import DENIED, Caller, staff_of_center
from emulator.pearson.domain.choices import CLASS_TYPE_NAMES, LAST_UNIT, PRE_BOOKED, BookMode, ClassType, ProxyCode
from emulator.pearson.domain.classes import (
    AtCenter, booking_of, bookings_of_student, last_completed_unit, next_unit, reachable,
)
from emulator.pearson.domain.models import STUDENT, Booking, Center, PearsonClass, PearsonWorld, User


class Refused(BadRequest):
    """A booking rule said no: rendered as an ApiProxyResponse (``pearson.render_error``)."""

    def __init__(self, code: ProxyCode, message: str, fields: str | None = None) -> None:
        super().__init__(message, proxy_code=int(code), proxy_fields=fields)


@dataclass(frozen=True, slots=True)
class BookingView(AtCenter):
    """A booking with its class and center (StudentsBookedClassWithMaterialUrl)."""

    booking: Booking
    cls: PearsonClass
    center: Center
    cancel_available: bool

    @property
    def class_type_name(self) -> str:
        return CLASS_TYPE_NAMES[ClassType(self.cls.class_type)]

    @property
    def materials_url(self) -> str:
        return f"https://materials.pearsonenglish.local/classes/{self.cls.ref_class_id}"


@dataclass(frozen=True, slots=True)
class ProxyAnswer:
    """ApiProxyResponse of a successful call."""

    code: int
    message: str
    fields: str | None = None


def add_booking(world: PearsonWorld, booking: Booking) -> None:
    world.bookings[booking.id] = booking
    world.bookings_by_student.setdefault(booking.student_id, []).append(booking.id)
    world.bookings_by_class.setdefault(booking.class_id, []).append(booking.id)
    world.changed(booking)


def remove_booking(world: PearsonWorld, booking: Booking) -> None:
    del world.bookings[booking.id]
    world.bookings_by_student[booking.student_id].remove(booking.id)
    world.bookings_by_class[booking.class_id].remove(booking.id)
    world.changed(booking)


def student_for_booking(world: PearsonWorld, caller: Caller, student_id: str) -> User:
    """The student named in the body: 404 when unknown, 403 unless the caller is staff of the student's center."""
    student = world.users.get(student_id)
    if student is None:
        raise NotFound(f"No user was found with identifier '{student_id}'.")
    if not staff_of_center(caller, student):
        raise Forbidden(DENIED)
    return student


def book(world: PearsonWorld, caller: Caller, cls: PearsonClass, student: User, now: datetime, *,
         carry_over: bool, override: bool, mode: int | None) -> ProxyAnswer:
    """``POST classes/{classId}/book``: a seat for the student.

    Refused: not a student, a class not booked ahead (joined without booking), one that has started or is
    closed, outside the student's reach (own center or online), already booked by the student, full (unless
    ``Override``), an encounter of another unit than the next (unless ``Override``), or a second encounter
    booked while one has not ended: ``carryOver=true`` moves that booking here instead."""
    if STUDENT not in student.roles:
        raise Refused(ProxyCode.NOT_BOOKABLE, "Only students can be booked into classes.", "StudentId")
    if cls.class_type not in PRE_BOOKED:
        raise Refused(ProxyCode.NOT_BOOKABLE, "This class is joined without booking.", "ClassId")
    if cls.start <= now or cls.closed:
        raise Refused(ProxyCode.CLASS_STARTED, "The class has started or is closed.", "ClassId")
    if not reachable(world, student, cls):
        raise Refused(ProxyCode.WRONG_CENTER, "The class is not at the student's center.", "ClassId")
    if booking_of(world, cls, student.id) is not None:
        raise Refused(ProxyCode.ALREADY_BOOKED, "The student is already booked into this class.", "ClassId")
    if len(world.bookings_by_class.get(cls.id, ())) >= cls.seats and not override:
        raise Refused(ProxyCode.CLASS_FULL, "The class is full.", "ClassId")
    moved: Booking | None = None
    if cls.class_type == ClassType.ENCOUNTER:
        unit = next_unit(world, student, now)
        if cls.unit_number != unit and not override:
            raise Refused(ProxyCode.WRONG_UNIT, f"The student's next encounter is unit {unit or LAST_UNIT}.",
                          "UnitLevel")
        pending = [b for b in bookings_of_student(world, student.id)
                   if world.classes[b.class_id].class_type == ClassType.ENCOUNTER
                   and world.classes[b.class_id].end > now]
        if pending and not carry_over:
            raise Refused(ProxyCode.UNIT_ALREADY_BOOKED,
                          "The student already has an encounter booked; use carryOver to move it.", "ClassId")
        moved = pending[0] if pending else None
    if moved is not None:
        remove_booking(world, moved)
    add_booking(world, Booking(id=new_guid(world.rng), class_id=cls.id, student_id=student.id,
                               book_mode=mode if mode is not None else int(BookMode.STAFF), booked_by=caller.user.id,
                               created=now))
    return ProxyAnswer(code=int(ProxyCode.SUCCESS), message="The class was booked." if moved is None
                       else "The booking was carried over to this class.")


def cancel_self_booking(world: PearsonWorld, cls: PearsonClass, student: User, now: datetime) -> ProxyAnswer:
    """``DELETE classes/{classId}/selfBook/{userIdentifier}``: the student gives the seat back, until the class
    starts."""
    booking = booking_of(world, cls, student.id)
    if booking is None:
        raise Refused(ProxyCode.NOT_BOOKED, "The student is not booked into this class.", "ClassId")
    if cls.start <= now:
        raise Refused(ProxyCode.CLASS_STARTED, "The class has started: the booking can no longer be cancelled.",
                      "ClassId")
    remove_booking(world, booking)
    return ProxyAnswer(code=int(ProxyCode.SUCCESS), message="The booking was cancelled.")


def not_ended(world: PearsonWorld, student: User, now: datetime, class_types: list[int] | None) -> list[BookingView]:
    """The student's bookings whose class has not ended at ``now`` (of the given types), by start."""
    found = []
    for booking in bookings_of_student(world, student.id):
        cls = world.classes[booking.class_id]
        if cls.end > now and (class_types is None or cls.class_type in class_types):
            found.append(BookingView(booking=booking, cls=cls, center=world.centers[cls.center_id],
                                     cancel_available=cls.start > now))
    return sorted(found, key=lambda v: (v.cls.start, v.booking.id))


@dataclass(frozen=True, slots=True)
class ClassesInfo:
    """StudentClassesAggregate."""

    last_completed_encounter_unit_number: int
    booked_classes: list[BookingView]


def classes_info(world: PearsonWorld, student: User, now: datetime) -> ClassesInfo:
    return ClassesInfo(last_completed_unit(world, student, now), not_ended(world, student, now, None))


def next_step(world: PearsonWorld, user: User, now: datetime) -> str:
    """NextStepStatus: no contract running now, course completed, an encounter to attend, or one to book."""
    if not any(c.start <= now < c.end for c in world.contracts.values() if c.student_id == user.id):
        return "NoActiveContract"
    if last_completed_unit(world, user, now) >= LAST_UNIT:
        return "CourseCompleted"
    if any(v.cls.class_type == ClassType.ENCOUNTER for v in not_ended(world, user, now, None)):
        return "AttendEncounter"
    return "BookEncounter"

