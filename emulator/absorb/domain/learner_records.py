"""What the portal keeps about a learner beyond enrollments: credits, messages and the learning path (the vendor's
Credits, Messages and Learning paths pages).

Rules (the Messages page gives the MessageResource fields and says the user list is the user's *sent* messages;
the rest is the emulator's choice, in ``CHOICES`` and docs/VENDOR-NOTES.md):
- a user's credits are earned by completing: one row per completed course enrollment (history included: credits
  once earned stay earned), of the enrollment's ``credits`` or else the course's, under the default credit type
  (or one row per entry of the enrollment's ``creditTypeCredits``); no completion, no credits;
- ``/users/{userId}/messages`` lists the messages the user sent, oldest first; ``/messages/{id}`` any message;
- a user's learning path is their active enrollments in order: not yet complete first, by due date (none last),
  then by course name; each names the curriculum it came through (``courseCollectionId``), if any.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from emulator.absorb.domain.learning_state import CreditType, Message, default_credit_type, learning_of
from emulator.absorb.domain.lookups import find, get_user
from emulator.absorb.domain.models import AbsorbWorld, CourseEnrollment, EnrollmentStatus, User


@dataclass(frozen=True, slots=True)
class UserCredit:
    user_id: str
    enrollment_id: str
    course_id: str
    course_name: str
    credit_type_id: str | None
    credit_type_name: str | None
    credits: float
    date_awarded: datetime | None


def list_credit_types(world: AbsorbWorld) -> list[CreditType]:
    return list(learning_of(world).credit_types.values())


def user_credits(world: AbsorbWorld, user_id: str) -> list[UserCredit]:
    """Credits earned by ``user_id`` (404 for an unknown user), oldest completion first."""
    user = get_user(world, user_id)
    enrollments = sorted((world.enrollments[i] for i in world.by_user.get(user.id, ())),
                         key=lambda e: (e.date_completed or e.date_edited, e.id))
    return [credit for e in enrollments if e.status == EnrollmentStatus.COMPLETE for credit in _credits_of(world, e)]


def _credits_of(world: AbsorbWorld, enrollment: CourseEnrollment) -> list[UserCredit]:
    types = learning_of(world).credit_types
    course = world.courses[enrollment.course_id]
    pairs: list[tuple[str | None, float]] = [
        (str(entry.get("credit_type_id")), float(entry.get("credits") or 0))
        for entry in enrollment.credit_type_credits]
    if not pairs:
        amount = enrollment.credits if enrollment.credits is not None else course.credits
        if not amount:
            return []
        default = default_credit_type(world)
        pairs = [(default.id if default else None, float(amount))]
    return [UserCredit(enrollment.user_id, enrollment.id, course.id, course.name, type_id,
                       types[type_id].name if type_id in types else None, amount, enrollment.date_completed)
            for type_id, amount in pairs]


def get_message(world: AbsorbWorld, message_id: str) -> Message:
    return find(learning_of(world).messages, message_id, "Message")


def sent_messages(world: AbsorbWorld, user_id: str) -> list[Message]:
    user = get_user(world, user_id)
    return sorted((m for m in learning_of(world).messages.values() if m.from_id == user.id),
                  key=lambda m: (m.date_sent, m.id))


def message_names(world: AbsorbWorld, message: Message) -> tuple[str, str]:
    """The ``from`` (sender's name) and ``to`` (recipients' emails, comma-separated) members."""
    sender = world.users.get(message.from_id)
    emails = [u.email_address for i in message.to_user_ids if (u := world.users.get(i)) and u.email_address]
    return (sender.full_name if sender else ""), ", ".join(emails)


@dataclass(frozen=True, slots=True)
class LearningPathItem:
    enrollment_id: str
    course_id: str
    course_name: str
    course_type: str
    status: int
    progress: float
    date_due: datetime | None
    date_completed: datetime | None
    curriculum_id: str | None


def learning_path(world: AbsorbWorld, user_id: str) -> tuple[User, list[LearningPathItem]]:
    user = get_user(world, user_id)
    active = [world.enrollments[e] for (u, _), e in world.active.items() if u == user.id]
    items = [LearningPathItem(e.id, e.course_id, e.course_name, world.courses[e.course_id].course_type, e.status,
                              e.progress, e.date_due, e.date_completed, e.course_collection_id) for e in active]
    items.sort(key=lambda i: (i.status == EnrollmentStatus.COMPLETE, i.date_due is None,
                              i.date_due or datetime.min, i.course_name.casefold(), i.enrollment_id))
    return user, items
