"""The catalogue around the courses: categories, tags, venues and prerequisites, and the reads a learner makes of it.

Seeded from a generator of its own (derived seed ``(seed, tenant, "absorb-catalogue")``), after everything else,
so that adding it moved no id or value of the entities seeded before it. What it sets on those entities
(a course's ``categoryId``, ``tagIds``, ``prerequisiteCourseIds``; a session's venue) only fills fields that were
empty.

Rules (the emulator's choices where the vendor is silent, in docs/VENDOR-NOTES.md):
- a learner's catalogue (``my-catalog``) is every active course (``activeStatus`` 0) available to them
  (``absorb.availability``: a course's rule by department and group; no rule, everyone); an inactive course
  leaves it, and so does a course whose rule leaves the learner out -- self-enrollment in it is refused too;
- a learner's courses (``my-courses``) are the courses of their active enrollments;
- a course whose prerequisites the learner has not completed refuses a self-enrollment with 422, naming them;
  an administrator's enrollment (``users/{userId}/enrollments``) is not held to prerequisites.
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from emulator.core.errors import Unprocessable
from emulator.core.wire import new_guid
from emulator.absorb.domain.enrollments import create_enrollment
from emulator.absorb.domain.lookups import find, find_in, get_course
from emulator.absorb.domain.models import (
    ACTIVE, AbsorbWorld, Course, CourseEnrollment, EnrollmentStatus, Session, SessionEnrollment, User,
)
from emulator.absorb.domain.sessions import create_ilc_enrollment
from emulator.absorb.domain.availability import check_available, is_available

CATEGORIES = (("Compliance", None), ("Leadership", None), ("Technology", None), ("Safety", "Compliance"),
              ("Data Protection", "Compliance"), ("Cloud", "Technology"))
TAGS = ("Mandatory", "Beginner", "Advanced", "Certification", "Self-paced", "Classroom", "New", "Popular")
VENUES = (("Head Office Training Room", "100 Main Street", "Springfield"),
          ("Downtown Conference Centre", "42 Market Square", "Riverton"),
          ("North Campus, Room 12", "7 College Road", "Lakeside"),
          ("Virtual Classroom", None, None))
SCHEDULE_NAMESPACE = uuid.UUID("3c7d1f52-9a4e-4b1c-8f0e-6d2a5b9c7e14")  # the emulator's: schedule ids
RESOURCE_CATEGORIES = ("Handbooks", "Job Aids", "Templates")
RESOURCES = (("Employee Handbook", True), ("Code of Conduct", True), ("Expense Policy Quick Guide", False),
             ("Presentation Template", False), ("Safety Checklist", False), ("Glossary", False))
CURRICULA = ("New Starter Programme", "Manager Essentials")
PREREQUISITE_PAIRS = 3  # online courses that require another online course first


@dataclass(slots=True)
class Category:
    id: str
    name: str
    description: str | None
    parent_id: str | None
    date_added: datetime
    date_edited: datetime


@dataclass(slots=True)
class Tag:
    id: str
    name: str


@dataclass(slots=True)
class Venue:
    id: str
    name: str
    description: str | None
    address: str | None
    city: str | None
    postal_code: str | None
    country_id: str | None
    province_id: str | None
    date_added: datetime
    date_edited: datetime


@dataclass(slots=True)
class CurriculumGroup:
    """A step of a curriculum: its courses, of which ``required`` must be completed (all when None)."""

    id: str
    name: str
    course_ids: list[str]
    required: int | None = None


@dataclass(slots=True)
class Curriculum:
    id: str
    name: str
    description: str | None
    date_added: datetime
    date_edited: datetime
    groups: list[CurriculumGroup] = field(default_factory=list)
    active_status: int = ACTIVE
    category_id: str | None = None
    external_id: str | None = None
    prices: list[dict[str, Any]] = field(default_factory=list)  # as a course's; priced: for sale (absorb.commerce)

    def course_ids(self) -> list[str]:
        return [course_id for group in self.groups for course_id in group.course_ids]


@dataclass(slots=True)
class ResourceCategory:
    id: str
    name: str
    description: str | None


@dataclass(slots=True)
class Resource:
    """A file or link offered to learners: global (``is_global``) or through the courses whose ``resourceIds``
    name it."""

    id: str
    name: str
    description: str | None
    url: str
    resource_category_id: str | None
    is_global: bool
    date_added: datetime
    date_edited: datetime


@dataclass
class Catalogue:
    """One portal's categories, tags and venues (``world.catalogue``); a session's venue by session id."""

    categories: dict[str, Category] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)
    venues: dict[str, Venue] = field(default_factory=dict)
    curricula: dict[str, Curriculum] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    resource_categories: dict[str, ResourceCategory] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"categories": len(self.categories), "tags": len(self.tags), "venues": len(self.venues),
                "curricula": len(self.curricula), "resources": len(self.resources),
                "resourceCategories": len(self.resource_categories)}


def seed(world: AbsorbWorld, rng: random.Random, anchor: datetime) -> None:
    """The portal's catalogue, drawn only from ``rng``; courses and sessions get the ids they lacked."""
    cat = Catalogue()
    world.catalogue = cat

    def added() -> tuple[datetime, datetime]:
        at = anchor - timedelta(days=rng.randint(500, 1500), seconds=rng.randint(0, 86399))
        return at, at + timedelta(days=rng.randint(0, 300))

    by_name: dict[str, str] = {}
    for name, parent in CATEGORIES:
        category = Category(new_guid(rng), name, f"Courses about {name.lower()}.", by_name.get(parent or ""),
                            *added())
        cat.categories[category.id] = category
        by_name[name] = category.id
    for name in TAGS:
        tag = Tag(new_guid(rng), name)
        cat.tags[tag.id] = tag
    for name, address, city in VENUES:
        venue = Venue(new_guid(rng), name, None, address, city, f"{rng.randint(10000, 99999)}" if address else None,
                      None, None, *added())
        cat.venues[venue.id] = venue
    categories, tags, venues = list(cat.categories), list(cat.tags), list(cat.venues)
    for course in world.courses.values():
        if course.category_id is None:
            course.category_id = rng.choice(categories)
        if not course.tag_ids:
            course.tag_ids = sorted(rng.sample(tags, rng.randint(0, 3)))
        for session_id in course.session_ids:
            session = world.sessions[session_id]
            session.venue_id = session.venue_id or rng.choice(venues)
    online = [c for c in world.courses.values() if not c.is_ilc]
    for n, name in enumerate(CURRICULA):
        if len(online) < 4:
            break
        picked = rng.sample(online, 4)
        curriculum = Curriculum(new_guid(rng), name, f"A path through {name.lower()}.", *added(),
                                category_id=rng.choice(categories), external_id=f"CUR-{n + 1:03d}")
        curriculum.groups = [CurriculumGroup(new_guid(rng), "Foundations", [c.id for c in picked[:2]]),
                             CurriculumGroup(new_guid(rng), "Electives", [c.id for c in picked[2:]], required=1)]
        cat.curricula[curriculum.id] = curriculum
    _seed_resources(world, cat, rng, added)
    if not any(c.prerequisite_course_ids for c in world.courses.values()) and len(online) >= 2 * PREREQUISITE_PAIRS:
        picked = rng.sample(online, 2 * PREREQUISITE_PAIRS)
        for first, then in zip(picked[::2], picked[1::2], strict=True):
            then.prerequisite_course_ids = [first.id]


def _seed_resources(world: AbsorbWorld, cat: Catalogue, rng: random.Random,
                    added: Callable[[], tuple[datetime, datetime]]) -> None:
    for name in RESOURCE_CATEGORIES:
        category = ResourceCategory(new_guid(rng), name, f"{name} for learners.")
        cat.resource_categories[category.id] = category
    kinds = list(cat.resource_categories)
    for n, (name, is_global) in enumerate(RESOURCES):
        resource = Resource(new_guid(rng), name, None, f"/Files/Resources/resource-{n + 1}.pdf", rng.choice(kinds),
                            is_global, *added())
        cat.resources[resource.id] = resource
    attachable = [r.id for r in cat.resources.values() if not r.is_global]
    for course in world.courses.values():
        if not course.resource_ids and rng.random() < 0.5:
            course.resource_ids = sorted(rng.sample(attachable, rng.randint(1, 2)))


# -- reads -------------------------------------------------------------------------------------------------------

def catalogue_of(world: AbsorbWorld) -> Catalogue:
    if world.catalogue is None:
        world.catalogue = Catalogue()
    found: Catalogue = world.catalogue
    return found


def get_category(world: AbsorbWorld, category_id: str) -> Category:
    return find(catalogue_of(world).categories, category_id, "Category")


def get_tag(world: AbsorbWorld, tag_id: str) -> Tag:
    return find(catalogue_of(world).tags, tag_id, "Tag")


def get_venue(world: AbsorbWorld, venue_id: str) -> Venue:
    return find(catalogue_of(world).venues, venue_id, "Venue")


def get_resource(world: AbsorbWorld, resource_id: str) -> Resource:
    return find(catalogue_of(world).resources, resource_id, "Resource")


def get_resource_category(world: AbsorbWorld, category_id: str) -> ResourceCategory:
    return find(catalogue_of(world).resource_categories, category_id, "Resource category")


def course_resources(world: AbsorbWorld, course: Course) -> list[Resource]:
    table = catalogue_of(world).resources
    return [table[i] for i in course.resource_ids if i in table]


def my_resources(world: AbsorbWorld, user: User) -> list[Resource]:
    """``enrollments/my-resources``: the global resources and those of the courses of the caller's active
    enrollments, each once."""
    found = {r.id: r for r in catalogue_of(world).resources.values() if r.is_global}
    for course in my_courses(world, user):
        found |= {r.id: r for r in course_resources(world, course)}
    return list(found.values())


def get_curriculum(world: AbsorbWorld, curriculum_id: str) -> Curriculum:
    return find(catalogue_of(world).curricula, curriculum_id, "Curriculum")


@dataclass(slots=True)
class SessionSchedule:
    """A session's sitting: the emulator's sessions have one each, its id derived from the session's."""

    id: str
    session_id: str
    course_id: str
    venue_id: str | None
    start_date: datetime
    end_date: datetime


def schedule_of(session: Session) -> SessionSchedule:
    return SessionSchedule(str(uuid.uuid5(SCHEDULE_NAMESPACE, session.id)), session.id, session.course_id,
                           session.venue_id, session.start, session.end)


def list_schedules(world: AbsorbWorld, venue_id: str | None = None) -> list[SessionSchedule]:
    """Every session's schedule (``venueId``: the venue's schedule, a venue that does not exist has none)."""
    return [schedule_of(s) for s in world.sessions.values() if venue_id is None or s.venue_id == venue_id]


def get_schedule(world: AbsorbWorld, schedule_id: str) -> SessionSchedule:
    return find_in(list_schedules(world), schedule_id, "Session schedule")


# -- the learner's view ----------------------------------------------------------------------------------------

def my_catalog(world: AbsorbWorld, user: User) -> list[Course]:
    """``my-catalog``: the courses the learner may enroll in (the rules in the module docstring)."""
    return [c for c in world.courses.values() if c.active_status == ACTIVE and is_available(world, user, c)]


def my_courses(world: AbsorbWorld, user: User, curriculum_id: str | None = None) -> list[Course]:
    """``my-courses``: the courses of the learner's active enrollments (``curriculumId``: of that curriculum's)."""
    wanted = set(get_curriculum(world, curriculum_id).course_ids()) if curriculum_id is not None else None
    return [world.courses[course_id] for (user_id, course_id) in world.active
            if user_id == user.id and (wanted is None or course_id in wanted)]


def unmet_prerequisites(world: AbsorbWorld, user: User, course: Course) -> list[str]:
    """The prerequisite course ids ``user`` has not completed (an active enrollment at status Complete)."""
    unmet = []
    for required in course.prerequisite_course_ids:
        enrollment_id = world.active.get((user.id, required))
        done = enrollment_id is not None and world.enrollments[enrollment_id].status == EnrollmentStatus.COMPLETE
        if not done:
            unmet.append(required)
    return unmet


def check_prerequisites(world: AbsorbWorld, user: User, course: Course) -> None:
    unmet = unmet_prerequisites(world, user, course)
    if unmet:
        raise Unprocessable("The course's prerequisites have not been completed.",
                            validations=[f"courseId: prerequisite course '{c}' is not complete" for c in unmet])


def self_enroll(world: AbsorbWorld, user: User, course_id: str, session_id: str | None, *,
                at: datetime) -> tuple[CourseEnrollment, SessionEnrollment | None]:
    """``POST /my-enrollments`` (and ``POST /enroll/{courseId}``): the caller enrolls in a course of their
    catalogue -- in one of its sessions for an instructor-led course -- once its prerequisites are complete."""
    course = get_course(world, course_id)
    if course.active_status != ACTIVE:
        raise Unprocessable("The course is not available for enrollment.",
                            validations=[f"courseId: course '{course_id}' is inactive"])
    if course.is_ilc and session_id is None and not course.multi_session:
        raise Unprocessable("An instructor-led course is enrolled in through one of its sessions.",
                            validations=["sessionId: required for an instructor-led course"])
    if not course.is_ilc and session_id is not None:
        raise Unprocessable("An online course has no sessions.",
                            validations=[f"sessionId: course '{course_id}' is not instructor-led"])
    check_available(world, user, course)
    check_prerequisites(world, user, course)
    if session_id is not None:
        return create_ilc_enrollment(world, user.id, course_id, session_id, re_enroll=False, cancel_session=False,
                                     at=at)
    return create_enrollment(world, user.id, course_id, re_enroll=False, at=at), None


def describe(world: AbsorbWorld) -> dict[str, Any]:
    """The admin API's data.json part: categories, tags and venues as plain dictionaries."""
    cat = catalogue_of(world)
    return {"categories": [{"id": c.id, "name": c.name, "parentId": c.parent_id} for c in cat.categories.values()],
            "tags": [{"id": t.id, "name": t.name} for t in cat.tags.values()],
            "venues": [{"id": v.id, "name": v.name} for v in cat.venues.values()],
            "curricula": [{"id": c.id, "name": c.name, "courseIds": c.course_ids()} for c in cat.curricula.values()]}
