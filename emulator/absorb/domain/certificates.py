"""Certificates: awarded when a course enrollment completes; read by user, by course and by id.

Rules (the vendor's v2 "Certificates" page lists the three reads; what a certificate holds and when it expires is
the emulator's reading of the course settings, listed in docs/VENDOR-NOTES.md):
- completing a course enrollment (its lessons rolled up to Complete, or an admin's ``status: 3``) awards one
  certificate, once per enrollment; the enrollment's ``certificateId`` names it;
- it expires as the course says: ``expireType`` 1 (Date) on the course's ``expiryDate``, 2 (Duration) that long
  after it was awarded, 0 (None) never;
- a re-enrollment keeps the earlier certificate (history, as the earlier enrollment is); un-enrolling removes the
  enrollment's certificate with it, as it removes everything under the enrollment;
- seeded and fixture enrollments that carry a ``certificateId`` have that certificate, awarded on completion.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from emulator.core.wire import new_guid
from emulator.absorb.domain.lookups import find, get_course, get_user
from emulator.absorb.domain.models import AbsorbWorld, Course, CourseEnrollment, EnrollmentStatus

EXPIRE_NONE, EXPIRE_DATE, EXPIRE_DURATION = 0, 1, 2


@dataclass(slots=True)
class Certificate:
    id: str
    user_id: str
    full_name: str
    course_id: str
    course_name: str
    enrollment_id: str
    acquired_date: datetime
    expiry_date: datetime | None
    date_added: datetime
    date_edited: datetime


def expiry_of(course: Course, acquired: datetime) -> datetime | None:
    """When a certificate for ``course`` awarded at ``acquired`` expires (None: never)."""
    if course.expire_type == EXPIRE_DATE:
        return course.expiry_date
    if course.expire_type == EXPIRE_DURATION and course.expire_duration:
        span = course.expire_duration
        return _add_months(acquired, 12 * span.get("years", 0) + span.get("months", 0)) + timedelta(
            days=span.get("days", 0), hours=span.get("hours", 0))
    return None


def _add_months(at: datetime, months: int) -> datetime:
    """``at`` moved by whole calendar months, the day clipped to the month's last (31 Jan + 1 month: 28/29 Feb)."""
    index = at.month - 1 + months
    year, month = at.year + index // 12, index % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def award(world: AbsorbWorld, enrollment: CourseEnrollment, *, at: datetime, certificate_id: str | None = None) -> \
        Certificate | None:
    """The enrollment's certificate, awarded now if it is complete and has none; None while it is not complete."""
    if enrollment.status != EnrollmentStatus.COMPLETE:
        return None
    existing = world.certificates.get(enrollment.certificate_id or "")
    if existing is not None:
        return existing
    course = world.courses[enrollment.course_id]
    acquired = enrollment.date_completed or at
    cert = Certificate(id=certificate_id or enrollment.certificate_id or new_guid(world.rng),
                       user_id=enrollment.user_id, full_name=enrollment.full_name, course_id=course.id,
                       course_name=course.name, enrollment_id=enrollment.id, acquired_date=acquired,
                       expiry_date=expiry_of(course, acquired), date_added=at, date_edited=at)
    world.certificates[cert.id] = cert
    enrollment.certificate_id = cert.id
    world.changed(cert)
    world.changed(enrollment)
    return cert


def award_existing(world: AbsorbWorld) -> None:
    """Seeding and fixtures: the certificate each completed enrollment names (no draw from the generator)."""
    for enrollment in world.enrollments.values():
        if enrollment.certificate_id and enrollment.certificate_id not in world.certificates:
            award(world, enrollment, at=enrollment.date_completed or enrollment.date_edited)


def withdraw(world: AbsorbWorld, enrollment: CourseEnrollment) -> None:
    """Un-enrolling: the enrollment's certificate leaves every list with it."""
    cert = world.certificates.pop(enrollment.certificate_id or "", None)
    if cert is not None and cert.enrollment_id == enrollment.id:
        world.changed(cert)
    elif cert is not None:  # another enrollment's: not this one's to remove
        world.certificates[cert.id] = cert


def get_certificate(world: AbsorbWorld, certificate_id: str) -> Certificate:
    return find(world.certificates, certificate_id, "Certificate")


def list_user_certificates(world: AbsorbWorld, user_id: str) -> list[Certificate]:
    get_user(world, user_id)
    return [c for c in world.certificates.values() if c.user_id == user_id]


def list_course_certificates(world: AbsorbWorld, course_id: str) -> list[Certificate]:
    get_course(world, course_id)
    return [c for c in world.certificates.values() if c.course_id == course_id]
