"""Absorb's entities, in Absorb's language, and the world that holds them.

Dates are timezone-aware UTC datetimes; GUIDs lower-case strings; time spent
is kept in .NET ticks (``timeSpent`` on the wire is derived from it).
Enrollments copy the learner's and course's display fields (``full_name``,
``course_name``...) so that filters and sorts read plain attributes.
"""
from __future__ import annotations

from dataclasses import dataclass, field, make_dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any, ClassVar

from emulator.core.pagecache import CachedWorld, PageCache, WireCache
from emulator.core.fieldindex import FieldIndex
from emulator.core.pagecache import OrderCache


class EnrollmentStatus(IntEnum):
    NOT_STARTED = 0
    IN_PROGRESS = 1
    PENDING_APPROVAL = 2
    COMPLETE = 3
    NOT_COMPLETE = 4
    FAILED = 5
    DECLINED = 6
    PENDING_EVALUATION_REQUIRED = 7
    ON_WAITLIST = 8
    ABSENT = 9
    NOT_APPLICABLE = 10
    PENDING_PROCTOR = 11
    READY_FOR_REVIEW = 12


class AttemptStatus(IntEnum):
    IN_PROGRESS = 1
    COMPLETE = 3
    FAILED = 5


ONLINE_COURSE = "OnlineCourse"
INSTRUCTOR_LED_COURSE = "InstructorLedCourse"


# The vendor's custom user fields: decimal1-5, string1-30, datetime1-5, bool1-5 (all nullable).
CUSTOM_FIELD_KINDS = {"decimal": 5, "string": 30, "datetime": 5, "bool": 5}
CUSTOM_FIELD_NAMES = tuple(f"{kind}{n}" for kind, count in CUSTOM_FIELD_KINDS.items() for n in range(1, count + 1))
CustomFields = make_dataclass("CustomFields", [(name, Any, field(default=None)) for name in CUSTOM_FIELD_NAMES],
                              slots=True)
CustomFields.__module__ = __name__  # found by name: core.statecodec names it in --state-file rows
CustomFields.__doc__ = "A user's customFields object: one attribute per vendor key, None when unset."

ACTIVE, INACTIVE = 0, 1  # activeStatus
# The user fields ``GET /users`` answers ``_filter=<field> eq '...'`` for from an index (``core.fieldindex``): the
# lookups sync clients make (username, emailAddress, externalId, departmentId).
USER_INDEXED = ("username", "email_address", "external_id", "department_id")


def username_key(username: str) -> str:
    """How the vendor matches usernames, for uniqueness and every lookup alike: ASP.NET's ordinal ignore-case
    (each character's own upper case, so U+212A KELVIN SIGN stays itself and never becomes 'k'; a character
    whose upper case is several characters, or an ASCII one from a non-ASCII one such as dotless 'ı', stays
    as it is: the emulator's choice), trailing spaces ignored as SQL Server's ``=`` ignores them (as ``_filter``
    does, ``core.odata.STRING_COMPARISON_IGNORES_TRAILING_SPACES``)."""
    name = username.rstrip(" ")
    if name.isascii():
        return name.upper()
    return "".join(_upper(c) for c in name)


def _upper(char: str) -> str:
    upper = char.upper()
    return upper if len(upper) == 1 and (not upper.isascii() or char.isascii()) else char
GENDERS = (0, 1, 2)  # None, Male, Female


@dataclass(slots=True)
class Department:
    id: str
    name: str
    date_added: datetime
    date_edited: datetime
    parent_id: str | None = None
    use_department_contact_details: bool = False
    company_name: str | None = None
    phone_number: str | None = None
    email_address: str | None = None
    external_id: str | None = None
    currency_id: str | None = None


@dataclass(slots=True)
class User:
    """UserResource, plus what the API never shows (``password``, ``avatar`` for enrollments)."""

    id: str
    username: str
    password: str | None  # None: the user cannot /authenticate
    first_name: str
    last_name: str
    email_address: str | None
    job_title: str | None
    avatar: str | None
    department_id: str | None = None
    is_admin: bool = False
    date_added: datetime | None = None
    date_edited: datetime | None = None
    middle_name: str | None = None
    external_id: str | None = None
    cc_email_addresses: list[str] = field(default_factory=list)
    language_id: int | None = None
    gender: int = 0
    address: str | None = None
    address2: str | None = None
    city: str | None = None
    province_id: str | None = None
    country_id: str | None = None
    postal_code: str | None = None
    phone: str | None = None
    employee_number: str | None = None
    location: str | None = None
    reference_number: str | None = None
    date_hired: datetime | None = None
    date_terminated: datetime | None = None
    last_login_date: datetime | None = None
    notes: str | None = None
    custom_fields: Any = field(default_factory=CustomFields)
    role_ids: list[str] = field(default_factory=list)
    active_status: int = ACTIVE
    is_learner: bool = True
    is_instructor: bool = False
    is_manager: bool = False
    supervisor_id: str | None = None
    has_username: bool = True

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(slots=True)
class Course:
    """CourseResource for online and instructor-led courses; what the API does not show: chapters, sessions."""

    id: str
    name: str
    course_type: str  # ONLINE_COURSE or INSTRUCTOR_LED_COURSE
    version_id: str
    credits: float | None = None
    chapter_ids: list[str] = field(default_factory=list)
    session_ids: list[str] = field(default_factory=list)
    multi_session: bool = False  # multi-session ILCs cannot be enrolled through the API
    description: str | None = None
    notes: str | None = None
    external_id: str | None = None
    access_date: datetime | None = None
    expire_type: int = 0  # 0 None, 1 Date, 2 Duration
    expire_duration: dict[str, int] | None = None  # {years, months, days, hours} when expire_type is 2
    expiry_date: datetime | None = None
    active_status: int = ACTIVE
    tag_ids: list[str] = field(default_factory=list)
    resource_ids: list[str] = field(default_factory=list)
    editor_ids: list[str] = field(default_factory=list)
    prices: list[dict[str, Any]] = field(default_factory=list)
    competency_definition_ids: list[str] = field(default_factory=list)
    prerequisite_course_ids: list[str] = field(default_factory=list)
    post_enrollment_course_ids: list[str] = field(default_factory=list)
    allow_course_evaluation: bool = False
    category_id: str | None = None
    certificate_url: str | None = None
    audience: str | None = None
    goals: str | None = None
    vendor: str | None = None
    company_cost: float | None = None
    learner_cost: float | None = None
    company_time: float | None = None
    learner_time: float | None = None
    date_added: datetime | None = None
    date_edited: datetime | None = None

    @property
    def is_ilc(self) -> bool:
        return self.course_type == INSTRUCTOR_LED_COURSE


@dataclass(slots=True)
class Chapter:
    id: str
    course_id: str
    name: str
    lesson_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Lesson:
    id: str
    course_id: str
    chapter_id: str
    name: str
    lesson_type: str  # the ActivityEnrollment ``type`` on the wire: "Object", "Assessment", "Video"...
    passing_score: float = 70.0


@dataclass(slots=True)
class Session:
    id: str
    course_id: str
    name: str
    capacity: int
    start: datetime
    end: datetime
    venue_id: str | None = None  # where it is held (absorb.catalogue's venues)


@dataclass(slots=True)
class CourseEnrollment:
    id: str
    user_id: str
    course_id: str
    course_name: str
    full_name: str
    status: int
    progress: float
    date_added: datetime
    date_edited: datetime
    score: float | None = None
    date_started: datetime | None = None
    date_completed: datetime | None = None
    date_expires: datetime | None = None
    date_due: datetime | None = None
    access_date: datetime | None = None
    time_spent_ticks: int = 0
    course_version_id: str | None = None
    accepted_terms_and_conditions: bool = False
    enrollment_key_id: str | None = None
    certificate_id: str | None = None
    credits: float | None = None
    is_active: bool = True
    course_collection_id: str | None = None
    job_title: str | None = None
    avatar: str | None = None
    credit_type_credits: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class ChapterEnrollment:
    id: str
    course_enrollment_id: str
    chapter_id: str
    user_id: str
    full_name: str
    name: str
    status: int
    progress: float
    date_enrolled: datetime
    date_edited: datetime
    score: float | None = None
    time_spent_ticks: int = 0
    date_started: datetime | None = None
    date_completed: datetime | None = None
    lesson_enrollment_ids: list[str] = field(default_factory=list)
    session_id: str | None = None
    lesson_id: str | None = None


@dataclass(slots=True)
class LessonEnrollment:
    id: str
    course_enrollment_id: str
    chapter_enrollment_id: str
    course_id: str
    chapter_id: str
    lesson_id: str
    user_id: str
    full_name: str
    name: str
    type: str
    status: int
    progress: float
    date_enrolled: datetime
    date_added: datetime
    date_edited: datetime
    score: float | None = None
    attempts: int = 0
    failures: int = 0
    last_attempt: datetime | None = None
    time_spent_ticks: int = 0
    date_started: datetime | None = None
    date_completed: datetime | None = None
    attempt_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SessionEnrollment:
    id: str
    session_id: str
    course_id: str
    course_enrollment_id: str
    user_id: str
    full_name: str
    name: str
    status: int
    progress: float
    date_enrolled: datetime
    date_edited: datetime
    score: float | None = None
    time_spent_ticks: int = 0
    date_started: datetime | None = None
    date_completed: datetime | None = None
    is_active: bool = True  # false once cancelled or replaced by a re-enrollment


@dataclass(slots=True)
class Attempt:
    id: str
    lesson_enrollment_id: str
    user_id: str
    course_id: str
    lesson_id: str
    status: int
    start_date: datetime
    score: float | None = None
    completion_date: datetime | None = None
    time_spent_ticks: int = 0


@dataclass(slots=True)
class Token:
    value: str
    user_id: str
    expires: datetime


@dataclass
class AbsorbWorld(CachedWorld):
    """One portal: its key, users, catalogue, enrollments and tokens, with indexes for the routes."""

    VENDOR: ClassVar[str] = "absorb"

    portal: str
    api_key: str
    users: dict[str, User] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    chapters: dict[str, Chapter] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    enrollments: dict[str, CourseEnrollment] = field(default_factory=dict)
    chapter_enrollments: dict[str, ChapterEnrollment] = field(default_factory=dict)
    lesson_enrollments: dict[str, LessonEnrollment] = field(default_factory=dict)
    session_enrollments: dict[str, SessionEnrollment] = field(default_factory=dict)
    attempts: dict[str, Attempt] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    token_by_user: dict[str, str] = field(default_factory=dict)
    users_by_name: dict[str, str] = field(default_factory=dict)  # username_key(username) -> id
    # indexes: user -> enrollment ids; course -> enrollment ids; (user, course) -> active enrollment id
    by_user: dict[str, set[str]] = field(default_factory=dict)
    by_course: dict[str, set[str]] = field(default_factory=dict)
    active: dict[tuple[str, str], str] = field(default_factory=dict)
    chapters_of: dict[str, list[str]] = field(default_factory=dict)  # course enrollment -> chapter enrollments
    lessons_of: dict[str, list[str]] = field(default_factory=dict)  # course enrollment -> lesson enrollments
    sessions_of: dict[str, list[str]] = field(default_factory=dict)  # course enrollment -> session enrollments
    roster: dict[str, list[str]] = field(default_factory=dict)  # session -> its session enrollments (seat counts)
    # course enrollment -> (enrollment date, seeded plan or None, last write or None) of its chapter and lesson
    # enrollments, not yet made (service.materialize)
    pending: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    # derived data, dropped by ``changed`` (core.pagecache): entity id -> {schema name: wire}; encoded list answers
    wire_cache: WireCache = field(default_factory=WireCache)
    pages: PageCache = field(default_factory=PageCache)
    orders: OrderCache = field(default_factory=OrderCache)  # list orders remembered across pages (issue 32)
    user_index: FieldIndex = field(default_factory=lambda: FieldIndex("users", USER_INDEXED))
    rng: Any = None  # the world's own random.Random: ids of entities created later
    reference: Any = None  # groups, roles, countries, provinces (absorb.reference.Reference)
    certificates: dict[str, Any] = field(default_factory=dict)  # id -> absorb.certificates.Certificate
    catalogue: Any = None  # categories, tags, curricula, venues... (absorb.catalogue.Catalogue)
    oauth: Any = None  # OAuth 2.0 clients and grants (absorb.oauth.OAuthState), made on first use
    learning: Any = None  # credit types, messages, evaluations, attendance... (absorb.learning_state.LearningState)
    commerce: Any = None  # course bundles, coupons, transactions, enrollment keys (absorb.commerce.Commerce)
    definitions: Any = None  # custom-field and competency definitions, question banks... (absorb.definitions)
    availability: dict[str, Any] = field(default_factory=dict)  # course id -> absorb.availability.Availability

    # Indexes derived from the entities: not kept by ``--state-file``, rebuilt by ``reindex`` (core.persistence)
    DERIVED: ClassVar[tuple[str, ...]] = ("token_by_user", "users_by_name", "by_user", "by_course", "active",
                                          "chapters_of", "lessons_of", "sessions_of", "roster")

    def reindex(self) -> None:
        self.users_by_name = {username_key(u.username): u.id for u in self.users.values()}
        self.token_by_user = {t.user_id: t.value for t in self.tokens.values()}
        self.by_user, self.by_course, self.active = {}, {}, {}
        for e in self.enrollments.values():
            self.by_user.setdefault(e.user_id, set()).add(e.id)
            self.by_course.setdefault(e.course_id, set()).add(e.id)
            if e.is_active:
                self.active[(e.user_id, e.course_id)] = e.id
        self.chapters_of, self.lessons_of, self.sessions_of = {}, {}, {}
        for index, table in ((self.chapters_of, self.chapter_enrollments), (self.lessons_of, self.lesson_enrollments),
                             (self.sessions_of, self.session_enrollments)):
            for sub in table.values():
                index.setdefault(sub.course_enrollment_id, []).append(sub.id)
        self.roster = {}
        for se in self.session_enrollments.values():
            self.roster.setdefault(se.session_id, []).append(se.id)

    def field_indexes(self) -> tuple[FieldIndex, ...]:
        return (self.user_index,)

    # -- the World protocol of core.vendor ---------------------------------
    def tenant_keys(self) -> list[str]:
        """The api key, and the id of each OAuth client: ``/oauth/authorize`` is opened without an api key."""
        return [self.api_key, *(self.oauth.clients if self.oauth is not None else ())]

    def credentials(self) -> dict[str, Any]:
        admin = next(u for u in self.users.values() if u.is_admin)
        learners = [u for u in self.users.values() if not u.is_admin][:3]
        return {
            "portal": self.portal,
            "apiKey": self.api_key,
            "apiVersion": "2",
            "admin": {"username": admin.username, "password": admin.password, "userId": admin.id},
            "learners": [{"username": u.username, "password": u.password, "userId": u.id} for u in learners],
            "oauthClients": [{"clientId": c.client_id, "clientSecret": c.client_secret, "name": c.name,
                              "redirectUris": c.redirect_uris} for c in (self.oauth.clients.values() if self.oauth
                                                                         else ())],
        }

    def counts(self) -> dict[str, int]:
        pending_courses = [self.courses[self.enrollments[e].course_id] for e in self.pending]
        pending_chapters = sum(len(c.chapter_ids) for c in pending_courses)
        pending_lessons = sum(len(self.chapters[ch].lesson_ids) for c in pending_courses for ch in c.chapter_ids)
        # a seeded plan (rollup.SeededPlan) holds four values per attempt; an older version's, a list per lesson
        pending_attempts = sum(len(plan[2]) // 4 if isinstance(plan, tuple) else sum(map(len, plan.values()))
                               for _, plan, _ in self.pending.values() if plan)
        return {
            "users": len(self.users), "departments": len(self.departments), "courses": len(self.courses),
            "chapters": len(self.chapters), "lessons": len(self.lessons), "sessions": len(self.sessions),
            "courseEnrollments": len(self.enrollments),
            "chapterEnrollments": len(self.chapter_enrollments) + pending_chapters,
            "lessonEnrollments": len(self.lesson_enrollments) + pending_lessons,
            "sessionEnrollments": len(self.session_enrollments), "attempts": len(self.attempts) + pending_attempts,
            **(self.reference.counts() if self.reference is not None else {}),
            "certificates": len(self.certificates),
            **(self.catalogue.counts() if self.catalogue is not None else {}),
            **(self.learning.counts() if self.learning is not None else {}),
            "oauthClients": len(self.oauth.clients) if self.oauth is not None else 0,
            **(self.commerce.counts() if self.commerce is not None else {}),
            **(self.definitions.counts() if self.definitions is not None else {}),
            "restrictedCourses": len(self.availability),
        }
