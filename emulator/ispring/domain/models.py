"""iSpring Learn entities (appraisal sessions, users, departments, API clients) and the world holding them.

Dates in profile fields are ``datetime.date`` (``yyyy-mm-dd`` on the wire);
GUIDs lower-case strings; token expiry a timezone-aware UTC datetime.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from emulator.core.pagecache import CachedWorld, PageCache, WireCache

USER_STATUSES = ("ACTIVE", "DEACTIVATED", "DELETED", "TERMINATED")
SESSION_STATUSES = ("NOT_STARTED", "IN_PROGRESS", "COMPLETED")

ACCOUNT_OWNER = "ACCOUNT_OWNER"
ACCOUNT_ADMINISTRATOR = "ACCOUNT_ADMINISTRATOR"
DEPARTMENT_ADMINISTRATOR = "DEPARTMENT_ADMINISTRATOR"
LEARNER = "LEARNER"
ROLES = (ACCOUNT_OWNER, ACCOUNT_ADMINISTRATOR, DEPARTMENT_ADMINISTRATOR, LEARNER)


@dataclass(slots=True)
class Subordination:
    """Who a user's (or a department's members') supervisor is: ``inherit``, ``manual`` (with ``supervisor_id``)
    or ``no_supervisor``."""

    type: str = "no_supervisor"
    supervisor_id: str | None = None


@dataclass(slots=True)
class Department:
    id: str
    name: str
    code: str | None = None
    parent_id: str | None = None
    subordination: Subordination = field(default_factory=Subordination)
    co_subordination: Subordination = field(default_factory=Subordination)


@dataclass(slots=True)
class ProfileField:
    key: str
    title: str
    value: str | date


@dataclass(slots=True)
class User:
    id: str
    login: str
    first_name: str
    last_name: str
    email: str | None
    department_id: str
    status: str  # one of USER_STATUSES
    role: str = LEARNER
    fields: list[ProfileField] = field(default_factory=list)  # profile fields besides the names
    added: datetime | None = None  # addedDate
    last_login: datetime | None = None  # lastLoginDate
    password: str = ""  # the login mode's X-Auth-Password (users.check_password)
    manageable_department_ids: list[str] = field(default_factory=list)  # a department administrator's
    subordination: Subordination = field(default_factory=Subordination)
    co_subordination: Subordination = field(default_factory=Subordination)
    work_leave: WorkLeave | None = None
    deactivate_on: date | None = None  # scheduled: the status changes when the tenant's clock reaches the day
    terminate_on: date | None = None


@dataclass(slots=True)
class WorkLeave:
    reason: str  # one of WORK_LEAVE_REASONS
    start: date
    end: date | None = None


WORK_LEAVE_REASONS = ("OutOfTheOffice", "OnVacation", "PersonalLeave", "BusinessTrip", "SickLeave", "ParentalLeave",
                      "EducationalLeave")


@dataclass(slots=True)
class SmartRule:
    """One rule of a smart group: attribute type 1 department (operator 1 only it, 2 with nested ones),
    2 group, 3 profile field ``attribute_id`` equal to ``value``."""

    attribute_type: int
    operator: int
    value: str
    attribute_id: str | None = None


@dataclass(slots=True)
class Group:
    id: str
    name: str
    member_ids: list[str] = field(default_factory=list)  # a plain group's members, in the order added
    smart_rules: list[list[SmartRule]] | None = None  # a smart group: AND of ORs; members are computed


@dataclass(slots=True)
class AppraisalQuestion:
    id: str
    text: str
    is_required: bool
    target_roles: list[str]  # REVIEWER_ROLE_*


@dataclass(slots=True)
class AppraisalSession:
    id: str
    title: str  # the wire's "name"
    status: str  # one of SESSION_STATUSES
    participant_ids: list[str] = field(default_factory=list)  # the employees under review
    description: str = ""
    manager_id: str | None = None
    profile_id: str | None = None  # the competency profile (not an entity of the emulator)
    start: datetime | None = None
    end: datetime | None = None
    instruction: str = ""
    self_review_instruction: str = ""
    questions: list[AppraisalQuestion] = field(default_factory=list)
    permitted_user_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ApiClient:
    """An API client acts with the role of the user who owns it."""

    name: str  # "owner", "administrator", "learner"
    client_id: str
    client_secret: str
    role: str
    user_id: str | None = None


@dataclass(slots=True)
class Token:
    value: str
    client_id: str
    expires: datetime


@dataclass(slots=True)
class CourseModule:
    """A course's module: a material (a content item) or a training, at its place in the course."""

    id: str  # moduleId
    item_id: str  # the content item the module shows (itemId / contentItemId / courseItemId)
    course_id: str
    title: str
    description: str
    author_id: str
    added: datetime
    number: int  # sequentialNumber, from 1
    passing_score: float | None = None  # quizzes only


@dataclass(slots=True)
class ContentItem:
    """A content item: a course (with modules), a material inside a course, or a learning track."""

    id: str
    title: str
    content_type: str  # one of content.CONTENT_TYPES
    author_id: str
    added: datetime
    subtitle: str = ""
    description: str = ""
    folder_id: str | None = None  # the parent in the courses tree
    is_shared: bool = False
    module_ids: list[str] = field(default_factory=list)  # a course's modules, in order
    course_ids: list[str] = field(default_factory=list)  # a learning track's courses, in order
    field_values: dict[str, str] = field(default_factory=dict)  # course field id -> value
    due_days: int | None = None  # a course's default due period (dueDateType "default"); None: unlimited
    duration: int = 0  # seconds, a course's estimated duration
    certificate: bool = False  # completing the course issues a certificate


@dataclass(slots=True)
class CourseField:
    id: str
    custom_id: str
    label: str


@dataclass(slots=True)
class ModuleProgress:
    """One learner's progress in one module of an enrolled course."""

    status: str = "not_started"  # a CompletionStatus
    progress: float = 0.0
    completed: datetime | None = None
    score: float | None = None
    time_spent: int = 0  # seconds
    views: int = 0
    reason: str = ""


@dataclass(slots=True)
class Enrollment:
    id: str
    course_id: str
    learner_id: str
    access: date
    due_type: str = "unlimited"  # a DueDateType
    due: date | None = None
    due_period: int | None = None
    lock_after_due: bool = False
    type_group: int = 0  # 0 enrolled by an administrator, 1 from the catalogue
    created: datetime | None = None
    course_status: str | None = None  # set by POST /statistics/course; None: from the modules ("automatic")
    completed: datetime | None = None  # when course_status was set to a final status
    score: float | None = None
    reason: str = ""
    modules: dict[str, ModuleProgress] = field(default_factory=dict)  # module id -> progress
    certificate_id: str | None = None  # issued when the course is completed (a course with a certificate)
    certificate_issued: date | None = None


@dataclass(slots=True)
class PointsEntry:
    """One award or withdrawal of gamification points (a negative amount withdraws)."""

    user_id: str
    amount: float
    reason: str
    at: datetime


@dataclass(slots=True)
class Attendance:
    attended: bool
    duration: int | None = None  # seconds


@dataclass(slots=True)
class TrainingDay:
    id: str
    session_id: str
    training_id: str
    start: datetime
    duration: int  # seconds
    location: str = ""
    url: str = ""
    attendance: dict[str, Attendance] = field(default_factory=dict)  # participant id -> attendance


@dataclass(slots=True)
class TrainingSession:
    id: str
    training_id: str
    title: str
    instructor: str
    day_ids: list[str] = field(default_factory=list)
    participant_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Training:
    """An instructor-led training: sessions, each held on one or more days."""

    id: str
    title: str
    type: str  # e.g. "Classroom", "Webinar"
    organizer_id: str
    session_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SubscriptionRule:
    """One event type a subscriber listens to, with the document's filter params (name -> JSON list text)."""

    event_type: str
    params: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Subscriber:
    name: str
    callback_url: str
    secret: str | None = None
    enabled: bool = True  # subscriberStatus ACTIVE
    confirmed: bool = False  # confirmationStatus CONFIRMED
    code: str | None = None  # the last confirmation code sent (earlier ones no longer work)
    suspended: bool = False  # a delivery failed and is waiting for a retry
    subscriptions: dict[str, SubscriptionRule] = field(default_factory=dict)  # by event type


@dataclass
class ISpringWorld(CachedWorld):
    """One iSpring Learn account: named by its URL (``X-Auth-Account-Url``) and found by its client ids."""

    VENDOR: ClassVar[str] = "ispring"

    account_url: str
    departments: dict[str, Department] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    sessions: dict[str, AppraisalSession] = field(default_factory=dict)
    clients: dict[str, ApiClient] = field(default_factory=dict)  # by client id
    tokens: dict[str, Token] = field(default_factory=dict)
    participants: dict[str, set[str]] = field(default_factory=dict)  # session id -> participant ids (index)
    groups: dict[str, Group] = field(default_factory=dict)
    scheduled: set[str] = field(default_factory=set)  # ids of users with a scheduled deactivation or termination
    rng: random.Random = field(default_factory=random.Random)  # ids made at run time (seeded by build_world)
    # learning (content, enrollments, results) and webhooks: see content.py, enrollments.py, webhooks.py
    content: dict[str, ContentItem] = field(default_factory=dict)
    modules: dict[str, CourseModule] = field(default_factory=dict)
    course_fields: dict[str, CourseField] = field(default_factory=dict)
    enrollments: dict[str, Enrollment] = field(default_factory=dict)
    tasks: dict[int, str] = field(default_factory=dict)  # async task id -> status (statistics writes)
    subscribers: dict[str, Subscriber] = field(default_factory=dict)  # by name
    points: list[PointsEntry] = field(default_factory=list)  # gamification ledger, oldest first
    trainings: dict[str, Training] = field(default_factory=dict)
    training_sessions: dict[str, TrainingSession] = field(default_factory=dict)
    training_days: dict[str, TrainingDay] = field(default_factory=dict)
    outbox: list[Any] = field(default_factory=list)  # webhooks.Outgoing requests the routes hand to the sender
    # derived data, dropped by ``changed`` (core.pagecache): user id -> {session id: wire form of the user's
    # line in that session's attributes list}; encoded answers
    wire_cache: WireCache = field(default_factory=WireCache)
    pages: PageCache = field(default_factory=PageCache)

    DERIVED: ClassVar[tuple[str, ...]] = ("participants",)  # rebuilt by ``reindex`` (core.persistence)

    def reindex(self) -> None:
        self.participants = {s.id: set(s.participant_ids) for s in self.sessions.values()}

    # -- the World protocol of core.vendor ---------------------------------
    def tenant_keys(self) -> list[str]:
        """The account URL, every client id (the token endpoint) and every live token (API calls)."""
        return [self.account_url, *self.clients, *self.tokens]

    def credentials(self) -> dict[str, Any]:
        return {
            "accountUrl": self.account_url,
            "tokenUrl": "/ispring/api/v3/token",
            "clients": [{"name": c.name, "clientId": c.client_id, "clientSecret": c.client_secret, "role": c.role}
                        for c in self.clients.values()],
            "sessions": list(self.sessions)[:3],
            "logins": [{"email": u.email, "password": u.password, "role": u.role} for u in self.users.values()
                       if u.role in (ACCOUNT_OWNER, ACCOUNT_ADMINISTRATOR) and u.password and u.email
                       and u.status == "ACTIVE"][:2],
        }

    def counts(self) -> dict[str, int]:
        return {"departments": len(self.departments), "users": len(self.users), "sessions": len(self.sessions),
                "participants": sum(len(s.participant_ids) for s in self.sessions.values()),
                "questions": sum(len(s.questions) for s in self.sessions.values()),
                "clients": len(self.clients), "groups": len(self.groups),
                "courses": sum(c.content_type == "Course" for c in self.content.values()),
                "modules": len(self.modules), "enrollments": len(self.enrollments),
                "subscribers": len(self.subscribers), "trainings": len(self.trainings),
                "trainingSessions": len(self.training_sessions)}
