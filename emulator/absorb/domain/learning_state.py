"""Issue 29's second half of the catalogue's state: credit types, messages, course evaluations, session attendance
and direct curriculum enrollments (``world.learning``), with its seeding.

Seeded from a generator of its own (derived seed ``(seed, tenant, "absorb-learning")``), after everything else, so
no id or value seeded before it moved. What is derived from other state (course versions, prerequisites, a user's
credits, a learning path) is not kept here: it is computed on each read from the entities it comes from.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emulator.core.wire import new_guid
from emulator.absorb.domain.models import AbsorbWorld, EnrollmentStatus

CREDIT_TYPES = (("General", "Credits a course awards when no other type is named."),
                ("Continuing Education Units", "CEUs, one per ten contact hours."),
                ("Continuing Professional Education", "CPE credits for accredited professions."))
EVALUATION_COMMENTS = ("Clear and well paced.", "Too long for what it covers.", "The examples helped.",
                       "Good refresher.", None, None)
MESSAGE_SUBJECTS = ("Reminder: {course}", "Welcome to {course}", "Question about {course}")


@dataclass(slots=True)
class CreditType:
    id: str
    name: str
    description: str | None
    is_default: bool
    date_added: datetime
    date_edited: datetime


@dataclass(slots=True)
class Message:
    """A message a user sent (the vendor's MessageResource): to one or more users, in a conversation, optionally
    about an enrollment."""

    id: str
    date_sent: datetime
    subject: str | None
    body: str | None
    from_id: str
    to_user_ids: list[str]
    conversation_id: str
    enrollment_id: str | None = None


@dataclass(slots=True)
class CourseEvaluation:
    """A learner's evaluation of a course they completed (kept while its enrollment exists)."""

    id: str
    course_id: str
    enrollment_id: str
    user_id: str
    rating: int  # 1-5
    comments: str | None
    date_added: datetime


@dataclass(slots=True)
class Attendance:
    """A session enrollment's attendance, as the instructor marked it (keyed by session enrollment id)."""

    session_enrollment_id: str
    attended: bool
    score: float | None
    date_marked: datetime


@dataclass(slots=True)
class CurriculumEnrollmentRecord:
    """A user enrolled in a curriculum as such (``POST /users/{userId}/enrollments/{curriculumId}``)."""

    id: str
    user_id: str
    curriculum_id: str
    date_added: datetime
    course_enrollment_ids: list[str] = field(default_factory=list)


@dataclass
class LearningState:
    credit_types: dict[str, CreditType] = field(default_factory=dict)
    messages: dict[str, Message] = field(default_factory=dict)
    evaluations: dict[str, CourseEvaluation] = field(default_factory=dict)
    attendance: dict[str, Attendance] = field(default_factory=dict)
    curriculum_enrollments: dict[str, CurriculumEnrollmentRecord] = field(default_factory=dict)
    fixed_credit_types: bool = False  # a fixture gave them: seeding leaves them as they are
    fixed_messages: bool = False

    def counts(self) -> dict[str, int]:
        return {"creditTypes": len(self.credit_types), "messages": len(self.messages),
                "courseEvaluations": len(self.evaluations), "attendances": len(self.attendance),
                "curriculumEnrollments": len(self.curriculum_enrollments)}


def learning_of(world: AbsorbWorld) -> LearningState:
    if world.learning is None:
        world.learning = LearningState()
    found: LearningState = world.learning
    return found


def default_credit_type(world: AbsorbWorld) -> CreditType | None:
    types = learning_of(world).credit_types.values()
    return next((t for t in types if t.is_default), next(iter(types), None))


def seed(world: AbsorbWorld, rng: random.Random, anchor: datetime) -> None:
    """Credit types, a few messages per learner and evaluations of completed courses, drawn only from ``rng``
    (the same draws whatever a fixture fixed: a part it gave is left as it is)."""
    state = learning_of(world)
    for n, (name, description) in enumerate(CREDIT_TYPES):
        added = anchor - timedelta(days=rng.randint(800, 1500))
        credit_type = CreditType(new_guid(rng), name, description, n == 0, added, added)
        if not state.fixed_credit_types:
            state.credit_types[credit_type.id] = credit_type
    admins = [u for u in world.users.values() if u.is_admin]
    for enrollment in list(world.enrollments.values()):
        course = world.courses[enrollment.course_id]
        if (enrollment.status == EnrollmentStatus.COMPLETE and course.allow_course_evaluation
                and rng.random() < 0.6):
            at = (enrollment.date_completed or enrollment.date_edited) + timedelta(0, 60 * rng.randint(1, 600))
            evaluation = CourseEvaluation(new_guid(rng), course.id, enrollment.id, enrollment.user_id,
                                          rng.randint(1, 5), rng.choice(EVALUATION_COMMENTS), at)
            state.evaluations[evaluation.id] = evaluation
        if admins and rng.random() < 0.25 and not state.fixed_messages:
            _seed_conversation(world, state, rng, rng.choice(admins).id, enrollment.user_id, course.name,
                               enrollment.id, enrollment.date_added)


def _seed_conversation(world: AbsorbWorld, state: LearningState, rng: random.Random, admin_id: str, learner_id: str,
                       course_name: str, enrollment_id: str, at: datetime) -> None:
    conversation = new_guid(rng)
    subject = rng.choice(MESSAGE_SUBJECTS).format(course=course_name)
    sent = at + timedelta(0, 3600 * rng.randint(1, 72))
    first = Message(new_guid(rng), sent, subject, f"Hello, a note about {course_name}.", admin_id, [learner_id],
                    conversation, enrollment_id)
    state.messages[first.id] = first
    if rng.random() < 0.5:
        reply = Message(new_guid(rng), sent + timedelta(0, 3600 * rng.randint(1, 48)), f"RE: {subject}",
                        "Thank you, noted.", learner_id, [admin_id], conversation, enrollment_id)
        state.messages[reply.id] = reply
