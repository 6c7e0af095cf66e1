"""iSpring Learn's instructor-led trainings: trainings, their sessions, the sessions' days, participants and
attendance.

Plain functions taking the world first; routes call them under the tenant's lock.

- A session starts with its first day and lasts the sum of its days (seconds, the document's ``duration``).
- ``POST /training/day/{dayId}`` changes the day's meeting URL; ``.../participants/attendance/update`` records
  each named participant's attendance (every id must be a participant of the day's session, else 400 and
  nothing is written).
- ``GET /training/session/participants/{sessionId}`` answers the participants' ids (the operation's answer is
  a plain array: ``pageSize`` limits it, ``pageToken`` — base64 of an id — starts it there).

Seeding (``seed_trainings``): TRAININGS trainings organised by the account owner, SESSIONS_PER_TRAINING
sessions each, 1..2 days each (some past, some to come), PARTICIPANTS active learners per session; past days
have attendance.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from random import Random
from typing import Any

from emulator.core.errors import BadRequest
from emulator.core.fake import Fake
from emulator.core.wire import iso_z, new_guid
from emulator.ispring.domain.lookups import lookup
from emulator.ispring.domain.models import Attendance, ISpringWorld, Training, TrainingDay, TrainingSession

TRAININGS = (("Sales kickoff workshop", "Classroom", "Head office, room 2"), ("First aid training", "Classroom",
                                                                           "Training centre"),
             ("Presentation skills", "Webinar", ""))
SESSIONS_PER_TRAINING = 2
PARTICIPANTS = (4, 8)
DAY_SECONDS = (2 * 3600, 3 * 3600, 6 * 3600)


def get_training(world: ISpringWorld, training_id: str) -> Training:
    return lookup(world.trainings, training_id, "Training")


def get_session(world: ISpringWorld, session_id: str) -> TrainingSession:
    return lookup(world.training_sessions, session_id, "Session")


def get_day(world: ISpringWorld, day_id: str) -> TrainingDay:
    return lookup(world.training_days, day_id, "Day")


def dump_training(training: Training) -> dict[str, Any]:
    return {"title": training.title, "organizer": training.organizer_id, "sessions": list(training.session_ids),
            "type": training.type}


def dump_session(world: ISpringWorld, session: TrainingSession) -> dict[str, Any]:
    days = [world.training_days[d] for d in session.day_ids]
    return {"id": session.id, "title": session.title, "instructor": session.instructor,
            "startTime": iso_z(min((d.start for d in days), default=None)),
            "duration": sum(d.duration for d in days), "dayIds": list(session.day_ids)}


def dump_day(day: TrainingDay) -> dict[str, Any]:
    out: dict[str, Any] = {"dayId": day.id, "sessionId": day.session_id, "trainingId": day.training_id,
                           "startTime": iso_z(day.start), "duration": day.duration}
    if day.location:
        out["location"] = day.location
    if day.url:
        out["url"] = day.url
    return out


def update_day_url(world: ISpringWorld, day_id: str, url: str) -> None:
    if len(url) > 2048:
        raise BadRequest("url: at most 2048 characters.")
    get_day(world, day_id).url = url


def update_attendance(world: ISpringWorld, day_id: str, rows: list[tuple[str, bool, int | None]]) -> None:
    day = get_day(world, day_id)
    members = set(world.training_sessions[day.session_id].participant_ids)
    for i, (participant, _attended, duration) in enumerate(rows):
        if participant not in members:
            raise BadRequest(f"participantsAttendance[{i}].participantId: '{participant}' is not a participant "
                             "of the day's session.")
        if duration is not None and duration < 0:
            raise BadRequest(f"participantsAttendance[{i}].duration: must not be negative.")
    for participant, attended, duration in rows:
        day.attendance[participant] = Attendance(attended=attended, duration=duration)


def seed_trainings(world: ISpringWorld, rng: Random, anchor: datetime) -> None:
    fake = Fake(rng)
    owner = next((u.id for u in world.users.values() if u.role == "ACCOUNT_OWNER"), None)
    learners = [u.id for u in world.users.values() if u.status == "ACTIVE" and u.role == "LEARNER"]
    if owner is None or not learners:
        return
    for title, kind, location in TRAININGS:
        training = Training(id=new_guid(rng), title=title, type=kind, organizer_id=owner)
        world.trainings[training.id] = training
        for n in range(SESSIONS_PER_TRAINING):
            session = TrainingSession(id=new_guid(rng), training_id=training.id, title=f"{title}, group {n + 1}",
                                      instructor=f"{fake.first_name()} {fake.last_name()}",
                                      participant_ids=rng.sample(learners, min(len(learners),
                                                                               rng.randint(*PARTICIPANTS))))
            world.training_sessions[session.id] = session
            training.session_ids.append(session.id)
            start = (anchor + timedelta(days=rng.randint(-30, 30))).replace(hour=9)
            for d in range(rng.randint(1, 2)):
                day = TrainingDay(id=new_guid(rng), session_id=session.id, training_id=training.id,
                                  start=start + timedelta(days=d), duration=rng.choice(DAY_SECONDS),
                                  location=location, url="" if location else
                                  f"https://meet.example.com/{new_guid(rng)[:8]}")
                if day.start < anchor:
                    for p in session.participant_ids:
                        attended = rng.random() < 0.85
                        day.attendance[p] = Attendance(attended=attended, duration=day.duration if attended else 0)
                world.training_days[day.id] = day
                session.day_ids.append(day.id)
