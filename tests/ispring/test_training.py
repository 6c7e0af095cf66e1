"""Trainings: sessions, days, participants and attendance (in process, answers checked against their schemas)."""
from __future__ import annotations

import base64

import pytest

NOBODY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def api(ispring):
    return ispring.as_client


def test_a_training_its_sessions_and_days_agree(api, world):
    training = next(iter(world.trainings.values()))
    got = api("GET", f"/training/{training.id}", "training-info").body["response"]
    assert got["sessions"] == training.session_ids and got["organizer"] in world.users
    sessions = api("GET", f"/training/{training.id}/sessions", "training-session-list").body
    assert [s["id"] for s in sessions] == training.session_ids
    for listed in sessions:
        one = api("GET", f"/training/session/{listed['id']}", "training-session-info").body["response"]
        assert one == listed
        days = [api("GET", f"/training/day/{d}", "training-day-info").body["response"] for d in listed["dayIds"]]
        assert listed["duration"] == sum(d["duration"] for d in days)
        assert listed["startTime"] == min(d["startTime"] for d in days)
        assert {d["sessionId"] for d in days} == {listed["id"]} and {d["trainingId"] for d in days} == {training.id}
    assert api("GET", f"/training/{NOBODY}", "error").status_code == 404
    assert api("GET", f"/training/session/{NOBODY}", "error").status_code == 404
    assert api("GET", f"/training/{training.id}", "error", who="learner").status_code == 403


def test_participants_page_through_their_ids(api, world):
    session = next(s for s in world.training_sessions.values() if len(s.participant_ids) > 2)
    every = api("GET", f"/training/session/participants/{session.id}", "training-participants").body
    assert every == session.participant_ids
    first = api("GET", f"/training/session/participants/{session.id}?pageSize=2", "training-participants").body
    assert first == every[:2]
    token = base64.b64encode(every[2].encode()).decode()
    from_third = api("GET", f"/training/session/participants/{session.id}?pageToken={token}",
                     "training-participants").body
    assert from_third == every[2:]


def test_day_url_and_attendance_are_written(api, world):
    day = next(iter(world.training_days.values()))
    api("POST", f"/training/day/{day.id}", None, json={"url": "https://meet.example.com/new"})
    assert api("GET", f"/training/day/{day.id}", "training-day-info").body["response"]["url"] == \
        "https://meet.example.com/new"
    member = world.training_sessions[day.session_id].participant_ids[0]
    api("POST", f"/training/day/{day.id}/participants/attendance/update", None,
        json={"participantsAttendance": [{"participantId": member, "isAttended": False}]})
    assert day.attendance[member].attended is False
    stranger = {"participantsAttendance": [{"participantId": member, "isAttended": True},
                                           {"participantId": NOBODY, "isAttended": True}]}
    assert api("POST", f"/training/day/{day.id}/participants/attendance/update", "error",
               json=stranger).status_code == 400
    assert day.attendance[member].attended is False  # nothing written
