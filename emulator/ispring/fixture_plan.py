"""The checks an iSpring fixture needs beyond its schema (``schemas.FIXTURE``, ``learning_fixture``): ids and
logins unique, every reference resolved (departments' parents, users' departments, sessions' participants and
managers, groups' members, clients' users, enrollments' courses, learners and modules, points' users), due
rules valid.

Every problem is collected, so one answer lists them all, in the fixture's order (departments, users, sessions,
groups, clients, courses, enrollments, points). A check that needs an entry that failed is skipped (the modules
of an enrollment of an unknown course). The result is the plan ``seed.apply_fixture`` builds the account from,
with no check left to make.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.errors import BadRequest
from ..core.fixtures import Problems
from . import enrollments
from .models import ACCOUNT_ADMINISTRATOR, ACCOUNT_OWNER

ROOT = "ispring"


@dataclass(slots=True)
class Plan:
    """The loaded fixture, checked: what building needs that the checks worked out."""

    doc: dict[str, Any]
    session_managers: list[str] = field(default_factory=list)  # each session's manager (given, or the default)
    permitted: list[str] = field(default_factory=list)  # the owners, then the administrators (sessions' permitted)


class _Checks:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.problems = Problems(ROOT)
        self.plan = Plan(doc=doc)
        self.users: dict[str, dict[str, Any]] = {}

    def run(self) -> Plan:
        self._people()
        self._learning()
        self.problems.check()
        return self.plan

    def _people(self) -> None:
        self._users(self._departments())
        self.plan.permitted = [ident for role in (ACCOUNT_OWNER, ACCOUNT_ADMINISTRATOR)
                               for ident, u in self.users.items() if u["role"] == role]
        self._sessions()
        self._groups_and_clients()

    def _departments(self) -> set[str]:
        doc, add = self.doc, self.problems.add
        departments: set[str] = set()
        for i, d in enumerate(doc["departments"]):
            if d["id"] in departments:
                add(f"departments[{i}].id", "duplicate id")
            departments.add(d["id"])
        for i, d in enumerate(doc["departments"]):
            if d["parent_department_id"] is not None and d["parent_department_id"] not in departments:
                add(f"departments[{i}].parentDepartmentId", "unknown department")
        return departments

    def _users(self, departments: set[str]) -> None:
        add = self.problems.add
        logins: set[str] = set()
        for i, u in enumerate(self.doc["users"]):
            if u["id"] in self.users:
                add(f"users[{i}].id", "duplicate id")
            if u["department_id"] not in departments:
                add(f"users[{i}].departmentId", "unknown department")
            if u["login"].lower() in logins:
                add(f"users[{i}].login", "duplicate login")
            logins.add(u["login"].lower())
            self.users[u["id"]] = u

    def _groups_and_clients(self) -> None:
        doc, add = self.doc, self.problems.add
        groups: set[str] = set()
        for i, g in enumerate(doc["groups"]):
            if g["id"] in groups:
                add(f"groups[{i}].id", "duplicate id")
            groups.add(g["id"])
            for j, user_id in enumerate(g["user_ids"]):
                if user_id not in self.users:
                    add(f"groups[{i}].userIds[{j}]", "unknown user")
        clients: set[str] = set()
        for i, c in enumerate(doc["clients"] or []):
            key = c["client_id"].strip().lower()
            if key in clients:
                add(f"clients[{i}].clientId", "duplicate id")
            clients.add(key)
            if c["user_id"] is not None and c["user_id"] not in self.users:
                add(f"clients[{i}].userId", "unknown user")

    def _sessions(self) -> None:
        add = self.problems.add
        seen: set[str] = set()
        for i, s in enumerate(self.doc["sessions"]):
            if s["id"] in seen:
                add(f"sessions[{i}].id", "duplicate id")
            seen.add(s["id"])
            for j, user_id in enumerate(s["participant_ids"]):
                if user_id not in self.users:
                    add(f"sessions[{i}].participantIds[{j}]", "unknown user")
            if s["manager_id"] is not None and s["manager_id"] not in self.users:
                add(f"sessions[{i}].managerId", "unknown user")
            manager = s["manager_id"] or next(iter(self.plan.permitted + s["participant_ids"]), None)
            if manager is None:
                add(f"sessions[{i}].managerId", "required when the account has no owner, administrator or participant")
            self.plan.session_managers.append(manager or "")

    def _learning(self) -> None:
        """Courses (with their modules), enrollments (with their progress) and points."""
        self._enrollments(self._courses())
        for i, p in enumerate(self.doc.get("points") or []):
            if p["user_id"] not in self.users:
                self.problems.add(f"points[{i}].userId", "unknown user")

    def _courses(self) -> dict[str, set[str]]:
        """Each course's module ids; course ids and given module item ids share one id space (world.content)."""
        doc, add = self.doc, self.problems.add
        content: set[str] = set()
        modules: set[str] = set()
        courses: dict[str, set[str]] = {}  # course id -> its module ids
        for i, c in enumerate(doc.get("courses") or []):
            if c["id"] in content:
                add(f"courses[{i}].id", "duplicate id")
            content.add(c["id"])
            courses[c["id"]] = set()
            for j, m in enumerate(c["modules"]):
                if m["id"] in modules or (m["item_id"] is not None and m["item_id"] in content):
                    add(f"courses[{i}].modules[{j}]", "duplicate id")
                modules.add(m["id"])
                if m["item_id"] is not None:
                    content.add(m["item_id"])
                courses[c["id"]].add(m["id"])
        return courses

    def _enrollments(self, courses: dict[str, set[str]]) -> None:
        add = self.problems.add
        seen: set[str] = set()
        for i, e in enumerate(self.doc.get("enrollments") or []):
            where = f"enrollments[{i}]"
            if e["id"] in seen:
                add(f"{where}.id", "duplicate id")
            seen.add(e["id"])
            course = courses.get(e["course_id"])
            if course is None:
                add(f"{where}.courseId", "unknown course")
            if e["learner_id"] not in self.users:
                add(f"{where}.learnerId", "unknown user")
            try:
                enrollments.check_due(e["due_date_type"], e["due_date"], e["due_period"])
            except BadRequest as exc:  # reported as the fixture's problem
                add(where, exc.message)
            for j, p in enumerate(e["modules"]):
                if course is not None and p["module_id"] not in course:
                    add(f"{where}.modules[{j}].moduleId", "not a module of the course")


def plan_fixture(doc: dict[str, Any]) -> Plan:
    """The plan of a loaded fixture (``schemas.load_fixture``), or ValidationFailed listing every problem."""
    return _Checks(doc).run()
