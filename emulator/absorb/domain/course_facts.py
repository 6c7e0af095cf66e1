"""Facts about courses read from what the world already holds: languages, course versions, prerequisites and course
evaluations (the vendor's Languages, Course versions, Prerequisites and Course evaluations pages).

Rules (the emulator's choices where the stored vendor material gives no field list; ``CHOICES`` and
docs/VENDOR-NOTES.md):
- languages are the product's fixed list, integer ids (a user's ``languageId`` names one);
- a course has one version, its ``versionId`` (the one its enrollments name as ``courseVersionId``); its id and
  dates are the course's, so it never disagrees with the course;
- a course's prerequisite is one entity derived from its ``prerequisiteCourseIds`` (id: a name-based UUID of the
  course's id): every listed course must be complete, the rule ``POST /my-enrollments`` enforces;
- a course's evaluations are those of its enrollments that still exist (un-enrolling takes one with it).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from emulator.absorb.domain.learning_state import CourseEvaluation, learning_of
from emulator.absorb.domain.lookups import find_in, get_course, get_user, not_found
from emulator.absorb.domain.models import AbsorbWorld, Course

PREREQUISITE_NAMESPACE = uuid.UUID("8a3f5e21-4c6b-4d7e-9f10-2b3c4d5e6f70")  # the emulator's: prerequisite ids
PREREQUISITE_TYPE_COURSES = 0  # the only kind the emulator models: a list of courses, all required


@dataclass(frozen=True, slots=True)
class Language:
    id: int
    name: str
    culture_code: str


LANGUAGES = tuple(Language(n, name, code) for n, (name, code) in enumerate((
    ("English", "en-US"), ("French", "fr-FR"), ("Spanish", "es-ES"), ("German", "de-DE"), ("Portuguese", "pt-BR"),
    ("Italian", "it-IT"), ("Dutch", "nl-NL"), ("Japanese", "ja-JP"), ("Chinese (Simplified)", "zh-CN"),
    ("French (Canada)", "fr-CA")), start=1))
LANGUAGES_BY_ID = {language.id: language for language in LANGUAGES}


def get_language(language_id: str) -> Language:
    """The language with this id (as the path gives it: ASCII digits, else 404 as for an unknown id)."""
    digits = language_id.isascii() and language_id.isdigit() and len(language_id) < 10
    found = LANGUAGES_BY_ID.get(int(language_id)) if digits else None
    if found is None:
        raise not_found("Language", language_id)
    return found


@dataclass(frozen=True, slots=True)
class CourseVersion:
    id: str
    course_id: str
    course_name: str
    version_number: int
    is_current: bool
    date_added: datetime | None
    date_edited: datetime | None


def version_of(course: Course) -> CourseVersion:
    return CourseVersion(course.version_id, course.id, course.name, 1, True, course.date_added, course.date_edited)


def course_versions(world: AbsorbWorld, course_id: str) -> list[CourseVersion]:
    return [version_of(get_course(world, course_id))]


def get_course_version(world: AbsorbWorld, version_id: str) -> CourseVersion:
    return find_in((version_of(c) for c in world.courses.values()), version_id, "Course version")


@dataclass(frozen=True, slots=True)
class Prerequisite:
    id: str
    course_id: str
    course_name: str
    prerequisite_type: int
    course_ids: tuple[str, ...]
    required_number: int


def prerequisite_of(course: Course) -> Prerequisite | None:
    if not course.prerequisite_course_ids:
        return None
    return Prerequisite(str(uuid.uuid5(PREREQUISITE_NAMESPACE, course.id)), course.id, course.name,
                        PREREQUISITE_TYPE_COURSES, tuple(course.prerequisite_course_ids),
                        len(course.prerequisite_course_ids))


def list_prerequisites(world: AbsorbWorld) -> list[Prerequisite]:
    return [p for c in world.courses.values() if (p := prerequisite_of(c)) is not None]


def course_prerequisites(world: AbsorbWorld, course_id: str) -> list[Prerequisite]:
    found = prerequisite_of(get_course(world, course_id))
    return [found] if found is not None else []


def get_prerequisite(world: AbsorbWorld, prerequisite_id: str) -> Prerequisite:
    return find_in(list_prerequisites(world), prerequisite_id, "Prerequisite")


@dataclass(frozen=True, slots=True)
class EvaluationView:
    """An evaluation with the names the wire form shows."""

    id: str
    course_id: str
    course_name: str
    enrollment_id: str
    user_id: str
    full_name: str
    rating: int
    comments: str | None
    date_added: datetime


def course_evaluations(world: AbsorbWorld, course_id: str) -> list[EvaluationView]:
    course = get_course(world, course_id)
    return [_view(world, course, e) for e in learning_of(world).evaluations.values()
            if e.course_id == course.id and e.enrollment_id in world.enrollments]


def _view(world: AbsorbWorld, course: Course, e: CourseEvaluation) -> EvaluationView:
    return EvaluationView(e.id, course.id, course.name, e.enrollment_id, e.user_id,
                          get_user(world, e.user_id).full_name, e.rating, e.comments, e.date_added)
