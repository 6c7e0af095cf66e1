"""Absorb's models (the world) and the vendor's rules as plain functions over it; imports no other layer.

One module per resource: ``lookups`` (finding entities, the world's indexes, ``touch`` on every edit), ``users``,
``enrollments`` (course enrollments), ``lessons`` (chapter and lesson enrollments), ``attempts``, ``sessions`` (ILC),
``rollup`` (how attempts move lessons and lessons roll up; no world), the catalogue's modules, and ``choices``
(``CHOICES``, the emulator's typed guesses).

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
