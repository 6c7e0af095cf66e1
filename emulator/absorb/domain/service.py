"""Absorb's domain rules, one module per resource, gathered here: what routes, the seeder and fixtures call.

- ``lookups``: finding entities; the world's indexes; ``touch`` on every edit (``world.changed``, ``core.pagecache``)
- ``users``: users and departments          - ``enrollments``: course enrollments
- ``lessons``: chapter and lesson enrollments - ``attempts``: attempts     - ``sessions``: ILC sessions
- ``rollup``: how attempts move lessons and lessons roll up (no world)   - ``choices``: ``CHOICES``

Plain functions taking the world first. Routes call them under the tenant's
lock; each checks everything before it changes anything, so a refused call
leaves the world as it was.

Rules the emulator keeps (the vendor's behaviour as far as documented; the
rest is the emulator's choice, listed in docs/VENDOR-NOTES.md):
- One active course enrollment per (user, course). Enrolling again without
  ``reEnroll`` is refused (422). With ``reEnroll`` the active enrollment becomes
  history (``isActive: false``, its chapter, lesson and session enrollments stay
  with it as history) and a fresh active enrollment starts at NotStarted.
- Un-enrolling removes the course enrollment with all its chapter, lesson and
  session enrollments and attempts: it leaves every list.
- Online course enrollments get one chapter enrollment per chapter and one
  lesson enrollment per lesson when created.
- Starting an attempt needs an active lesson enrollment. Finishing it with 3
  (Complete) completes the lesson; with 5 (Failed) counts a failure (a lesson
  already complete stays complete); with 1 (InProgress) records time and score
  but leaves the attempt open. Every change rolls up: the chapter and the
  course get progress = share of complete lessons, status NotStarted /
  InProgress / Complete, the earliest start, the completion date when all
  lessons are complete, summed time and the mean score of complete lessons.
- ILC: one session enrollment per course enrollment. ``cancelSession``
  withdraws the current session enrollment (it leaves the session's list and
  frees the seat) before enrolling in the new session; a full session puts the
  learner OnWaitlist. Multi-session ILCs are refused (422).
"""
from __future__ import annotations

# ruff: noqa: F401 - this module re-exports the domain modules
from emulator.absorb.domain.choices import CHOICES
from emulator.absorb.domain.lookups import (
    get_user, add_user, get_course, get_enrollment, get_user_enrollment, list_user_enrollments,
    list_course_enrollments, list_bulk_enrollments, changed_since, add_enrollment, touch, sessions_of,
)
from emulator.absorb.domain.rollup import SeededAttempt, LessonOutcome, replay, aggregate
from emulator.absorb.domain.lessons import (
    lessons_of, chapters_of, create_sub_enrollments, make, materialize, materialize_all, list_chapter_enrollments,
    get_chapter_enrollment, list_user_lesson_enrollments, get_lesson_enrollment, list_lesson_enrollments_for_lesson,
)
from emulator.absorb.domain.attempts import (
    list_attempts, start_attempt, add_attempt, get_attempt, finish_attempt, apply_finish, roll_up,
)
from emulator.absorb.domain.enrollments import (
    SETTABLE, remove_enrollment, create_enrollment, upsert_enrollment, unenroll,
)
from emulator.absorb.domain.sessions import (
    get_session, list_user_session_enrollments, get_user_session_enrollment, list_session_enrollments,
    new_session_enrollment, create_ilc_enrollment,
)
