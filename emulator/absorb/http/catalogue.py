"""Routes of the catalogue, read by administrators and learners alike (a learner portal browses it): online
courses with their chapters and lessons, instructor-led courses with their sessions, session schedules and venues,
curricula, categories and tags. Thin handlers; the rules are ``catalogue``'s. Paths are those of the vendor's v2
pages (docs/VENDOR-NOTES.md); lists answer the usual envelope, honour the deprecated ``limit``/``offset``, and are
ordered by id (the vendor documents no default sort).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from flask import Response, jsonify

from emulator.core.errors import NotFound
from emulator.core.http import guid_arg
from emulator.core.openapi import Param
from emulator.absorb.domain import catalogue
from emulator.absorb.wire.catalogue import (
    CATEGORIES, CATEGORY, CHAPTER, CHAPTERS, CURRICULA, CURRICULUM, LESSON, LESSONS, SESSION, SESSION_SCHEDULE,
    SESSION_SCHEDULES, SESSIONS, TAG, TAGS, VENUE, VENUES,
)
from emulator.absorb.domain.lookups import find, get_course
from emulator.absorb.domain.models import AbsorbWorld, Course, User
from emulator.absorb.http.routes import LEGACY_LIST, NESTED_LIST_ERRORS, Listing, legacy_listing, read, read_list, wire

from emulator.absorb.wire.schemas import COURSE, COURSES, dump

ID_ORDER = " Default order: id."
VENUE_ID = Param("venueId", {"type": "string", "format": "uuid"}, "Only this venue's schedules.")
# Every catalogue read is open to learners (a learner portal browses the catalogue); its lists take legacy paging.
catalogue_list = partial(read_list, query=LEGACY_LIST, admin=False)
catalogue_read = partial(read, admin=False)


def _of_type(world: AbsorbWorld, course_id: str, ilc: bool) -> Course:
    """The course, when it is of the kind the route serves (else 404, as for an unknown id)."""
    course = get_course(world, course_id)
    if course.is_ilc != ilc:
        raise NotFound(f"Course '{course_id}' is not {'an instructor-led' if ilc else 'an online'} course.")
    return course


# -- online courses, chapters, lessons ------------------------------------------------------------------------------

@catalogue_list("/online-courses", "List online courses." + ID_ORDER, "course-page")
def list_online_courses(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing([c for c in world.courses.values() if not c.is_ilc], COURSES, wire(world, COURSE), "courses")


@catalogue_read("/online-courses/<guid:course_id>", "Get an online course", "course")
def get_online_course(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(dump(world, COURSE, _of_type(world, course_id, ilc=False)))


def _chapters(world: AbsorbWorld, course: Course) -> list[Any]:
    return [world.chapters[i] for i in course.chapter_ids]


@catalogue_list("/online-courses/<guid:course_id>/chapters", "List an online course's chapters." + ID_ORDER,
                "chapter-page", errors=NESTED_LIST_ERRORS)
def list_online_course_chapters(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(_chapters(world, _of_type(world, course_id, ilc=False)), CHAPTERS, CHAPTER.dump, "chapters")


@catalogue_list("/courses/<guid:course_id>/chapters", "List a course's chapters." + ID_ORDER,
                "chapter-page", errors=NESTED_LIST_ERRORS)
def list_course_chapters(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(_chapters(world, get_course(world, course_id)), CHAPTERS, CHAPTER.dump, "chapters")


@catalogue_list("/chapters", "List chapters." + ID_ORDER, "chapter-page")
def list_chapters(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(list(world.chapters.values()), CHAPTERS, CHAPTER.dump, "chapters")


@catalogue_read("/chapters/<guid:chapter_id>", "Get a chapter", "chapter")
def get_chapter(chapter_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(CHAPTER.dump(find(world.chapters, chapter_id, "Chapter")))


@catalogue_list("/courses/<guid:course_id>/lessons", "List a course's lessons." + ID_ORDER,
                "lesson-page", errors=NESTED_LIST_ERRORS)
def list_course_lessons(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    course = get_course(world, course_id)
    lessons = [world.lessons[i] for ch in _chapters(world, course) for i in ch.lesson_ids]
    return legacy_listing(lessons, LESSONS, LESSON.dump, "lessons")


@catalogue_list("/lessons", "List lessons." + ID_ORDER, "lesson-page")
def list_lessons(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(list(world.lessons.values()), LESSONS, LESSON.dump, "lessons")


@catalogue_read("/lessons/<guid:lesson_id>", "Get a lesson", "lesson")
def get_lesson(lesson_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(LESSON.dump(find(world.lessons, lesson_id, "Lesson")))


# -- instructor-led courses, sessions, schedules, venues ----------------------------------------------------------

@catalogue_list("/instructor-led-courses", "List instructor-led courses." + ID_ORDER, "course-page")
def list_instructor_led_courses(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing([c for c in world.courses.values() if c.is_ilc], COURSES, wire(world, COURSE), "courses")


@catalogue_read("/instructor-led-courses/<guid:course_id>", "Get an instructor-led course", "course")
def get_instructor_led_course(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(dump(world, COURSE, _of_type(world, course_id, ilc=True)))


def _sessions(world: AbsorbWorld, course: Course) -> list[Any]:
    return [world.sessions[i] for i in course.session_ids]


@catalogue_list("/instructor-led-courses/<guid:course_id>/sessions",
                "List an instructor-led course's sessions." + ID_ORDER, "session-page", errors=NESTED_LIST_ERRORS)
def list_instructor_led_course_sessions(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(_sessions(world, _of_type(world, course_id, ilc=True)), SESSIONS, SESSION.dump, "sessions")


@catalogue_list("/courses/<guid:course_id>/sessions", "List a course's sessions." + ID_ORDER,
                "session-page", errors=NESTED_LIST_ERRORS)
def list_course_sessions(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(_sessions(world, get_course(world, course_id)), SESSIONS, SESSION.dump, "sessions")


@catalogue_list("/sessions", "List sessions from all instructor-led courses." + ID_ORDER, "session-page")
def list_sessions(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(list(world.sessions.values()), SESSIONS, SESSION.dump, "sessions")


@catalogue_read("/sessions/<guid:session_id>", "Get a session", "session")
def get_session(session_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(SESSION.dump(find(world.sessions, session_id, "Session")))


@catalogue_list("/session-schedules", "List session schedules (venueId: a venue's schedule)." + ID_ORDER,
                "session-schedule-page", query=LEGACY_LIST + (VENUE_ID,))
def list_session_schedules(*, world: AbsorbWorld, now: datetime, user: User, args: Mapping[str, str]) -> Listing:
    raw = args.get("venueId")
    schedules = catalogue.list_schedules(world, guid_arg(raw, "venueId") if raw else None)
    return legacy_listing(schedules, SESSION_SCHEDULES, SESSION_SCHEDULE.dump, "sessionSchedules")


@catalogue_read("/session-schedules/<guid:schedule_id>", "Get a session schedule", "session-schedule")
def get_session_schedule(schedule_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(SESSION_SCHEDULE.dump(catalogue.get_schedule(world, schedule_id)))


@catalogue_list("/venues", "List venues." + ID_ORDER, "venue-page")
def list_venues(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(list(catalogue.catalogue_of(world).venues.values()), VENUES, VENUE.dump, "venues")


@catalogue_read("/venues/<guid:venue_id>", "Get a venue", "venue")
def get_venue(venue_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(VENUE.dump(catalogue.get_venue(world, venue_id)))


# -- curricula, categories, tags ------------------------------------------------------------------------------------

@catalogue_list("/curriculums", "List curricula." + ID_ORDER, "curriculum-page")
def list_curricula(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    curricula = list(catalogue.catalogue_of(world).curricula.values())
    return legacy_listing(curricula, CURRICULA, CURRICULUM.dump, "curriculums")


@catalogue_read("/curriculums/<guid:curriculum_id>", "Get a curriculum, with its groups", "curriculum")
def get_curriculum(curriculum_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(CURRICULUM.dump(catalogue.get_curriculum(world, curriculum_id)))


@catalogue_list("/categories", "List categories." + ID_ORDER, "category-page")
def list_categories(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    categories = list(catalogue.catalogue_of(world).categories.values())
    return legacy_listing(categories, CATEGORIES, CATEGORY.dump, "categories")


@catalogue_read("/categories/<guid:category_id>", "Get a category", "category")
def get_category(category_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(CATEGORY.dump(catalogue.get_category(world, category_id)))


@catalogue_list("/tags", "List tags." + ID_ORDER, "tag-page")
def list_tags(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(list(catalogue.catalogue_of(world).tags.values()), TAGS, TAG.dump, "tags")


@catalogue_read("/tags/<guid:tag_id>", "Get a tag", "tag")
def get_tag(tag_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(TAG.dump(catalogue.get_tag(world, tag_id)))
