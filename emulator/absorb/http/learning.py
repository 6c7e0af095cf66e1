"""Routes of languages, course versions, prerequisites, course evaluations, session attendance, credits, messages
and learning paths (the vendor's v2 pages of those names). Thin handlers; the rules are in ``course_facts``,
``attendance`` and ``learner_records``. Paths are those of the vendor's docs index; lists of the catalogue answer
the v2 envelope (ordered by id), a user's or a session's records a bare array (docs/VENDOR-NOTES.md).
"""
from __future__ import annotations

from datetime import datetime

from flask import Response, jsonify, request

from emulator.core.errors import ValidationFailed
from emulator.core.http import json_body
from emulator.core.openapi import documented
from emulator.absorb.domain import attendance, course_facts, learner_records
from emulator.absorb.http.auth import absorb_call
from emulator.absorb.wire.bodies import load
from emulator.absorb.wire.learning import (
    ATTENDANCE, ATTENDANCE_MARK, COURSE_EVALUATION, COURSE_EVALUATIONS, COURSE_VERSION, COURSE_VERSIONS, CREDIT_TYPE,
    CREDIT_TYPES, LANGUAGE, LANGUAGES, LEARNING_PATH_ITEM, PREREQUISITE, PREREQUISITES, USER_CREDIT, dump_message,
)
from emulator.absorb.domain.models import AbsorbWorld, User
from emulator.absorb.http.routes import (
    BODY_ERRORS, GET_ERRORS, LEGACY_LIST, NESTED_LIST_ERRORS, Listing, bp, legacy_listing, read, read_list,
)


ID_ORDER = " Default order: id."


# -- languages ------------------------------------------------------------------------------------------------------

@read_list("/languages", "List languages." + ID_ORDER, "language-page", query=LEGACY_LIST, admin=False)
def list_languages(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(list(course_facts.LANGUAGES), LANGUAGES, LANGUAGE.dump, "languages")


@read("/languages/<language_id>", "Get a language (its integer id)", "language", admin=False)
def get_language(language_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(LANGUAGE.dump(course_facts.get_language(language_id)))


# -- course versions, prerequisites, evaluations ---------------------------------------------------------------

@read("/course-versions/<guid:version_id>", "Get a course version", "course-version", admin=False)
def get_course_version(version_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(COURSE_VERSION.dump(course_facts.get_course_version(world, version_id)))


@read_list("/course/<guid:course_id>/versions", "List a course's versions." + ID_ORDER,
           "course-version-page", query=LEGACY_LIST, errors=NESTED_LIST_ERRORS, admin=False)
def list_course_versions(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(course_facts.course_versions(world, course_id), COURSE_VERSIONS, COURSE_VERSION.dump,
                    "courseVersions")


@read_list("/prerequisites", "List prerequisites." + ID_ORDER, "prerequisite-page", query=LEGACY_LIST, admin=False)
def list_prerequisites(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(course_facts.list_prerequisites(world), PREREQUISITES, PREREQUISITE.dump, "prerequisites")


@read("/prerequisites/<guid:prerequisite_id>", "Get a prerequisite", "prerequisite", admin=False)
def get_prerequisite(prerequisite_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(PREREQUISITE.dump(course_facts.get_prerequisite(world, prerequisite_id)))


@read_list("/course/<guid:course_id>/prerequisites", "List a course's prerequisites." + ID_ORDER,
           "prerequisite-page", query=LEGACY_LIST, errors=NESTED_LIST_ERRORS, admin=False)
def list_course_prerequisites(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(course_facts.course_prerequisites(world, course_id), PREREQUISITES, PREREQUISITE.dump,
                    "prerequisites")


@read_list("/courses/<guid:course_id>/evaluations", "List a course's evaluations." + ID_ORDER,
           "course-evaluation-page", query=LEGACY_LIST, errors=NESTED_LIST_ERRORS)
def list_course_evaluations(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(course_facts.course_evaluations(world, course_id), COURSE_EVALUATIONS, COURSE_EVALUATION.dump,
                    "courseEvaluations")


# -- attendance -----------------------------------------------------------------------------------------------------

@read("/instructor-led-course-sessions/<guid:session_id>/attendance",
      "List a session's attendance: one row per learner on its roster",
          "attendance-list")
def list_session_attendance(session_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify([ATTENDANCE.dump(row) for row in attendance.session_attendance(world, session_id)])


@bp.put("/instructor-led-course-sessions/<guid:session_id>/attendance")
@documented("Mark learners of a session attended or absent (attended completes their enrollment)",
            body="attendance-request", responses={200: "attendance-list", **GET_ERRORS, **BODY_ERRORS})
@absorb_call()
def update_session_attendance(session_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    raw = json_body(request)
    if not isinstance(raw, list):
        raise ValidationFailed("The body must be an array of attendance marks.",
                               validations=["body: expected an array"])
    marks = [load(ATTENDANCE_MARK, item, f"[{n}]") for n, item in enumerate(raw)]
    rows = attendance.mark_attendance(world, session_id, marks, at=now)
    return jsonify([ATTENDANCE.dump(row) for row in rows])


# -- credits, messages, learning paths --------------------------------------------------------------------------

@read_list("/credits/credit-types", "List credit types." + ID_ORDER, "credit-type-page", query=LEGACY_LIST, admin=False)
def list_credit_types(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(learner_records.list_credit_types(world), CREDIT_TYPES, CREDIT_TYPE.dump, "creditTypes")


@read("/credits/users/<guid:user_id>", "List a user's credits: one row per completed enrollment that awards credits",
      "user-credit-list")
def list_user_credits(user_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify([USER_CREDIT.dump(c) for c in learner_records.user_credits(world, user_id)])


@read("/messages/<guid:message_id>", "Get a message", "message")
def get_message(message_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    message = learner_records.get_message(world, message_id)
    return jsonify(dump_message(message, learner_records.message_names(world, message)))


@read("/users/<guid:user_id>/messages", "List user sent messages (oldest first)", "message-list")
def list_user_messages(user_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify([dump_message(m, learner_records.message_names(world, m))
                    for m in learner_records.sent_messages(world, user_id)])


@read("/learning-path/<guid:user_id>", "Get a user's learning path: their active enrollments in the order to take them",
      "learning-path")
def get_learning_path(user_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    learner, items = learner_records.learning_path(world, user_id)
    return jsonify({"userId": learner.id, "fullName": learner.full_name,
                    "courses": [LEARNING_PATH_ITEM.dump(i) for i in items]})
