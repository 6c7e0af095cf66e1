"""Pearson English Learning Services entities and the world that holds them.

Dates are timezone-aware UTC datetimes; GUIDs lower-case strings. Teacher
sessions copy their teacher's display fields (``name``, ``contact``,
``photo``) and encounters their center's, so a dump reads plain attributes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from emulator.core.pagecache import CachedWorld, WireCache
from emulator.pearson.domain.choices import CHOICES

DEFAULT_PASSWORD: str = CHOICES.default_password

# Role names as the vendor's authorization attributes spell them.
STUDENT = "Student"
STAFF_MEMBER = "StaffMember"
ADMINISTRATOR = "Administrator"
PROSPECT_WITH_TRIAL = "ProspectWithTrial"
USER = "User"
QA = "QA"
ISUS_TEACHER = "ISUSTeacher"
FOCUS_TOOL = "FocusTool"
ROLES = (STUDENT, STAFF_MEMBER, ADMINISTRATOR, PROSPECT_WITH_TRIAL, USER, QA, ISUS_TEACHER, FOCUS_TOOL)

# AvailableClassStatus: Available is documented; the others are the emulator's choice (API-NOTES).
AVAILABLE_CLASS_STATUSES = ("Available", "Booked", "Full", "Cancelled")


@dataclass(slots=True)
class Center:
    id: str
    name: str
    reference_id: str  # "BR-SAO-01"
    territory_id: str | None = None
    is_online: bool = False  # the online center: its classes are open to students of every center


def first_name(name: str) -> str:
    """A person's first name as the wire shows it: the first word of the one name the emulator keeps."""
    return name.split(" ", 1)[0]


def last_name(name: str) -> str:
    """A person's last name as the wire shows it: the name after its first word ("" for a one-word name)."""
    return name.split(" ", 1)[1] if " " in name else ""


@dataclass(slots=True)
class User:
    id: str
    name: str
    roles: list[str]
    center_id: str | None  # students and staff members belong to a center; others may not
    email: str | None = None
    completed_unit: int = 0  # students: the last encounter unit completed before any booking in the world
    password: str | None = None  # None: choices.CHOICES.default_password (the token endpoint)


@dataclass(slots=True)
class Teacher:
    id: str
    name: str
    contact: str | None
    photo: str | None
    partner_id: str  # the teaching partner the teacher works for


@dataclass(slots=True)
class TeacherSession:
    """One-to-one class of a student with a teacher (TeacherSessionViewModel)."""

    id: str
    user_id: str
    teacher_id: str
    name: str | None  # teacher's display fields, copied
    contact: str | None
    photo: str | None
    partner_id: str
    content_item_id: str
    meeting_url: str
    start: datetime
    end: datetime

    @property
    def start_unix(self) -> int:
        return int(self.start.timestamp())

    @property
    def end_unix(self) -> int:
        return int(self.end.timestamp())


@dataclass(slots=True)
class Encounter:
    """A class a student may attend (AvailableEncounter)."""

    id: str
    user_id: str
    unit_number: int
    start: datetime
    duration: int  # minutes
    status: str  # one of AVAILABLE_CLASS_STATUSES
    is_online: bool
    center_id: str
    center_name: str | None
    center_reference_id: str | None

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration)


@dataclass(slots=True)
class Territory:
    """TerritoryViewModel; ``client_id``/``client_secret`` are its API client (openapi/ routes)."""

    id: str
    reference_id: str
    name: str
    created: datetime
    client_id: str
    client_secret: str


@dataclass(slots=True)
class PearsonClass:
    """A class scheduled at a center (ScheduledClassViewModel and the models derived from it)."""

    id: str
    ref_class_id: str  # the scheduling system's id ("ClassId"/"RefClassId" on the wire)
    class_type: int  # choices.ClassType
    unit_number: int  # encounters: the unit; other types 0
    center_id: str
    teacher_id: str | None
    start: datetime
    duration: int  # minutes
    seats: int
    description: str
    categories: list[str]
    closed: bool = False

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration)


@dataclass(slots=True)
class Booking:
    """A student's seat in a class."""

    id: str
    class_id: str
    student_id: str
    book_mode: int  # choices.BookMode
    booked_by: str
    created: datetime


@dataclass(slots=True)
class Contract:
    """A student's registration (NextFutureRegistrationModel)."""

    id: str
    contract_id: str
    student_id: str
    start: datetime
    end: datetime


@dataclass(slots=True)
class WalkThrough:
    """The last status a user posted for a walkthrough (WalkThroughHistoryModel)."""

    user_id: str
    walkthrough_id: str
    status: int
    walkthrough_type: int
    updated: datetime


@dataclass
class PearsonWorld(CachedWorld):
    """One tenant's Pearson: centers, users, teachers, sessions, encounters and the token secret.

    The tenant is named by the ``iss`` claim of its tokens: ``tenant_keys()``
    answers the tenant id, so ``store.tenant_for("pearson", iss)`` finds it, and the tokens already verified.
    """

    VENDOR: ClassVar[str] = "pearson"

    tenant_id: str
    secret: str  # hex HMAC-SHA256 key for this tenant's tokens
    centers: dict[str, Center] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    teachers: dict[str, Teacher] = field(default_factory=dict)
    sessions: dict[str, TeacherSession] = field(default_factory=dict)
    encounters: dict[str, Encounter] = field(default_factory=dict)
    sessions_by_user: dict[str, list[str]] = field(default_factory=dict)  # sorted by start
    encounters_by_user: dict[str, list[str]] = field(default_factory=dict)  # sorted by start
    territories: dict[str, Territory] = field(default_factory=dict)
    classes: dict[str, PearsonClass] = field(default_factory=dict)
    bookings: dict[str, Booking] = field(default_factory=dict)
    bookings_by_student: dict[str, list[str]] = field(default_factory=dict)  # booking ids, in booking order
    bookings_by_class: dict[str, list[str]] = field(default_factory=dict)
    contracts: dict[str, Contract] = field(default_factory=dict)
    walkthroughs: dict[tuple[str, str], WalkThrough] = field(default_factory=dict)  # (user id, walkthrough id)
    # the application client of the token endpoint (``tokens.connect_token``); set by the seed
    client_id: str = "learning-services"
    rng: Any = None  # the world's own random.Random: ids of entities created later (bookings)
    client_secret: str = ""
    from_fixture: bool = False
    # entity id -> {schema name: wire form}, dropped by ``changed`` (core.pagecache); no page cache
    wire_cache: WireCache = field(default_factory=WireCache)
    # token -> claims, for tokens whose signature verified with ``secret`` (``auth.resolve``)
    verified: dict[str, dict[str, Any]] = field(default_factory=dict)

    def changed(self, entity: Any = None) -> None:
        """``CachedWorld.changed``; a change of the whole world (None: a new secret, say) also forgets the
        verified tokens: each is verified again on its next call (its key in the store still names the tenant)."""
        super().changed(entity)
        if entity is None:
            self.verified.clear()

    # derived from the entities, or a memo: not kept by ``--state-file``, rebuilt by ``reindex`` (core.persistence)
    DERIVED: ClassVar[tuple[str, ...]] = ("sessions_by_user", "encounters_by_user", "bookings_by_student",
                                          "bookings_by_class", "verified")

    def reindex(self) -> None:
        self.sessions_by_user, self.encounters_by_user = {}, {}
        for session in sorted(self.sessions.values(), key=lambda i: (i.start, i.id)):
            self.sessions_by_user.setdefault(session.user_id, []).append(session.id)
        for encounter in sorted(self.encounters.values(), key=lambda i: (i.start, i.id)):
            self.encounters_by_user.setdefault(encounter.user_id, []).append(encounter.id)
        self.bookings_by_student, self.bookings_by_class = {}, {}
        for booking in self.bookings.values():  # the bookings table keeps booking order
            self.bookings_by_student.setdefault(booking.student_id, []).append(booking.id)
            self.bookings_by_class.setdefault(booking.class_id, []).append(booking.id)

    # -- the World protocol of core.vendor ---------------------------------
    def tenant_keys(self) -> list[str]:
        """The tenant id (the ``iss`` of its tokens), the token endpoint's client ids, every token verified."""
        return [self.tenant_id, *self.client_ids(), *self.verified]

    def client_ids(self) -> list[str]:
        """The token endpoint's clients (``tokens.connect_token``): they name the tenant too."""
        return [self.client_id, *(t.client_id for t in self.territories.values())]

    def credentials(self) -> dict[str, Any]:
        return {
            "tokenEndpoint": f"POST /_emulator/tenants/{self.tenant_id}/pearson/tokens",
            "users": [_user_card(u) for u in _sample_users(self)],
            "connectToken": {
                "endpoint": "POST /pearson/api/connect/token (form: username, password, clientId, clientSecret)",
                "clientId": self.client_id, "clientSecret": self.client_secret,
                "password": "every user's, unless a fixture sets one: " + DEFAULT_PASSWORD,
                "territories": [{"id": t.id, "name": t.name, "clientId": t.client_id, "clientSecret": t.client_secret}
                                for t in self.territories.values()],
            },
        }

    def counts(self) -> dict[str, int]:
        return {"centers": len(self.centers), "users": len(self.users), "teachers": len(self.teachers),
                "sessions": len(self.sessions), "encounters": len(self.encounters),
                "territories": len(self.territories), "classes": len(self.classes), "bookings": len(self.bookings),
                "contracts": len(self.contracts), "walkthroughs": len(self.walkthroughs)}



def _user_card(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "roles": list(user.roles), "centerId": user.center_id}


def _sample_users(world: PearsonWorld) -> list[User]:
    """A student, a staff member of the student's center, one of another center, an administrator."""
    users = list(world.users.values())
    picked: list[User] = []
    student = next((u for u in users if STUDENT in u.roles and world.sessions_by_user.get(u.id)), None) \
        or next((u for u in users if STUDENT in u.roles), None)
    if student:
        picked.append(student)
        same = next((u for u in users if STAFF_MEMBER in u.roles and u.center_id == student.center_id), None)
        other = next((u for u in users if STAFF_MEMBER in u.roles and u.center_id != student.center_id), None)
        picked += [u for u in (same, other) if u]
    picked += [u for u in users if ADMINISTRATOR in u.roles][:1]
    for role in (PROSPECT_WITH_TRIAL, USER, QA, ISUS_TEACHER, FOCUS_TOOL):
        picked += [u for u in users if role in u.roles and u not in picked][:1]
    return picked
