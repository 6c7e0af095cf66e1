"""Absorb routes of a learner's enrollments: course enrollments (also the caller's own), ILC session
enrollments, chapter and lesson enrollments, and attempts. Thin handlers, as in ``routes`` (whose blueprint,
paging and error statuses they share).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, jsonify, request

from emulator.core import paging
from emulator.core.errors import NotFound, ValidationFailed
from emulator.core.http import bool_arg, guid_arg, guid_list_arg, json_body, no_content
from emulator.core.openapi import Param, documented
from emulator.absorb.domain import attempts, enrollments, lessons, lookups, sessions
from emulator.absorb.http.auth import absorb_call
from emulator.absorb.domain.models import AbsorbWorld, User
from emulator.absorb.domain.availability import check_available
from emulator.absorb.domain import curricula
from emulator.absorb.domain.catalogue import get_curriculum
from emulator.absorb.domain.lookups import get_user
from emulator.absorb.http.routes import (
    BODY_ERRORS, CALL_ERRORS, GET_ERRORS, LIMIT_PATTERN, NESTED_LIST_ERRORS, OFFSET_PATTERN, PAGED, STATUSES,
    Listing, _created, _filters, bp, read, read_list, wire,
)
from emulator.absorb.wire.bodies import ATTEMPT_FINISH, COURSE_ENROLLMENT_UPSERT, load
from emulator.absorb.wire.schemas import (
    ATTEMPT, CHAPTER_ENROLLMENT, COURSE_ENROLLMENT, COURSE_ENROLLMENTS, DEFAULT_SORT, LESSON_ENROLLMENT,
    LESSON_ENROLLMENTS, SESSION_ENROLLMENT, SESSION_ENROLLMENTS, USER_COURSE_ENROLLMENT, USER_COURSE_ENROLLMENTS,
    dump,
)

# Query parameters as the seed documents them, for the OpenAPI document and strict mode.
_STATUS = Param("status", {"type": "integer", "enum": list(STATUSES)}, "The status to filter by.")
_SINCE = Param("modifiedSince", {"type": "string", "anyOf": [{"format": "date-time"}, {"maxLength": 0}]},
               "Enrollments edited at or after this date (empty: any).")
STATUS_SINCE = (_STATUS, _SINCE)
DEPRECATED_PAGED = PAGED + STATUS_SINCE + (
    Param("limit", {"type": "string", "pattern": LIMIT_PATTERN}, "(Deprecated) page size."),
    Param("offset", {"type": "string", "pattern": OFFSET_PATTERN}, "(Deprecated) page number."),
)
RE_ENROLL = (Param("reEnroll", {"type": "boolean"}, "Re-enroll: the active enrollment becomes history."),)
CANCEL = RE_ENROLL + (Param("cancelSession", {"type": "boolean"}, "Cancel the existing session enrollment."),)


def _one(world: AbsorbWorld, item: Any, schema: Any, *, cache: bool = True) -> Response:
    """A single resource; ``status``/``modifiedSince`` on a get narrow it to 404 when they exclude it
    (``cache``: False for a form made on each read, which the wire cache must not keep)."""
    if not _filters([item], request.args):
        raise NotFound("The enrollment does not match the status or modifiedSince given.")
    return jsonify(dump(world, schema, item) if cache else schema.dump(item))


def _many(world: AbsorbWorld, items: list[Any], schema: Any, resource: Any = None) -> Response:
    """An unpaged list: the resource's default sort (``DEFAULT_SORT``) when it has one, else by date, then id."""
    chosen = _filters(items, request.args)
    if resource is not None and resource.name in DEFAULT_SORT:
        ordered = paging.sort(chosen, resource, None, DEFAULT_SORT[resource.name])
    else:
        ordered = sorted(chosen, key=_order)
    return jsonify([dump(world, schema, e) for e in ordered])


def _order(item: Any) -> tuple[Any, str]:
    return (getattr(item, "date_added", None) or getattr(item, "date_enrolled", None) or item.start_date, item.id)


# -- course enrollments -----------------------------------------------------------------------------

@bp.post("/users/<guid:user_id>/enrollments/<guid:course_id>")
@documented("Create enrollment for user and course (a curriculum's id: enroll in the curriculum)", query=RE_ENROLL,
            responses={201: "enrollment-created", **GET_ERRORS, 422: None})
@absorb_call()
def create_enrollment(user_id: str, course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    if curricula.is_curriculum(world, course_id):
        record = curricula.enroll_in_curriculum(world, user_id, course_id,
                                                re_enroll=bool_arg(request.args, "reEnroll"), at=now)
        return _created({"enrollmentId": record.id, "courseId": course_id, "userId": user_id})
    enrollment = enrollments.create_enrollment(world, user_id, course_id, re_enroll=bool_arg(request.args, "reEnroll"),
                                           at=now)
    return _created({"enrollmentId": enrollment.id, "courseId": course_id, "userId": user_id})


@read("/users/<guid:user_id>/enrollments/<guid:course_id>", "Get user's enrollment for specific course",
      "user-course-enrollment", query=STATUS_SINCE)
def get_user_enrollment(user_id: str, course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    if curricula.is_curriculum(world, course_id):
        found = curricula.as_course_enrollment(world, get_user(world, user_id), get_curriculum(world, course_id))
        if found is None:
            raise NotFound(f"The user has no enrollment in curriculum '{course_id}'.")
        return _one(world, found, USER_COURSE_ENROLLMENT, cache=False)
    return _one(world, lookups.get_user_enrollment(world, user_id, course_id), USER_COURSE_ENROLLMENT)


@bp.post("/users/<guid:user_id>/enrollments")
@documented("Create or update course enrollment", query=RE_ENROLL, body="course-enrollment-upsert",
            responses={201: "enrollment-created", **GET_ERRORS, **BODY_ERRORS})
@absorb_call()
def upsert_enrollment(user_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    body = load(COURSE_ENROLLMENT_UPSERT, json_body(request))
    enrollment = enrollments.upsert_enrollment(world, user_id, body, re_enroll=bool_arg(request.args, "reEnroll"),
                                           at=now)
    return _created({"enrollmentId": enrollment.id, "courseId": enrollment.course_id, "userId": user_id})


@read_list("/users/<guid:user_id>/enrollments", "List course enrollments for specific user",
           "user-course-enrollment-page", query=DEPRECATED_PAGED, errors=NESTED_LIST_ERRORS)
def list_user_enrollments(user_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(lookups.list_user_enrollments(world, user_id), USER_COURSE_ENROLLMENTS,
                   wire(world, USER_COURSE_ENROLLMENT))


@bp.post("/enrollments/unenroll")
@documented("Un-enroll users from courses", body="unenroll-request",
            responses={204: None, **CALL_ERRORS, **BODY_ERRORS})
@absorb_call()
def unenroll(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    body = json_body(request)
    if not isinstance(body, list) or not body:
        raise ValidationFailed("The body must be a non-empty array of enrollment ids.",
                               validations=["body: expected a non-empty array of GUIDs"])
    ids = [guid_arg(i, f"body[{n}]") if isinstance(i, str) else guid_arg(repr(i), f"body[{n}]")
           for n, i in enumerate(body)]
    curricula.unenroll(world, ids)
    return no_content()


@read("/enrollments/<guid:enrollment_id>", "Get course enrollment", "user-course-enrollment")
def get_enrollment(enrollment_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(dump(world, USER_COURSE_ENROLLMENT, lookups.get_enrollment(world, enrollment_id)))


@read_list("/courses/<guid:course_id>/enrollments", "List enrollments for specific course",
           "course-enrollment-page", query=DEPRECATED_PAGED, errors=NESTED_LIST_ERRORS)
def list_course_enrollments(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(lookups.list_course_enrollments(world, course_id), COURSE_ENROLLMENTS,
                   wire(world, COURSE_ENROLLMENT))


GUIDS = {"type": "array", "items": {"type": "string", "format": "uuid"}}
BULK_QUERY = (Param("userIds", GUIDS, "The user IDs."), Param("courseIds", GUIDS, "The course IDs."))


@bp.get("/bulk/student-courses")
@documented("List course enrollments for bulk user list", query=BULK_QUERY,
            responses={200: "user-course-enrollment-list", **CALL_ERRORS})
@absorb_call()
def list_bulk_enrollments(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    user_ids = guid_list_arg(request.args, "userIds")
    course_ids = guid_list_arg(request.args, "courseIds")
    return _many(world, lookups.list_bulk_enrollments(world, user_ids, course_ids), USER_COURSE_ENROLLMENT,
                 USER_COURSE_ENROLLMENTS)


# -- the currently authenticated user -------------------------------------------------------------

@read("/my-enrollments/<guid:course_id>", "Get currently authenticated user's course enrollment",
      "user-course-enrollment", query=STATUS_SINCE, admin=False)
def get_my_enrollment(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return _one(world, lookups.get_user_enrollment(world, user.id, course_id), USER_COURSE_ENROLLMENT)


@bp.post("/enroll/<guid:course_id>")
@documented("Create course enrollment for the currently authenticated user", query=RE_ENROLL,
            responses={201: "enrollment-created", **GET_ERRORS, 422: None})
@absorb_call(admin=False)
def create_my_enrollment(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    check_available(world, user, lookups.get_course(world, course_id))
    enrollment = enrollments.create_enrollment(world, user.id, course_id, re_enroll=bool_arg(request.args, "reEnroll"),
                                           at=now)
    return _created({"enrollmentId": enrollment.id, "courseId": course_id, "userId": user.id})


@read_list("/my-enrollments", "List currently authenticated user's course enrollments",
           "user-course-enrollment-page", query=PAGED + STATUS_SINCE, errors=NESTED_LIST_ERRORS, admin=False)
def list_my_enrollments(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(lookups.list_user_enrollments(world, user.id), USER_COURSE_ENROLLMENTS,
                   wire(world, USER_COURSE_ENROLLMENT))


# -- ILC sessions ---------------------------------------------------------------------------------

@read("/users/<guid:user_id>/enrollments/<guid:course_id>/sessions",
      "List user's session enrollments for specific course",
      "session-enrollment-list", query=STATUS_SINCE)
def list_user_session_enrollments(user_id: str, course_id: str, *, world: AbsorbWorld, now: datetime,
                                  user: User) -> Response:
    return _many(world, sessions.list_user_session_enrollments(world, user_id, course_id), SESSION_ENROLLMENT)


@read("/users/<guid:user_id>/enrollments/<guid:course_id>/sessions/<guid:session_id>",
      "Get user's session enrollment for specific course",
      "session-enrollment", query=STATUS_SINCE)
def get_user_session_enrollment(user_id: str, course_id: str, session_id: str, *, world: AbsorbWorld, now: datetime,
                                user: User) -> Response:
    return _one(world, sessions.get_user_session_enrollment(world, user_id, course_id, session_id), SESSION_ENROLLMENT)


@bp.post("/users/<guid:user_id>/enrollments/<guid:course_id>/sessions/<guid:session_id>")
@documented("Create ILC enrollment for user", query=CANCEL,
            responses={201: "ilc-enrollment-created", **GET_ERRORS, 422: None})
@absorb_call()
def create_ilc_enrollment(user_id: str, course_id: str, session_id: str, *, world: AbsorbWorld, now: datetime,
                          user: User) -> Response:
    enrollment, se = sessions.create_ilc_enrollment(
        world, user_id, course_id, session_id, re_enroll=bool_arg(request.args, "reEnroll"),
        cancel_session=bool_arg(request.args, "cancelSession"), at=now)
    return _created({"userId": user_id, "courseId": course_id, "sessionId": session_id,
                     "enrollmentId": enrollment.id, "sessionEnrollmentId": se.id})


@read_list("/courses/<guid:course_id>/sessions/<guid:session_id>/enrollments", "List an ILC's session enrollments",
           "session-enrollment-page", query=PAGED + STATUS_SINCE, errors=NESTED_LIST_ERRORS)
def list_session_enrollments(course_id: str, session_id: str, *, world: AbsorbWorld, now: datetime,
                             user: User) -> Listing:
    return Listing(sessions.list_session_enrollments(world, course_id, session_id), SESSION_ENROLLMENTS,
                   wire(world, SESSION_ENROLLMENT))


# -- chapters and lessons ---------------------------------------------------------------------------

@read("/users/<guid:user_id>/enrollments/<guid:course_id>/chapters", "List chapter enrollments for a specified course",
      "chapter-enrollment-list", query=STATUS_SINCE)
def list_chapter_enrollments(user_id: str, course_id: str, *, world: AbsorbWorld, now: datetime,
                             user: User) -> Response:
    return _many(world, lessons.list_chapter_enrollments(world, user_id, course_id), CHAPTER_ENROLLMENT)


@read("/users/<guid:user_id>/enrollments/<guid:course_id>/chapters/<guid:chapter_id>",
      "Get chapter enrollment for a specified course",
      "chapter-enrollment", query=STATUS_SINCE)
def get_chapter_enrollment(user_id: str, course_id: str, chapter_id: str, *, world: AbsorbWorld, now: datetime,
                           user: User) -> Response:
    return _one(world, lessons.get_chapter_enrollment(world, user_id, course_id, chapter_id), CHAPTER_ENROLLMENT)


@read_list("/courses/<guid:course_id>/lessons/<guid:lesson_id>/enrollments", "Lists enrollments for a lesson",
           "lesson-enrollment-page", query=DEPRECATED_PAGED, errors=NESTED_LIST_ERRORS)
def list_lesson_enrollments_for_lesson(course_id: str, lesson_id: str, *, world: AbsorbWorld, now: datetime,
                                       user: User) -> Listing:
    rows = lessons.list_lesson_enrollments_for_lesson(world, course_id, lesson_id)
    return Listing(rows, LESSON_ENROLLMENTS, wire(world, LESSON_ENROLLMENT), key="lessonEnrollments")


@read("/users/<guid:user_id>/enrollments/<guid:course_id>/chapters/<guid:chapter_id>/lessons/<guid:lesson_id>",
      "Get lesson enrollment",
      "lesson-enrollment", query=STATUS_SINCE)
def get_lesson_enrollment(user_id: str, course_id: str, chapter_id: str, lesson_id: str, *, world: AbsorbWorld,
                          now: datetime, user: User) -> Response:
    found = lessons.get_lesson_enrollment(world, user_id, course_id, lesson_id, chapter_id)
    return _one(world, found, LESSON_ENROLLMENT)


@read("/users/<guid:user_id>/enrollments/<guid:course_id>/lessons",
      "List user's lesson enrollments from specific course",
      "lesson-enrollment-list", query=STATUS_SINCE)
def list_user_lesson_enrollments(user_id: str, course_id: str, *, world: AbsorbWorld, now: datetime,
                                 user: User) -> Response:
    return _many(world, lessons.list_user_lesson_enrollments(world, user_id, course_id), LESSON_ENROLLMENT)


@read("/users/<guid:user_id>/enrollments/<guid:course_id>/lessons/<guid:lesson_id>", "Get user's lesson enrollment",
      "lesson-enrollment", query=STATUS_SINCE)
def get_user_lesson_enrollment(user_id: str, course_id: str, lesson_id: str, *, world: AbsorbWorld, now: datetime,
                               user: User) -> Response:
    return _one(world, lessons.get_lesson_enrollment(world, user_id, course_id, lesson_id), LESSON_ENROLLMENT)


@read("/users/<guid:user_id>/enrollments/<guid:course_id>/chapters/<guid:chapter_id>/lessons",
      "List user's lesson enrollments from specific chapter",
      "lesson-enrollment-list", query=STATUS_SINCE)
def list_chapter_lesson_enrollments(user_id: str, course_id: str, chapter_id: str, *, world: AbsorbWorld, now: datetime,
                                    user: User) -> Response:
    return _many(world, lessons.list_user_lesson_enrollments(world, user_id, course_id, chapter_id), LESSON_ENROLLMENT)


# -- attempts ------------------------------------------------------------------------------------------

@read("/users/<guid:user_id>/enrollments/<guid:course_id>/lessons/<guid:lesson_id>/attempts",
      "List user's attempts for specific lesson",
      "attempt-list")
def list_attempts(user_id: str, course_id: str, lesson_id: str, *, world: AbsorbWorld, now: datetime,
                  user: User) -> Response:
    return jsonify([dump(world, ATTEMPT, a) for a in attempts.list_attempts(world, user_id, course_id, lesson_id)])


@bp.post("/users/<guid:user_id>/enrollments/<guid:course_id>/lessons/<guid:lesson_id>/attempts")
@documented("Start attempt for active lesson enrollment", responses={200: "attempt-started", **GET_ERRORS, 422: None})
@absorb_call()
def start_attempt(user_id: str, course_id: str, lesson_id: str, *, world: AbsorbWorld, now: datetime,
                  user: User) -> Response:
    attempt = attempts.start_attempt(world, user_id, course_id, lesson_id, at=now)
    return jsonify({"attemptId": attempt.id, "courseId": course_id, "userId": user_id})


def _finish(world: AbsorbWorld, attempt: Any, now: datetime) -> Response:
    body = load(ATTEMPT_FINISH, json_body(request))
    attempts.finish_attempt(world, attempt, status=body["status"], score=body.get("score"),
                           start=body.get("start_date"), completion=body.get("completion_date"), at=now)
    return jsonify({"attemptId": attempt.id})


@bp.put("/attempts/<guid:attempt_id>")
@documented("Finish attempt", body="attempt-finish-request",
            responses={200: "attempt-finished", **GET_ERRORS, **BODY_ERRORS})
@absorb_call()
def finish_attempt(attempt_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return _finish(world, attempts.get_attempt(world, attempt_id), now)


@bp.put("/users/<guid:user_id>/enrollments/<guid:course_id>/lessons/<guid:lesson_id>/attempts/<guid:attempt_id>")
@documented("Finish a specific user's lesson attempt", body="attempt-finish-request",
            responses={200: "attempt-finished", **GET_ERRORS, **BODY_ERRORS})
@absorb_call()
def finish_user_attempt(user_id: str, course_id: str, lesson_id: str, attempt_id: str, *, world: AbsorbWorld,
                        now: datetime, user: User) -> Response:
    lookups.get_user(world, user_id)
    lookups.get_course(world, course_id)
    attempt = attempts.get_attempt(world, attempt_id, user_id=user_id, course_id=course_id, lesson_id=lesson_id)
    return _finish(world, attempt, now)
