"""iSpring Learn entities (appraisal sessions, users, departments, API clients) and the world holding them.

Dates in profile fields are ``datetime.date`` (``yyyy-mm-dd`` on the wire);
GUIDs lower-case strings; token expiry a timezone-aware UTC datetime.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from ..core.pagecache import CachedWorld, PageCache, WireCache

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


@dataclass
class ISpringWorld(CachedWorld):
    """One iSpring Learn account: named by its URL (``X-Auth-Account-Url``) and found by its client ids."""

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
                "clients": len(self.clients), "groups": len(self.groups)}

    def dump(self) -> dict[str, Any]:
        from .schemas import dump_world

        return dump_world(self)
