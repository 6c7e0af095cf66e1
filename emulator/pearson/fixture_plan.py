"""The checks a Pearson fixture needs beyond its schema (``schemas.FIXTURE``): ids unique, every reference
resolved (users' centers, sessions' users and teachers, encounters' users and centers, centers' territories,
classes' centers and teachers, bookings' classes and students, contracts' students), time spans in order.

Every problem is collected, so one answer lists them all, in the fixture's order (centers, teachers, users,
sessions, encounters, territories, centers' territories, classes, bookings, contracts). A check that needs an
entry that failed is skipped (an encounter of an unknown user has no center to check). The result is the plan
``seed.apply_fixture`` builds the world from, with no check left to make.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..core.fixtures import Problems
from .choices import ClassType
from .models import STAFF_MEMBER, STUDENT
from .schemas import resolve_instant

ROOT = "pearson"
Span = tuple[datetime, datetime]


@dataclass(slots=True)
class Plan:
    """The loaded fixture, checked: what building needs that the checks worked out."""

    doc: dict[str, Any]
    session_spans: list[Span] = field(default_factory=list)
    encounter_centers: list[str] = field(default_factory=list)  # each encounter's center (its own, or its user's)
    contract_spans: list[Span] = field(default_factory=list)


class _Checks:
    def __init__(self, doc: dict[str, Any], anchor: datetime) -> None:
        self.doc, self.anchor = doc, anchor
        self.problems = Problems(ROOT)
        self.plan = Plan(doc=doc)

    def unique(self, section: str) -> set[str]:
        """The section's given ids; a repeated one is a problem at its entry."""
        seen: set[str] = set()
        for i, entry in enumerate(self.doc[section]):
            if entry["id"] and entry["id"] in seen:
                self.problems.add(f"{section}[{i}].id", "duplicate id")
            if entry["id"]:
                seen.add(entry["id"])
        return seen

    def span(self, where: str, start: Any, end: Any) -> Span:
        at, until = resolve_instant(start, self.anchor), resolve_instant(end, self.anchor)
        if until <= at:
            self.problems.add(f"{where}.end", "must be after start")
        return at, until

    def run(self) -> Plan:
        doc, add = self.doc, self.problems.add
        centers, teachers = self.unique("centers"), self.unique("teachers")
        users: dict[str, dict[str, Any]] = {}
        for i, u in enumerate(doc["users"]):
            if u["id"] in users:
                add(f"users[{i}].id", "duplicate id")
            if u["center_id"] is not None and u["center_id"] not in centers:
                add(f"users[{i}].centerId", "unknown center")
            if u["center_id"] is None and set(u["roles"]) & {STUDENT, STAFF_MEMBER}:
                add(f"users[{i}].centerId", "students and staff members need a center")
            users.setdefault(u["id"], u)
        sessions: set[str] = set()
        for i, s in enumerate(doc["sessions"]):
            if s["user_id"] not in users:
                add(f"sessions[{i}].userId", "unknown user")
            if s["teacher_id"] not in teachers:
                add(f"sessions[{i}].teacherId", "unknown teacher")
            self.plan.session_spans.append(self.span(f"sessions[{i}]", s["start"], s["end"]))
            if s["id"] and s["id"] in sessions:
                add(f"sessions[{i}].id", "duplicate id")
            sessions.add(s["id"] or "")
        self._encounters(users, centers)
        self._schedule(users, centers, teachers)
        self.problems.check()
        return self.plan

    def _encounters(self, users: dict[str, dict[str, Any]], centers: set[str]) -> None:
        seen: set[str] = set()
        for i, e in enumerate(self.doc["encounters"]):
            student = users.get(e["user_id"])
            if student is None:
                self.problems.add(f"encounters[{i}].userId", "unknown user")
            center_id = e["center_id"] or (student["center_id"] if student is not None else None)
            if center_id not in centers and (student is not None or e["center_id"]):
                self.problems.add(f"encounters[{i}].centerId", "unknown center")
            if e["id"] and e["id"] in seen:
                self.problems.add(f"encounters[{i}].id", "duplicate id")
            seen.add(e["id"] or "")
            self.plan.encounter_centers.append(center_id or "")

    def _schedule(self, users: dict[str, dict[str, Any]], centers: set[str], teachers: set[str]) -> None:
        """Territories, the centers' territories, classes, bookings and contracts."""
        territories = self.unique("territories")
        for i, c in enumerate(self.doc["centers"]):
            if c["territory_id"] is not None and c["territory_id"] not in territories:
                self.problems.add(f"centers[{i}].territoryId", "unknown territory")
        self._bookings(users, self._classes(centers, teachers))
        for i, k in enumerate(self.doc["contracts"]):
            if k["student_id"] not in users:
                self.problems.add(f"contracts[{i}].studentId", "unknown user")
            self.plan.contract_spans.append(self.span(f"contracts[{i}]", k["start"], k["end"]))

    def _classes(self, centers: set[str], teachers: set[str]) -> set[str]:
        """The given class ids."""
        doc, add = self.doc, self.problems.add
        classes: set[str] = set()
        for i, c in enumerate(doc["classes"]):
            if c["center_id"] not in centers:
                add(f"classes[{i}].centerId", "unknown center")
            if c["teacher_id"] is not None and c["teacher_id"] not in teachers:
                add(f"classes[{i}].teacherId", "unknown teacher")
            if c["id"] and c["id"] in classes:
                add(f"classes[{i}].id", "duplicate id")
            if (ClassType(c["class_type"]) == ClassType.ENCOUNTER) != (c["unit_number"] > 0):
                add(f"classes[{i}].unitNumber", "encounters need a unit (1..20); other classes none (0)")
            if c["id"]:
                classes.add(c["id"])
        return classes

    def _bookings(self, users: dict[str, dict[str, Any]], classes: set[str]) -> None:
        doc, add = self.doc, self.problems.add
        booked: set[tuple[str, str]] = set()
        for i, b in enumerate(doc["bookings"]):
            if b["class_id"] not in classes:
                add(f"bookings[{i}].classId", "unknown class")
            student = users.get(b["student_id"])
            if student is None or STUDENT not in student["roles"]:
                add(f"bookings[{i}].studentId", "unknown student")
            elif (b["class_id"], b["student_id"]) in booked:
                add(f"bookings[{i}].studentId", "already booked into this class")
            booked.add((b["class_id"], b["student_id"]))


def plan_fixture(doc: dict[str, Any], anchor: datetime) -> Plan:
    """The plan of a loaded fixture (``schemas.load_fixture``), or ValidationFailed listing every problem."""
    return _Checks(doc, anchor).run()
