"""iSpring Learn's learning results: module and course statuses that move, the results lists, async tasks.

Plain functions taking the world first; routes call them under the tenant's lock.

- ``POST /statistics/module`` sets modules' statuses for enrollments of one course; ``DELETE
  /statistics/module`` clears them (the named modules, else all); ``POST /statistics/course`` sets the course
  status itself (``automatic``: back to the status the modules give). Each answers an async task id, whose
  status (``GET /task/{id}/status``) is ``complete``: the emulator applies the change at once.
- A course's status, unless set: every module completed (complete, passed, accepted) -> ``complete``; any
  module started -> ``in_progress``; else ``not_started``. Its completion date is the last module's
  completion; its progress the mean of the modules' (a completed module counts 100).
- A status change is an event: ``COURSE_ITEM_STATUS_CHANGED`` / ``COURSE_STATUS_CHANGED`` on any change, and
  ``COURSE_ITEM_COMPLETED_SUCCESSFULLY`` / ``COURSE_COMPLETED_SUCCESSFULLY`` when it becomes a completion.
- ``final_statuses`` of a course: each enrolled learner's status and progress (completionDate once completed).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from emulator.core.errors import BadRequest
from emulator.core.scale import Scale
from emulator.core.seedrandom import stream
from emulator.core.wire import iso_z
from emulator.ispring.domain import content, enrollments, gamification, webhooks
from emulator.ispring.domain.lookups import lookup
from emulator.ispring.domain.models import CourseModule, Enrollment, ISpringWorld, ModuleProgress

COMPLETION_STATUSES = ("not_started", "in_progress", "pending", "complete", "passed", "accepted", "incomplete",
                       "failed", "declined")
COURSE_STATUSES = ("complete", "incomplete", "passed", "failed", "automatic")  # CourseCompletionStatus
COMPLETED = ("complete", "passed", "accepted")
FINAL = (*COMPLETED, "incomplete", "failed", "declined")
USER_STATUS_CODES = {"ACTIVE": 1, "DEACTIVATED": 3, "TERMINATED": 5}  # the document's UserStatus
FIRST_TASK_ID = 1000  # emulator's choice: task ids count up from here per account


@dataclass(frozen=True, slots=True)
class DateRange:
    start: datetime | None
    end: datetime | None

    def holds(self, value: datetime | None) -> bool:
        return value is not None and (self.start is None or value >= self.start) and \
            (self.end is None or value <= self.end)


@dataclass(frozen=True, slots=True)
class ResultFilter:
    """The results routes' filters; an empty list filters nothing."""

    user_ids: frozenset[str] = frozenset()
    course_ids: frozenset[str] = frozenset()
    department_ids: frozenset[str] = frozenset()
    enrollment_ids: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    user_statuses: frozenset[int] = frozenset()
    module_ids: frozenset[str] = frozenset()
    item_ids: frozenset[str] = frozenset()
    completion: DateRange | None = None
    access: DateRange | None = None
    due: DateRange | None = None


def _day(value: date | None) -> datetime | None:
    return None if value is None else datetime.combine(value, time(), timezone.utc)


# -- statuses ---------------------------------------------------------------------------------------

def module_progress(enrollment: Enrollment, module: CourseModule) -> ModuleProgress:
    return enrollment.modules.get(module.id) or ModuleProgress()


def course_status(world: ISpringWorld, enrollment: Enrollment) -> str:
    if enrollment.course_status is not None:
        return enrollment.course_status
    modules = _modules(world, enrollment)
    states = [module_progress(enrollment, m).status for m in modules]
    if states and all(s in COMPLETED for s in states):
        return "complete"
    if any(s != "not_started" for s in states):
        return "in_progress"
    return "not_started"


def completion_date(world: ISpringWorld, enrollment: Enrollment) -> datetime | None:
    if enrollment.course_status is not None:
        return enrollment.completed if enrollment.course_status in FINAL else None
    if course_status(world, enrollment) not in COMPLETED:
        return None
    dates = [p.completed for p in enrollment.modules.values() if p.completed is not None]
    return max(dates) if dates else None


def progress(world: ISpringWorld, enrollment: Enrollment) -> float:
    if course_status(world, enrollment) in COMPLETED:
        return 100.0
    modules = _modules(world, enrollment)
    if not modules:
        return 0.0
    return round(sum(_module_percent(module_progress(enrollment, m)) for m in modules) / len(modules), 2)


def _module_percent(p: ModuleProgress) -> float:
    return 100.0 if p.status in COMPLETED else p.progress


def _modules(world: ISpringWorld, enrollment: Enrollment) -> list[CourseModule]:
    course = world.content.get(enrollment.course_id)
    return [] if course is None else content.course_modules(world, course)


def is_overdue(world: ISpringWorld, enrollment: Enrollment, now: datetime) -> bool:
    due = enrollments.due_date(world, enrollment)
    return due is not None and now.date() > due and course_status(world, enrollment) not in COMPLETED


# -- the results lists --------------------------------------------------------------------------------

def _visible(world: ISpringWorld, e: Enrollment, f: ResultFilter) -> bool:
    user = world.users.get(e.learner_id)
    if user is None or user.status == "DELETED":
        return False
    return ((not f.user_ids or e.learner_id in f.user_ids) and (not f.course_ids or e.course_id in f.course_ids)
            and (not f.enrollment_ids or e.id in f.enrollment_ids)
            and (not f.department_ids or user.department_id in f.department_ids)
            and (not f.user_statuses or USER_STATUS_CODES.get(user.status) in f.user_statuses)
            and (f.access is None or f.access.holds(_day(e.access)))
            and (f.due is None or f.due.holds(_day(enrollments.due_date(world, e)))))


def learner_results(world: ISpringWorld, f: ResultFilter, now: datetime) -> list[dict[str, Any]]:
    """The document's LearnerResult for each enrollment the filter keeps (enrollment order)."""
    out = []
    for e in world.enrollments.values():
        if not _visible(world, e, f):
            continue
        course = world.content.get(e.course_id)
        status, completed = course_status(world, e), completion_date(world, e)
        if (f.statuses and status not in f.statuses) or \
                (f.completion is not None and not f.completion.holds(completed)):
            continue
        row: dict[str, Any] = {"userId": e.learner_id, "courseId": e.course_id,
                               "courseTitle": course.title if course else "", "enrollmentId": e.id,
                               "accessDate": iso_z(_day(e.access))}
        due = enrollments.due_date(world, e)
        if due is not None:
            row["dueDate"] = iso_z(_day(due))
        if completed is not None:
            row["completionDate"] = iso_z(completed)
        scores = [p.score for p in e.modules.values() if p.score is not None]
        row.update({"duration": course.duration if course else 0,
                    "timeSpent": sum(p.time_spent for p in e.modules.values()), "completionStatus": status})
        score = e.score if e.score is not None else (round(sum(scores) / len(scores), 2) if scores else None)
        if score is not None:
            row["awardedScore"] = score
        row.update({"progress": progress(world, e), "isOverdue": is_overdue(world, e, now),
                    "viewsCount": sum(p.views for p in e.modules.values())})
        out.append(row)
    return out


def module_results(world: ISpringWorld, f: ResultFilter, now: datetime) -> list[dict[str, Any]]:
    """The document's LearnerModuleResult for each module of each enrollment the filter keeps."""
    out = []
    for e in world.enrollments.values():
        if not _visible(world, e, f):
            continue
        due = enrollments.due_date(world, e)
        overdue = is_overdue(world, e, now)
        for module in _modules(world, e):
            if (f.module_ids and module.id not in f.module_ids) or (f.item_ids and module.item_id not in f.item_ids):
                continue
            p = module_progress(e, module)
            if (f.statuses and p.status not in f.statuses) or (f.completion is not None
                                                               and not f.completion.holds(p.completed)):
                continue
            row: dict[str, Any] = {"userId": e.learner_id, "courseId": e.course_id, "moduleId": module.id,
                                   "moduleTitle": module.title, "courseItemId": module.item_id, "enrollmentId": e.id,
                                   "accessDate": iso_z(_day(e.access))}
            if due is not None:
                row["dueDate"] = iso_z(_day(due))
            if p.completed is not None:
                row["completionDate"] = iso_z(p.completed)
            row.update({"timeSpent": p.time_spent, "completionStatus": p.status})
            if p.score is not None:
                row["awardedScore"] = p.score
            if module.passing_score is not None:
                row["passingScore"] = module.passing_score
            row.update({"progress": _module_percent(p), "isOverdue": overdue and p.status not in COMPLETED,
                        "viewsCount": p.views})
            out.append(row)
    return out


def final_statuses(world: ISpringWorld, item_id: str) -> list[dict[str, Any]]:
    """Each learner's status in a course (or in a course's material), with progress."""
    item = content.get_content(world, item_id)
    out = []
    for e in world.enrollments.values():
        if item.content_type == "Course" and e.course_id == item.id:
            status, completed, percent = course_status(world, e), completion_date(world, e), progress(world, e)
            views = [p for p in e.modules.values() if p.views]
        else:
            course = world.content.get(e.course_id)
            module = content.module_for_item(world, course, item.id) if course is not None else None
            if module is None:
                continue
            p = module_progress(e, module)
            status, completed, percent, views = p.status, p.completed, _module_percent(p), [p] if p.views else []
        row: dict[str, Any] = {"userId": e.learner_id, "status": status, "progress": int(round(percent))}
        if completed is not None:
            row["completionDate"] = iso_z(completed)
        seen = [when for when in (p.completed or e.created for p in views) if when is not None]
        last = max(seen, default=None)
        if last is not None:
            row["lastViewDate"] = iso_z(last)
        out.append(row)
    return out


# -- writes ---------------------------------------------------------------------------------------------

def _enrollments_of_course(world: ISpringWorld, course_id: str, enrollment_ids: Iterable[str]) -> list[Enrollment]:
    course = world.content.get(course_id)
    if course is None or course.content_type != "Course":
        raise BadRequest(f"courseId: '{course_id}' is not a course of this account.")
    out = []
    for enrollment_id in dict.fromkeys(enrollment_ids):
        e = world.enrollments.get(enrollment_id)
        if e is None or e.course_id != course_id:
            raise BadRequest(f"enrollmentIds: '{enrollment_id}' is not an enrollment in course '{course_id}'.")
        out.append(e)
    if not out:
        raise BadRequest("enrollmentIds: at least one id.")
    return out


def _new_task(world: ISpringWorld) -> int:
    task_id = max(world.tasks, default=FIRST_TASK_ID - 1) + 1
    world.tasks[task_id] = "complete"
    return task_id


def task_status(world: ISpringWorld, task_id: int) -> str:
    return lookup(world.tasks, task_id, "Task")


class _Changes:
    """Statuses before a write, and the events the write makes once it is done."""

    def __init__(self, world: ISpringWorld, targets: list[Enrollment]) -> None:
        self.world = world
        self.before = {e.id: (course_status(world, e), {m: p.status for m, p in e.modules.items()}) for e in targets}
        self.targets = targets

    def emit(self, now: datetime) -> None:
        world = self.world
        item_changes, item_done, course_changes, course_done = [], [], [], []
        for e in self.targets:
            old_course, old_modules = self.before[e.id]
            for module in _modules(world, e):
                old, new = old_modules.get(module.id, "not_started"), module_progress(e, module).status
                if old == new:
                    continue
                base = {"courseId": e.course_id, "courseItemId": module.item_id, "learnerId": e.learner_id,
                        "enrollmentId": e.id}
                item_changes.append({**base, "status": new})
                if new in COMPLETED and old not in COMPLETED:
                    item_done.append({**base, "completionDate": _nanoseconds(module_progress(e, module).completed
                                                                             or now)})
            new_course = course_status(world, e)
            if new_course != old_course:
                course_changes.append({"courseId": e.course_id, "learnerId": e.learner_id, "enrollmentId": e.id,
                                       "status": new_course})
                if new_course in COMPLETED and old_course not in COMPLETED:
                    gamification.issue_certificate(world, e, completion_date(world, e) or now)
                    course_done.append({"courseId": e.course_id, "learnerId": e.learner_id, "enrollmentIds": [e.id],
                                        "completionDate": _nanoseconds(completion_date(world, e) or now)})
        for event_type, payloads in (("COURSE_ITEM_STATUS_CHANGED", item_changes),
                                     ("COURSE_ITEM_COMPLETED_SUCCESSFULLY", item_done),
                                     ("COURSE_STATUS_CHANGED", course_changes),
                                     ("COURSE_COMPLETED_SUCCESSFULLY", course_done)):
            if payloads:
                webhooks.emit(world, event_type, payloads)


def _nanoseconds(value: datetime) -> int:
    """Pipedream's test event: ``completionDate: <int nanoseconds>`` (since the Unix epoch)."""
    return int(value.timestamp()) * 1_000_000_000 + value.microsecond * 1000


def update_course_status(world: ISpringWorld, course_id: str, enrollment_ids: list[str], status: str, *,
                         at: datetime | None, reason: str, score: float | None, now: datetime) -> int:
    if status not in COURSE_STATUSES:
        raise BadRequest(f"status: '{status}' is not one of {', '.join(COURSE_STATUSES)}.")
    targets = _enrollments_of_course(world, course_id, enrollment_ids)
    changes = _Changes(world, targets)
    for e in targets:
        if status == "automatic":
            e.course_status, e.completed, e.score, e.reason = None, None, None, ""
        else:
            e.course_status, e.completed, e.reason = status, at or now, reason
            if score is not None:
                e.score = score
    changes.emit(now)
    return _new_task(world)


@dataclass(frozen=True, slots=True)
class ModuleStatus:
    item_id: str
    status: str
    at: datetime | None
    reason: str
    score: float | None


def update_module_statuses(world: ISpringWorld, course_id: str, enrollment_ids: list[str],
                           statuses: list[ModuleStatus], now: datetime) -> int:
    targets = _enrollments_of_course(world, course_id, enrollment_ids)
    course = world.content[course_id]
    modules = []
    for i, s in enumerate(statuses):
        module = content.module_for_item(world, course, s.item_id)
        if module is None:
            raise BadRequest(f"moduleStatuses[{i}].contentItemId: '{s.item_id}' is not a module of the course.")
        if s.status not in COMPLETION_STATUSES:
            raise BadRequest(f"moduleStatuses[{i}].status: '{s.status}' is not one of "
                             f"{', '.join(COMPLETION_STATUSES)}.")
        modules.append((module, s))
    changes = _Changes(world, targets)
    for e in targets:
        for module, s in modules:
            p = e.modules.setdefault(module.id, ModuleProgress())
            p.status, p.reason = s.status, s.reason
            p.completed = (s.at or now) if s.status in FINAL else None
            p.progress = 100.0 if s.status in COMPLETED else (50.0 if s.status in ("in_progress", "pending") else
                                                              p.progress if s.status != "not_started" else 0.0)
            if s.score is not None:
                p.score = s.score
            p.views = max(p.views, 1 if s.status != "not_started" else 0)
    changes.emit(now)
    return _new_task(world)


def reset_module_statistics(world: ISpringWorld, course_id: str, enrollment_ids: list[str], item_ids: list[str],
                            now: datetime) -> int:
    """The named modules' (all, when none is named) progress cleared for the enrollments."""
    targets = _enrollments_of_course(world, course_id, enrollment_ids)
    course = world.content[course_id]
    modules = content.course_modules(world, course)
    if item_ids:
        modules = []
        for item_id in item_ids:
            module = content.module_for_item(world, course, item_id)
            if module is None:
                raise BadRequest(f"contentItemIds: '{item_id}' is not a module of the course.")
            modules.append(module)
    changes = _Changes(world, targets)
    for e in targets:
        for module in modules:
            e.modules.pop(module.id, None)
    changes.emit(now)
    return _new_task(world)


# -- seeding --------------------------------------------------------------------------------------------

def seed_progress(world: ISpringWorld, made: list[Enrollment], rng: Any, anchor: datetime,
                  scale: Scale) -> None:
    """Believable progress: about a third completed, a third under way, a third not started."""
    latest = anchor - timedelta(minutes=1)
    mornings: dict[date, datetime] = {}  # access day -> 9:00 that day, made once
    draw_module = _module_draws(rng, scale)
    by_course: dict[str, list[CourseModule]] = {}  # course id -> its modules, listed once
    for e in made:
        modules = by_course.get(e.course_id)
        if modules is None:
            modules = by_course[e.course_id] = _modules(world, e)
        roll = rng.random()
        done = len(modules) if roll < 0.35 else rng.randint(1, max(1, len(modules) - 1)) if roll < 0.7 else 0
        start = mornings.get(e.access) or mornings.setdefault(e.access,
                                                               datetime.combine(e.access, time(9), anchor.tzinfo))
        for module in modules[:done]:
            passing = module.passing_score is not None
            hours, score, spent, views = draw_module(passing)
            start = min(latest, start + HOURS[hours])
            # status, progress, completed, score, time spent, views: by position (keywords cost ~1.3 us more)
            e.modules[module.id] = ModuleProgress("passed" if passing else "complete", 100.0, start,
                                                  float(score) if passing else None, spent, views)
        if 0 < done < len(modules) and rng.random() < 0.5:
            e.modules[modules[done].id] = ModuleProgress(status="in_progress", progress=float(rng.randint(10, 90)),
                                                         time_spent=rng.randint(60, 900), views=1)


HOURS = [timedelta(hours=hours) for hours in range(73)]  # a completed module's hours after the last, made once


def _module_draws(rng: Any, scale: Scale) -> Callable[[bool], tuple[int, int, int, int]]:
    """What a completed module draws: hours after the last one, a score (with a passing score), seconds spent
    and views. One ``randint`` each in the default account (what it always drew); a sized one's (``core.scale``)
    from streams (``core.seedrandom.stream``): a ``next()`` each instead of a Python frame, ~80,000 modules at
    50,000 users."""
    if scale.default:
        def drawn(passing: bool) -> tuple[int, int, int, int]:
            hours = rng.randint(1, 72)
            return hours, rng.randint(80, 100) if passing else 0, rng.randint(300, 1800), rng.randint(1, 3)
        return drawn
    hours, scores, spent, views = (stream(rng, range(1, 73)), stream(rng, range(80, 101)),
                                   stream(rng, range(300, 1801)), stream(rng, range(1, 4)))

    def streamed(passing: bool) -> tuple[int, int, int, int]:
        return next(hours), next(scores) if passing else 0, next(spent), next(views)
    return streamed


def check_statuses(values: list[str]) -> frozenset[str]:
    bad = [v for v in values if v not in COMPLETION_STATUSES]
    if bad:
        raise BadRequest(f"completionStatuses: '{bad[0]}' is not one of {', '.join(COMPLETION_STATUSES)}.")
    return frozenset(values)


def check_user_statuses(values: list[str]) -> frozenset[int]:
    out = set()
    for v in values:
        if v.strip() not in ("1", "3", "5"):
            raise BadRequest(f"userStatuses: '{v}' is not 1 (active), 3 (inactive) or 5 (terminated).")
        out.add(int(v))
    return frozenset(out)

