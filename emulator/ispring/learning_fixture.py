"""The learning part of an iSpring fixture (and of ``data.json``): courses with their modules, enrollments with
their progress. Both keys are optional; a fixture without them has an empty catalogue.

    "courses":     [{"id", "title", "description"?, "dueDays"?,
                     "modules": [{"id", "itemId"?, "title", "type"? (iSpringSuiteModule), "passingScore"?}]}]
    "enrollments": [{"id", "courseId", "learnerId", "accessDate" (yyyy-mm-dd), "dueDateType"? (unlimited),
                     "dueDate"?, "duePeriod"?, "lockAfterDueDate"?, "courseStatus"?, "completionDate"?,
                     "modules": [{"moduleId", "status", "completionDate"?, "score"?}]}]
    "points":      [{"userId", "amount" (negative: withdrawn), "reason"?, "date"?}]

Module items and dates left out are seeded (ids) or the tenant's anchor (dates); the author is the account
owner (else the first user)."""
from __future__ import annotations

from datetime import datetime
from random import Random
from typing import Any

from marshmallow import fields, validate

from ..core.fixtures import DateTime, Strict
from ..core.wire import Guid, iso_z, new_guid
from . import content, enrollments, results
from .models import ContentItem, CourseModule, Enrollment, ISpringWorld, ModuleProgress, PointsEntry


class FixtureModuleSchema(Strict):
    id = Guid(required=True)
    item_id = Guid(load_default=None, allow_none=True)
    title = fields.String(required=True, validate=validate.Length(min=1))
    type = fields.String(load_default="iSpringSuiteModule", validate=validate.OneOf(content.CONTENT_TYPES))
    passing_score = fields.Float(load_default=None, allow_none=True)


class FixtureCourseSchema(Strict):
    id = Guid(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1))
    description = fields.String(load_default="")
    due_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    modules = fields.List(fields.Nested(FixtureModuleSchema), load_default=list)


class FixtureProgressSchema(Strict):
    module_id = Guid(required=True)
    status = fields.String(required=True, validate=validate.OneOf(results.COMPLETION_STATUSES))
    completion_date = DateTime(load_default=None)
    score = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0, max=100))


class FixturePointsSchema(Strict):
    user_id = Guid(required=True)
    amount = fields.Float(required=True, allow_nan=False)
    reason = fields.String(load_default="")
    date = DateTime(load_default=None)


class FixtureEnrollmentSchema(Strict):
    id = Guid(required=True)
    course_id = Guid(required=True)
    learner_id = Guid(required=True)
    access_date = fields.Date(required=True)
    due_date_type = fields.String(load_default="unlimited", validate=validate.OneOf(enrollments.DUE_DATE_TYPES))
    due_date = fields.Date(load_default=None, allow_none=True)
    due_period = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    lock_after_due_date = fields.Boolean(load_default=False)
    course_status = fields.String(load_default=None, allow_none=True,
                                  validate=validate.OneOf([s for s in results.COURSE_STATUSES if s != "automatic"]))
    completion_date = DateTime(load_default=None)
    modules = fields.List(fields.Nested(FixtureProgressSchema), load_default=list)


def apply_learning(world: ISpringWorld, doc: dict[str, Any], rng: Random, anchor: datetime) -> None:
    """The fixture's courses and enrollments (checked already: ``fixture_plan``)."""
    author = next((u.id for u in world.users.values() if u.role == "ACCOUNT_OWNER"), None) or \
        next(iter(world.users), new_guid(rng))
    for c in doc.get("courses") or []:
        made = ContentItem(id=c["id"], title=c["title"], content_type="Course", author_id=author, added=anchor,
                           description=c["description"], due_days=c["due_days"])
        world.content[made.id] = made
        for j, m in enumerate(c["modules"]):
            item_id = m["item_id"] or new_guid(rng)
            world.content[item_id] = ContentItem(id=item_id, title=m["title"], content_type=m["type"],
                                                 author_id=author, added=anchor)
            world.modules[m["id"]] = CourseModule(id=m["id"], item_id=item_id, course_id=made.id, title=m["title"],
                                                  description="", author_id=author, added=anchor, number=j + 1,
                                                  passing_score=m["passing_score"])
            made.module_ids.append(m["id"])
    _build_enrollments(world, doc, anchor)
    for p in doc.get("points") or []:
        world.points.append(PointsEntry(user_id=p["user_id"], amount=p["amount"], reason=p["reason"],
                                        at=p["date"] or anchor))


def _build_enrollments(world: ISpringWorld, doc: dict[str, Any], anchor: datetime) -> None:
    for e in doc.get("enrollments") or []:
        enrollment = Enrollment(id=e["id"], course_id=e["course_id"], learner_id=e["learner_id"],
                                access=e["access_date"], due_type=e["due_date_type"], due=e["due_date"],
                                due_period=e["due_period"], lock_after_due=e["lock_after_due_date"], created=anchor,
                                course_status=e["course_status"],
                                completed=(e["completion_date"] or anchor) if e["course_status"] else None)
        for p in e["modules"]:
            final = p["status"] in results.FINAL
            enrollment.modules[p["module_id"]] = ModuleProgress(
                status=p["status"], progress=100.0 if p["status"] in results.COMPLETED else 0.0,
                completed=(p["completion_date"] or anchor) if final else None, score=p["score"],
                views=0 if p["status"] == "not_started" else 1)
        world.enrollments[enrollment.id] = enrollment


def dump_learning(world: ISpringWorld) -> dict[str, Any]:
    """Courses and enrollments in the fixture format (seeded catalogues too: materials become module items)."""
    courses = [{"id": c.id, "title": c.title, "description": c.description, "dueDays": c.due_days,
                "modules": [{"id": m.id, "itemId": m.item_id, "title": m.title,
                             "type": world.content[m.item_id].content_type if m.item_id in world.content
                             else "iSpringSuiteModule", "passingScore": m.passing_score}
                            for m in content.course_modules(world, c)]}
               for c in world.content.values() if c.content_type == "Course"]
    return {"courses": courses, "enrollments": [_dump_enrollment(e) for e in world.enrollments.values()],
            "points": [{"userId": p.user_id, "amount": p.amount, "reason": p.reason, "date": iso_z(p.at)}
                       for p in world.points]}


def _dump_enrollment(e: Enrollment) -> dict[str, Any]:
    return {"id": e.id, "courseId": e.course_id, "learnerId": e.learner_id, "accessDate": e.access.isoformat(),
            "dueDateType": e.due_type, "dueDate": e.due.isoformat() if e.due else None, "duePeriod": e.due_period,
            "lockAfterDueDate": e.lock_after_due, "courseStatus": e.course_status,
            "completionDate": iso_z(e.completed),
            "modules": [{"moduleId": m, "status": p.status, "completionDate": iso_z(p.completed), "score": p.score}
                        for m, p in e.modules.items()]}
