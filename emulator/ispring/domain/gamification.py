"""iSpring Learn's gamification points and issued certificates.

Plain functions taking the world first; routes call them under the tenant's lock.

- Points are a ledger (``world.points``): ``POST /gamification/points/award`` adds an entry,
  ``.../withdraw`` a negative one; a user's points are the sum. The amount must be positive; a withdrawal
  may not take a user below zero (emulator's choice: 400); the user must exist (400 naming it).
- ``GET /gamification/points`` lists every user who is not deleted (or the ``userIds[]`` named, unknown ones
  left out) with their points, in account order.
- A certificate is issued when an enrollment's course with a certificate becomes completed (``results``);
  ``GET /certificate/{id}`` answers its download URL (the document's ``IssuedCertificate``).

Seeding (``seed_points``): POINTS_PER_MODULE for each completed module of each seeded enrollment, dated at its
completion; certificates for the completed seeded enrollments of courses with one (the Compliance folder's).
"""
from __future__ import annotations

from datetime import datetime
from operator import attrgetter
from random import Random

from emulator.core.errors import BadRequest, NotFound
from emulator.core.wire import new_guid
from emulator.ispring.domain.models import Enrollment, ISpringWorld, PointsEntry

POINTS_PER_MODULE = 10.0
CERTIFICATE_FOLDER = "Compliance"  # the seeded courses of this folder issue certificates


def points_of(world: ISpringWorld) -> dict[str, float]:
    totals: dict[str, float] = {}
    for entry in world.points:
        totals[entry.user_id] = totals.get(entry.user_id, 0.0) + entry.amount
    return totals


def list_points(world: ISpringWorld, user_ids: list[str]) -> list[dict[str, object]]:
    totals = points_of(world)
    wanted = set(user_ids)
    return [{"userId": u.id, "points": totals.get(u.id, 0.0)} for u in world.users.values()
            if u.status != "DELETED" and (not wanted or u.id in wanted)]


def change_points(world: ISpringWorld, user_id: str, amount: float, reason: str, now: datetime, *,
                  withdraw: bool) -> None:
    if not amount > 0:
        raise BadRequest("amount: must be a positive number.")
    user = world.users.get(user_id)
    if user is None or user.status == "DELETED":
        raise BadRequest(f"userId: '{user_id}' is not a user of this account.")
    if not reason.strip():
        raise BadRequest("reason: must not be empty.")
    if withdraw and points_of(world).get(user.id, 0.0) < amount:
        raise BadRequest(f"amount: the user has fewer than {amount:g} points.")
    world.points.append(PointsEntry(user_id=user.id, amount=-amount if withdraw else amount, reason=reason, at=now))


def issue_certificate(world: ISpringWorld, enrollment: Enrollment, issued: datetime) -> None:
    course = world.content.get(enrollment.course_id)
    if course is not None and course.certificate and enrollment.certificate_id is None:
        enrollment.certificate_id, enrollment.certificate_issued = new_guid(world.rng), issued.date()


def certificate_url(world: ISpringWorld, certificate_id: str) -> str:
    if not any(e.certificate_id == certificate_id for e in world.enrollments.values()):
        raise NotFound("Certificate not found")
    return f"{world.account_url}/app/certificates/{certificate_id}.pdf"


def seed_points(world: ISpringWorld, rng: Random, anchor: datetime) -> None:
    folders = {c.id for c in world.content.values() if c.content_type == "Folder" and c.title == CERTIFICATE_FOLDER}
    for course in world.content.values():
        course.certificate = course.content_type == "Course" and course.folder_id in folders
    points = world.points
    for e in world.enrollments.values():
        done = []
        for progress in e.modules.values():
            if progress.completed is not None:
                done.append(progress.completed)
                if progress.status in ("complete", "passed"):
                    points.append(PointsEntry(e.learner_id, POINTS_PER_MODULE, "Module completed",  # by position
                                              progress.completed))
        course = world.content[e.course_id]
        if course.certificate and e.modules and len(done) == len(course.module_ids):
            e.certificate_id, e.certificate_issued = new_guid(rng), max(done).date()
    world.points.sort(key=attrgetter("at"))
