"""Rosters come from the per-course indexes (issue 32): the same enrollments a scan of every lesson or session
enrollment finds, in the seeded world, in the fixtures' worlds and after enrolls and un-enrolls."""
from __future__ import annotations

from typing import Any

import pytest

from emulator.absorb.domain.enrollments import create_enrollment, remove_enrollment

from emulator.absorb.domain.lessons import list_lesson_enrollments_for_lesson

from emulator.absorb.domain.lookups import get_user_enrollment

from emulator.absorb.domain.sessions import create_ilc_enrollment, list_session_enrollments
from emulator.absorb.domain.models import AbsorbWorld
from emulator.app import create_app


def _check(world: AbsorbWorld) -> int:
    seen = 0
    for lesson in world.lessons.values():
        got = list_lesson_enrollments_for_lesson(world, lesson.course_id, lesson.id)
        want = [le for le in world.lesson_enrollments.values() if le.lesson_id == lesson.id]
        assert sorted(le.id for le in got) == sorted(le.id for le in want), lesson.id
        seen += len(got)
    for session in world.sessions.values():
        got_s = list_session_enrollments(world, session.course_id, session.id)
        want_s = [s for s in world.session_enrollments.values() if s.session_id == session.id and s.is_active]
        assert sorted(s.id for s in got_s) == sorted(s.id for s in want_s), session.id
        seen += len(got_s)
    return seen


@pytest.mark.parametrize("fixture", [None, "ilc-full-waitlist", "learner-mid-course"])
def test_rosters_match_a_scan(fixture: Any) -> None:
    app = create_app({"seed": 42, **({"fixtures": fixture} if fixture else {})})
    world = app.state.store.tenants["default"].world("absorb")
    assert _check(world) > 0


def test_rosters_follow_enrolls_and_unenrolls(app: Any, tenant: Any) -> None:
    world = tenant.world("absorb")
    now = tenant.clock.now()
    learners = [u for u in world.users.values() if not u.is_admin][:4]
    ilc = [c for c in world.courses.values() if c.is_ilc and not c.multi_session and c.session_ids]
    online = [c for c in world.courses.values() if not c.is_ilc]
    for user in learners:
        create_enrollment(world, user.id, online[0].id, re_enroll=True, at=now)
        if ilc:
            create_ilc_enrollment(world, user.id, ilc[0].id, ilc[0].session_ids[0], re_enroll=True,
                                          cancel_session=False, at=now)
    _check(world)
    for user in learners[:2]:
        remove_enrollment(world, get_user_enrollment(world, user.id, online[0].id))
    _check(world)
