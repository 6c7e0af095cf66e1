"""Routes of the currently authenticated user (the learner's side of the Integration API v2): ``my-details``
(the vendor's Users page), ``my-courses`` and ``my-catalog`` (its Courses page), ``POST /my-enrollments``
(its Enrollments page). Thin handlers; the rules are ``catalogue``'s. A learner's token opens them, and so does
an administrator's (for the administrator's own record).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask import Response, jsonify, request

from emulator.core.http import guid_arg, json_body
from emulator.core.openapi import Param, documented
from emulator.absorb.domain import catalogue, curricula
from emulator.absorb.http.auth import absorb_call
from emulator.absorb.wire.bodies import MY_ENROLLMENT, load
from emulator.absorb.domain.models import AbsorbWorld, User
from emulator.absorb.http.routes import (
    BODY_ERRORS, CALL_ERRORS, GET_ERRORS, LEGACY_PAGING, LIST_ERRORS, PAGED, Listing, _created, bp, paged, read_list,
    wire,
)
from emulator.absorb.wire.schemas import COURSE, COURSES, USER, dump
from emulator.absorb.domain.choices import CHOICES

CURRICULUM_ID = Param("curriculumId", {"type": "string", "format": "uuid"},
                      "Only the courses of this curriculum (the caller's enrollments in it); the page then carries "
                      "the caller's curriculumEnrollment, rolled up from those enrollments (null: not enrolled; "
                      "without curriculumId always null).")


@bp.get("/my-details")
@documented("Get the currently authenticated user's details", responses={200: "user", **CALL_ERRORS})
@absorb_call(admin=False)
def get_my_details(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(dump(world, USER, user))


@bp.get("/my-courses")
@documented("List the currently authenticated user's courses (their active enrollments). Default order: id.",
            query=PAGED + LEGACY_PAGING + (CURRICULUM_ID,), responses={200: "my-course-page", **LIST_ERRORS, 404: None})
@absorb_call(admin=False)
@paged
def list_my_courses(*, world: AbsorbWorld, now: datetime, user: User, args: Mapping[str, str]) -> Listing:
    raw = args.get("curriculumId")
    curriculum_id = guid_arg(raw, "curriculumId") if raw else None
    courses = catalogue.my_courses(world, user, curriculum_id)
    standing = (curricula.curriculum_enrollment(world, user, catalogue.get_curriculum(world, curriculum_id))
                if curriculum_id is not None else None)
    return Listing(courses, COURSES, wire(world, COURSE), key="courses", deprecated=False, legacy_paging=True,
                   extra={"curriculumEnrollment": curricula.to_wire(standing)})


@read_list("/my-catalog", f"List the courses the currently authenticated user may enroll in "
            f"(at most {CHOICES.my_catalog_max_limit} per page). Default order: id.",
           "course-page", query=PAGED + LEGACY_PAGING, admin=False)
def list_my_catalog(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(catalogue.my_catalog(world, user), COURSES, wire(world, COURSE), key="courses", deprecated=False,
                   legacy_paging=True, max_limit=CHOICES.my_catalog_max_limit)


@bp.post("/my-enrollments")
@documented("Enroll the currently authenticated user in a course (in a session for an instructor-led course)",
            body="my-enrollment-request",
            responses={201: "my-enrollment-created", **GET_ERRORS, **BODY_ERRORS})
@absorb_call(admin=False)
def create_my_enrollment_with_body(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    body = load(MY_ENROLLMENT, json_body(request))
    enrollment, session = catalogue.self_enroll(world, user, body["course_id"], body.get("session_id"), at=now)
    answer = {"enrollmentId": enrollment.id, "courseId": enrollment.course_id, "userId": user.id}
    if session is not None:
        answer |= {"sessionId": session.session_id, "sessionEnrollmentId": session.id}
    return _created(answer)
