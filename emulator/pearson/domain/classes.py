"""Classes scheduled at centers, and which of them a student may see or book (the tenant's clock decides).

A student reaches the classes of their own center and of the online center. An encounter is for one unit:
a student books the unit after the last one completed (``last_completed_unit``: the seeded progress, raised by
every booked encounter that has ended). Seats are taken by bookings; ``Override`` (staff) books past them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from emulator.core.errors import NotFound
from emulator.core.wire import is_guid
from emulator.pearson.domain.choices import CHOICES, LAST_UNIT, PRE_BOOKED, CenterType, ClassType
from emulator.pearson.domain.models import (
    Booking, Center, PearsonClass, PearsonWorld, Teacher, User, first_name, last_name,
)
from emulator.core.errors import BadRequest


class AtCenter:
    """What the wire says of a view's center (``ClassView``, ``bookings.BookingView``)."""

    __slots__ = ()
    center: Center

    @property
    def online(self) -> bool:
        """A class of the online center is an online class."""
        return self.center.is_online

    @property
    def zoom(self) -> bool:
        """IsZoomEnabledCenter: the online center's classes meet on a video call (the emulator's choice)."""
        return self.center.is_online


@dataclass(frozen=True, slots=True)
class ClassView(AtCenter):
    """A class as one caller sees it: its center, seats taken, and (for a student) its status."""

    cls: PearsonClass
    center: Center
    students: int
    status: str = "Available"
    join_available: bool = False

    @property
    def seats_left(self) -> int:
        return max(0, self.cls.seats - self.students)

    @property
    def categories_text(self) -> str:
        return ", ".join(self.cls.categories)


def add_class(world: PearsonWorld, cls: PearsonClass) -> None:
    world.classes[cls.id] = cls
    world.changed(cls)


def get_class(world: PearsonWorld, ident: str) -> PearsonClass:
    """By GUID, or by the scheduling system's id (``RefClassId``: ``book`` takes a string)."""
    found = world.classes.get(ident.lower()) if is_guid(ident) else None
    if found is None:
        found = next((c for c in world.classes.values() if c.ref_class_id == ident), None)
    if found is None:
        raise NotFound(f"No class was found with identifier '{ident}'.")
    return found


def get_center(world: PearsonWorld, center_id: str) -> Center:
    center = world.centers.get(center_id.lower())
    if center is None:
        raise NotFound(f"No center was found with identifier '{center_id}'.")
    return center


def bookings_of_class(world: PearsonWorld, class_id: str) -> list[Booking]:
    return [world.bookings[i] for i in world.bookings_by_class.get(class_id, ())]


def bookings_of_student(world: PearsonWorld, student_id: str) -> list[Booking]:
    return [world.bookings[i] for i in world.bookings_by_student.get(student_id, ())]


def booking_of(world: PearsonWorld, cls: PearsonClass, student_id: str) -> Booking | None:
    return next((b for b in bookings_of_class(world, cls.id) if b.student_id == student_id), None)


def view(world: PearsonWorld, cls: PearsonClass, student: User | None = None, now: datetime | None = None) -> ClassView:
    taken = len(world.bookings_by_class.get(cls.id, ()))
    status = "Available"
    if student is not None and booking_of(world, cls, student.id) is not None:
        status = "Booked"
    elif cls.closed:
        status = "Cancelled"
    elif taken >= cls.seats:
        status = "Full"
    joinable = now is not None and cls.start - CHOICES.join_window <= now < cls.end
    return ClassView(cls=cls, center=world.centers[cls.center_id], students=taken, status=status,
                     join_available=joinable)


def reachable(world: PearsonWorld, student: User, cls: PearsonClass) -> bool:
    """The student's own center's classes and the online center's."""
    return cls.center_id == student.center_id or world.centers[cls.center_id].is_online


def last_completed_unit(world: PearsonWorld, student: User, now: datetime) -> int:
    """The seeded progress, raised by each booked encounter that has ended at ``now``."""
    done = student.completed_unit
    for booking in bookings_of_student(world, student.id):
        cls = world.classes[booking.class_id]
        if cls.class_type == ClassType.ENCOUNTER and cls.end <= now:
            done = max(done, cls.unit_number)
    return done


def next_unit(world: PearsonWorld, student: User, now: datetime) -> int | None:
    """The unit the student books next; None once the last unit is done."""
    done = last_completed_unit(world, student, now)
    return None if done >= LAST_UNIT else done + 1


def _upcoming(world: PearsonWorld, student: User, now: datetime) -> list[PearsonClass]:
    found = [c for c in world.classes.values() if c.start > now and reachable(world, student, c)]
    return sorted(found, key=lambda c: (c.start, c.id))


def available_encounters(world: PearsonWorld, student: User, now: datetime) -> list[ClassView]:
    """``encounters/available``: encounters of the student's next unit that have not started, with status."""
    unit = next_unit(world, student, now)
    return [view(world, c, student, now) for c in _upcoming(world, student, now)
            if c.class_type == ClassType.ENCOUNTER and c.unit_number == unit and not c.closed]


def self_booking_classes(world: PearsonWorld, student: User, now: datetime, class_type: int | None,
                         center_types: list[int], slots: list[tuple[time, time]],
                         offset: timedelta) -> list[ClassView]:
    """``v2 .../SelfBooking/availableclasses``: classes the student could book, filtered as asked.

    Encounters only for the student's next unit; ``CenterTypes`` picks the own center and/or the online one;
    ``TimeSlots`` are local-time ranges (``TimeZoneOffset`` from UTC) the class's start must fall in."""
    unit = next_unit(world, student, now)
    found = []
    for cls in _upcoming(world, student, now):
        if cls.closed or cls.class_type not in PRE_BOOKED:
            continue
        if class_type is not None and cls.class_type != class_type:
            continue
        if cls.class_type == ClassType.ENCOUNTER and cls.unit_number != unit:
            continue
        kind = CenterType.ONLINE if world.centers[cls.center_id].is_online else CenterType.IN_CENTER
        if center_types and kind not in center_types:
            continue
        local = (cls.start + offset).time()
        if slots and not any(low <= local < high for low, high in slots):
            continue
        found.append(view(world, cls, student, now))
    return found


def no_prebooking_classes(world: PearsonWorld, student: User, now: datetime, class_type: int) -> list[ClassView]:
    """``noPreBookingClasses``: classes of the type joined without booking that have not ended."""
    if class_type in PRE_BOOKED:
        return []
    found = [c for c in world.classes.values() if c.class_type == class_type and c.end > now and not c.closed
             and reachable(world, student, c)]
    return [view(world, c, student, now) for c in sorted(found, key=lambda c: (c.start, c.id))]


def rebook_options(world: PearsonWorld, center: Center, original: PearsonClass, start: datetime | None,
                   include_online: bool, now: datetime) -> list[ClassView]:
    """``centers/{centerId}/rebook``: classes that could take the place of ``original``.

    Same class type (and unit, for encounters), at the center (and the online center unless excluded), not
    closed, starting after ``startDate`` (default: now) and not yet started, the original left out."""
    after = max(start, now) if start is not None else now
    found = []
    for cls in world.classes.values():
        if cls.id == original.id or cls.closed or cls.start <= after or cls.class_type != original.class_type:
            continue
        if original.class_type == ClassType.ENCOUNTER and cls.unit_number != original.unit_number:
            continue
        owner = world.centers[cls.center_id]
        if cls.center_id != center.id and not (include_online and owner.is_online):
            continue
        found.append(cls)
    return [view(world, c) for c in sorted(found, key=lambda c: (c.start, c.id))]


def center_schedule(world: PearsonWorld, center: Center, start: datetime | None, include_online: bool,
                    now: datetime) -> list[ClassView]:
    """``centers/{centerId}/schedule``: the center's classes (and the online center's unless excluded) starting
    at or after ``startDate`` (default: now), closed ones included (``IsClosed``), by start. Cross-center group
    classes are not modelled: ``includeCrossCenterGroupClasses`` changes nothing."""
    after = start if start is not None else now
    found = [c for c in world.classes.values() if c.start >= after
             and (c.center_id == center.id or (include_online and world.centers[c.center_id].is_online))]
    return [view(world, c) for c in sorted(found, key=lambda c: (c.start, c.id))]


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """A student booked into a class (StudentUnitAggregateViewModel: the student and their unit)."""

    student: User
    unit: int  # the student's last completed unit (``last_completed_unit``)

    @property
    def first_name(self) -> str:
        return first_name(self.student.name)

    @property
    def last_name(self) -> str:
        return last_name(self.student.name)


@dataclass(frozen=True, slots=True)
class ClassDetails:
    """ClassDetailsViewModel: a class as staff see it, with its roster (the class's bookings, by booking time).

    The emulator keeps no standby lists: ``standby`` is always empty (as ``NumberOfStudentsOnStandbyList`` is 0)."""

    view: ClassView
    teacher: Teacher | None
    booked: list[RosterEntry]
    standby: list[RosterEntry]

    # the ScheduledClassViewModel part reads the class view's fields
    @property
    def cls(self) -> PearsonClass:
        return self.view.cls

    @property
    def center(self) -> Center:
        return self.view.center

    @property
    def students(self) -> int:
        return self.view.students

    @property
    def online(self) -> bool:
        return self.view.online

    @property
    def zoom(self) -> bool:
        return self.view.zoom

    @property
    def teacher_first_name(self) -> str | None:
        return first_name(self.teacher.name) if self.teacher is not None else None

    @property
    def teacher_last_name(self) -> str | None:
        return last_name(self.teacher.name) if self.teacher is not None else None


def class_details(world: PearsonWorld, cls: PearsonClass, now: datetime) -> ClassDetails:
    """The class, its teacher and the students its bookings hold (the same seats ``schedule`` counts)."""
    booked = sorted(bookings_of_class(world, cls.id), key=lambda b: (b.created, b.id))
    roster = [RosterEntry(student=world.users[b.student_id], unit=last_completed_unit(world, world.users[b.student_id],
                                                                                       now))
              for b in booked if b.student_id in world.users]
    teacher = world.teachers.get(cls.teacher_id) if cls.teacher_id else None
    return ClassDetails(view=view(world, cls), teacher=teacher, booked=roster, standby=[])


def move_class(world: PearsonWorld, cls: PearsonClass, start: datetime, now: datetime) -> None:
    """``UpdateTime``: the class starts at ``start``; its bookings stay and show the new time everywhere.

    Refused (400, the emulator's choice: the page names no rule): a time in the past on the tenant's clock, or a
    class that has already started."""
    if start < now:
        raise BadRequest("The request is invalid.", validations=["startDate: must not be in the past"])
    if cls.start <= now:
        raise BadRequest("The request is invalid.", validations=["ssdsClassId: the class has already started"])
    cls.start = start
    world.changed(cls)
