"""Gaps an independent mutation sample found (issue 31, item 8): each test pins a rule no other test held, so
a mutant breaking it no longer survives the suite."""
from __future__ import annotations

from typing import Any

from emulator.absorb.domain.models import ONLINE_COURSE
from emulator.absorb.domain.lessons import materialize_all


def test_a_session_the_user_is_not_in_is_404_though_enrolled_in_its_course(api: Any):
    world = api.world
    se = next(s for s in world.session_enrollments.values()
              if s.is_active and not world.courses[s.course_id].multi_session)
    course = world.courses[se.course_id]
    others = [s for s in course.session_ids if s != se.session_id]
    path = f"/users/{se.user_id}/enrollments/{course.id}/sessions"
    assert api.get(f"{path}/{se.session_id}", "session-enrollment", status=200).body["id"] == se.id
    for session_id in [*others, "0b0e7bde-65aa-4a0c-8a64-7d1c1d0a2b1e"]:
        api.get(f"{path}/{session_id}", status=404)


def test_a_chapter_outside_the_users_enrollment_is_404(api: Any):
    world = api.world
    enrollment = next(e for e in world.enrollments.values()
                      if e.is_active and world.courses[e.course_id].course_type == ONLINE_COURSE
                      and world.courses[e.course_id].chapter_ids)
    foreign = next(ch for c in world.courses.values() if c.id != enrollment.course_id for ch in c.chapter_ids)
    path = f"/users/{enrollment.user_id}/enrollments/{enrollment.course_id}/chapters"
    own = world.courses[enrollment.course_id].chapter_ids[0]
    assert api.get(f"{path}/{own}", "chapter-enrollment", status=200).body["chapterId"] == own
    api.get(f"{path}/{foreign}", status=404)
    api.get(f"{path}/0b0e7bde-65aa-4a0c-8a64-7d1c1d0a2b1e", status=404)


def test_put_user_with_role_ids_null_clears_the_roles(api: Any):
    world = api.world
    user = next(u for u in world.users.values() if not u.is_admin)
    role = next(iter(world.reference.roles))
    api.put(f"/users/{user.id}", json={"username": user.username, "roleIds": [role]}, status=200)
    assert api.get(f"/users/{user.id}", "user", status=200).body["roleIds"] == [role]
    api.put(f"/users/{user.id}", json={"username": user.username, "roleIds": None}, status=200)
    assert api.get(f"/users/{user.id}", "user", status=200).body["roleIds"] == []


def test_seeded_lessons_were_edited_at_or_after_their_last_attempt(api: Any, tenant: Any):
    """A seeded lesson enrollment (in progress ones included) reads as edited no earlier than its own attempts."""
    world = api.world
    with tenant.lock:
        materialize_all(world)  # makes every pending sub-enrollment
    checked = 0
    for le in world.lesson_enrollments.values():
        attempts = [world.attempts[a] for a in le.attempt_ids]
        if not attempts:
            continue
        last = max(d for a in attempts for d in (a.start_date, a.completion_date) if d is not None)
        assert le.date_edited >= last, (le.id, le.status, le.date_edited, last)
        checked += 1
    in_progress = [le for le in world.lesson_enrollments.values() if le.attempt_ids and le.status == 1]
    assert checked > 100 and in_progress
