"""Routes of the catalogue, read by administrators and learners alike (a learner portal browses it): online
courses with their chapters and lessons, instructor-led courses with their sessions, session schedules and venues,
curricula, categories and tags. Thin handlers; the rules are ``catalogue``'s. Paths are those of the vendor's v2
pages (docs/VENDOR-NOTES.md); lists answer the usual envelope, honour the deprecated ``limit``/``offset``, and are
ordered by id (the vendor documents no default sort).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask import Response, jsonify

from emulator.core.errors import NotFound
from emulator.core.http import guid_arg
from emulator.core.openapi import Param, documented
from emulator.absorb.domain import catalogue
from emulator.absorb.http.auth import absorb_call
from emulator.absorb.wire.catalogue import (
    CATEGORIES, CATEGORY, CHAPTER, CHAPTERS, CURRICULA, CURRICULUM, LESSON, LESSONS, SESSION, SESSION_SCHEDULE,
    SESSION_SCHEDULES, SESSIONS, TAG, TAGS, VENUE, VENUES,
)
from emulator.absorb.domain.lookups import find, get_course
from emulator.absorb.domain.models import AbsorbWorld, Course, User
from emulator.absorb.http.routes import GET_ERRORS, LEGACY_PAGING, LIST_ERRORS, PAGED, Listing, bp, paged, wire
from emulator.absorb.wire.schemas import COURSE, COURSES, dump

ID_ORDER = " Default order: id."
LIST = PAGED + LEGACY_PAGING
NESTED_LIST_ERRORS = {**GET_ERRORS, 422: None}
VENUE_ID = Param("venueId", {"type": "string", "format": "uuid"}, "Only this venue's schedules.")


def _listing(items: list[Any], resource: Any, dump_one: Callable[[Any], Any], key: str) -> Listing:
    return Listing(items, resource, dump_one, key=key, deprecated=False, legacy_paging=True)


def _of_type(world: AbsorbWorld, course_id: str, ilc: bool) -> Course:
    """The course, when it is of the kind the route serves (else 404, as for an unknown id)."""
    course = get_course(world, course_id)
    if course.is_ilc != ilc:
        raise NotFound(f"Course '{course_id}' is not {'an instructor-led' if ilc else 'an online'} course.")
    return course


# -- online courses, chapters, lessons ------------------------------------------------------------------------------

@bp.get("/online-courses")
@documented("List online courses." + ID_ORDER, query=LIST, responses={200: "course-page", **LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_online_courses(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing([c for c in world.courses.values() if not c.is_ilc], COURSES, wire(world, COURSE), "courses")


@bp.get("/online-courses/<guid:course_id>")
@documented("Get an online course", responses={200: "course", **GET_ERRORS})
@absorb_call(admin=False)
def get_online_course(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(dump(world, COURSE, _of_type(world, course_id, ilc=False)))


def _chapters(world: AbsorbWorld, course: Course) -> list[Any]:
    return [world.chapters[i] for i in course.chapter_ids]


@bp.get("/online-courses/<guid:course_id>/chapters")
@documented("List an online course's chapters." + ID_ORDER, query=LIST,
            responses={200: "chapter-page", **NESTED_LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_online_course_chapters(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(_chapters(world, _of_type(world, course_id, ilc=False)), CHAPTERS, CHAPTER.dump, "chapters")


@bp.get("/courses/<guid:course_id>/chapters")
@documented("List a course's chapters." + ID_ORDER, query=LIST, responses={200: "chapter-page", **NESTED_LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_course_chapters(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(_chapters(world, get_course(world, course_id)), CHAPTERS, CHAPTER.dump, "chapters")


@bp.get("/chapters")
@documented("List chapters." + ID_ORDER, query=LIST, responses={200: "chapter-page", **LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_chapters(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(list(world.chapters.values()), CHAPTERS, CHAPTER.dump, "chapters")


@bp.get("/chapters/<guid:chapter_id>")
@documented("Get a chapter", responses={200: "chapter", **GET_ERRORS})
@absorb_call(admin=False)
def get_chapter(chapter_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(CHAPTER.dump(find(world.chapters, chapter_id, "Chapter")))


@bp.get("/courses/<guid:course_id>/lessons")
@documented("List a course's lessons." + ID_ORDER, query=LIST, responses={200: "lesson-page", **NESTED_LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_course_lessons(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    course = get_course(world, course_id)
    lessons = [world.lessons[i] for ch in _chapters(world, course) for i in ch.lesson_ids]
    return _listing(lessons, LESSONS, LESSON.dump, "lessons")


@bp.get("/lessons")
@documented("List lessons." + ID_ORDER, query=LIST, responses={200: "lesson-page", **LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_lessons(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(list(world.lessons.values()), LESSONS, LESSON.dump, "lessons")


@bp.get("/lessons/<guid:lesson_id>")
@documented("Get a lesson", responses={200: "lesson", **GET_ERRORS})
@absorb_call(admin=False)
def get_lesson(lesson_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(LESSON.dump(find(world.lessons, lesson_id, "Lesson")))


# -- instructor-led courses, sessions, schedules, venues ----------------------------------------------------------

@bp.get("/instructor-led-courses")
@documented("List instructor-led courses." + ID_ORDER, query=LIST, responses={200: "course-page", **LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_instructor_led_courses(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing([c for c in world.courses.values() if c.is_ilc], COURSES, wire(world, COURSE), "courses")


@bp.get("/instructor-led-courses/<guid:course_id>")
@documented("Get an instructor-led course", responses={200: "course", **GET_ERRORS})
@absorb_call(admin=False)
def get_instructor_led_course(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(dump(world, COURSE, _of_type(world, course_id, ilc=True)))


def _sessions(world: AbsorbWorld, course: Course) -> list[Any]:
    return [world.sessions[i] for i in course.session_ids]


@bp.get("/instructor-led-courses/<guid:course_id>/sessions")
@documented("List an instructor-led course's sessions." + ID_ORDER, query=LIST,
            responses={200: "session-page", **NESTED_LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_instructor_led_course_sessions(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(_sessions(world, _of_type(world, course_id, ilc=True)), SESSIONS, SESSION.dump, "sessions")


@bp.get("/courses/<guid:course_id>/sessions")
@documented("List a course's sessions." + ID_ORDER, query=LIST, responses={200: "session-page", **NESTED_LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_course_sessions(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(_sessions(world, get_course(world, course_id)), SESSIONS, SESSION.dump, "sessions")


@bp.get("/sessions")
@documented("List sessions from all instructor-led courses." + ID_ORDER, query=LIST,
            responses={200: "session-page", **LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_sessions(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(list(world.sessions.values()), SESSIONS, SESSION.dump, "sessions")


@bp.get("/sessions/<guid:session_id>")
@documented("Get a session", responses={200: "session", **GET_ERRORS})
@absorb_call(admin=False)
def get_session(session_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(SESSION.dump(find(world.sessions, session_id, "Session")))


@bp.get("/session-schedules")
@documented("List session schedules (venueId: a venue's schedule)." + ID_ORDER, query=LIST + (VENUE_ID,),
            responses={200: "session-schedule-page", **LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_session_schedules(*, world: AbsorbWorld, now: datetime, user: User, args: Mapping[str, str]) -> Listing:
    raw = args.get("venueId")
    schedules = catalogue.list_schedules(world, guid_arg(raw, "venueId") if raw else None)
    return _listing(schedules, SESSION_SCHEDULES, SESSION_SCHEDULE.dump, "sessionSchedules")


@bp.get("/session-schedules/<guid:schedule_id>")
@documented("Get a session schedule", responses={200: "session-schedule", **GET_ERRORS})
@absorb_call(admin=False)
def get_session_schedule(schedule_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(SESSION_SCHEDULE.dump(catalogue.get_schedule(world, schedule_id)))


@bp.get("/venues")
@documented("List venues." + ID_ORDER, query=LIST, responses={200: "venue-page", **LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_venues(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(list(catalogue.catalogue_of(world).venues.values()), VENUES, VENUE.dump, "venues")


@bp.get("/venues/<guid:venue_id>")
@documented("Get a venue", responses={200: "venue", **GET_ERRORS})
@absorb_call(admin=False)
def get_venue(venue_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(VENUE.dump(catalogue.get_venue(world, venue_id)))


# -- curricula, categories, tags ------------------------------------------------------------------------------------

@bp.get("/curriculums")
@documented("List curricula." + ID_ORDER, query=LIST, responses={200: "curriculum-page", **LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_curricula(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(list(catalogue.catalogue_of(world).curricula.values()), CURRICULA, CURRICULUM.dump, "curriculums")


@bp.get("/curriculums/<guid:curriculum_id>")
@documented("Get a curriculum, with its groups", responses={200: "curriculum", **GET_ERRORS})
@absorb_call(admin=False)
def get_curriculum(curriculum_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(CURRICULUM.dump(catalogue.get_curriculum(world, curriculum_id)))


@bp.get("/categories")
@documented("List categories." + ID_ORDER, query=LIST, responses={200: "category-page", **LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_categories(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(list(catalogue.catalogue_of(world).categories.values()), CATEGORIES, CATEGORY.dump, "categories")


@bp.get("/categories/<guid:category_id>")
@documented("Get a category", responses={200: "category", **GET_ERRORS})
@absorb_call(admin=False)
def get_category(category_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(CATEGORY.dump(catalogue.get_category(world, category_id)))


@bp.get("/tags")
@documented("List tags." + ID_ORDER, query=LIST, responses={200: "tag-page", **LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_tags(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(list(catalogue.catalogue_of(world).tags.values()), TAGS, TAG.dump, "tags")


@bp.get("/tags/<guid:tag_id>")
@documented("Get a tag", responses={200: "tag", **GET_ERRORS})
@absorb_call(admin=False)
def get_tag(tag_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(TAG.dump(catalogue.get_tag(world, tag_id)))
