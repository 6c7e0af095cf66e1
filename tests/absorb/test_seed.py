"""The seeded Absorb world: shape, consistency and determinism."""
from __future__ import annotations

import copy
import math
import random
from datetime import datetime, timedelta, timezone

from emulator.core.store import Store
from emulator.absorb import VENDOR
from emulator.absorb.domain.lessons import chapters_of, lessons_of, materialize_all
from emulator.absorb.domain.models import CourseEnrollment, LessonEnrollment
from emulator.absorb.domain.rollup import aggregate, seeded_tries
from emulator.absorb.seed.enrollments import MS, _lasting, _tenth
from emulator.absorb.wire.schemas import USER_COURSE_ENROLLMENT
from emulator.core.wire import TICKS_PER_SECOND, timespan


def _world(seed=42, tenant="t1", users=None):
    return Store([VENDOR], seed=seed).create_tenant(tenant, users=users).world("absorb")


def test_world_has_the_promised_shape():
    world = _world()
    learners = [u for u in world.users.values() if not u.is_admin]
    assert len(learners) >= 50 and sum(u.is_admin for u in world.users.values()) == 1
    assert len(world.courses) >= 20
    assert any(c.is_ilc and c.session_ids for c in world.courses.values())
    assert any(not c.is_ilc and c.chapter_ids for c in world.courses.values())
    assert {e.status for e in world.enrollments.values()} == set(range(13))
    assert any(not e.is_active for e in world.enrollments.values())


def test_dates_progress_and_time_agree():
    world = _world()
    for e in world.enrollments.values():
        chain = [d for d in (e.date_added, e.date_started, e.date_completed) if d]
        assert chain == sorted(chain) and max(chain) <= e.date_edited, e
        assert 0 <= e.progress <= 100
        if e.status == 3:
            assert e.progress == 100 and e.date_completed is not None
        if e.status in (0, 2, 6, 8, 10):
            assert e.date_started is None and e.date_completed is None
        wire = USER_COURSE_ENROLLMENT.dump(e)
        assert wire["timeSpent"] == timespan(wire["timeSpentTicks"])
        assert e.time_spent_ticks % 1 == 0 and e.time_spent_ticks >= 0
    materialize_all(world)
    for le in world.lesson_enrollments.values():
        assert le.attempts == len(le.attempt_ids)
        assert le.time_spent_ticks == sum(world.attempts[a].time_spent_ticks for a in le.attempt_ids)
    assert timespan(90 * 60 * TICKS_PER_SECOND) == "01:30:00"
    assert timespan(26 * 3600 * TICKS_PER_SECOND) == "1.02:00:00"


def test_one_active_enrollment_per_user_and_course():
    world = _world()
    seen = set()
    for e in world.enrollments.values():
        if e.is_active:
            assert (e.user_id, e.course_id) not in seen
            seen.add((e.user_id, e.course_id))
    assert seen == set(world.active)


def test_same_seed_same_world_other_seed_other_world():
    a, b, c = _world(42, "t1"), _world(42, "t1"), _world(7, "t1")
    assert a.api_key == b.api_key and list(a.enrollments) == list(b.enrollments)
    assert [u.username for u in a.users.values()] == [u.username for u in b.users.values()]
    assert a.api_key != c.api_key
    assert _world(42, "t2").api_key != a.api_key


def test_entities_made_on_first_read_agree_with_the_course_and_do_not_depend_on_order():
    """Chapter and lesson enrollments are made when first read: the course already shows what they add up to."""
    world = _world()
    other = copy.deepcopy(world)
    assert world.pending
    counted = world.counts()
    materialize_all(world)
    materialize_all(other, reversed(list(other.pending)))  # another order, the same entities
    assert sorted(world.lesson_enrollments) == sorted(other.lesson_enrollments)
    assert sorted(world.attempts) == sorted(other.attempts)
    assert not world.pending and world.counts() == counted
    for e in world.enrollments.values():
        lessons = lessons_of(world, e)
        if not lessons or e.status not in (0, 1, 3):
            continue
        _assert_rolled_up(e, lessons)
        for ce in chapters_of(world, e):
            assert ce.date_enrolled <= ce.date_edited <= e.date_edited


def _assert_rolled_up(e: CourseEnrollment, lessons: list[LessonEnrollment]) -> None:
    """The enrollment shows what its lessons add up to (``rollup.aggregate`` on a copy changes nothing)."""
    probe = copy.copy(e)
    aggregate(probe, lessons)
    assert (probe.progress, probe.status, probe.score, probe.time_spent_ticks, probe.date_started,
            probe.date_completed) == (e.progress, e.status, e.score, e.time_spent_ticks, e.date_started,
                                      e.date_completed)


def test_a_sized_world_rolls_up_what_its_lessons_show():
    """The seeder rolls a plan up in one pass (``seed.enrollments``): at size too, the lessons made from the plan
    add up to what each course enrollment already shows."""
    world = _world(users=400)
    materialize_all(world)
    checked = 0
    for e in world.enrollments.values():
        lessons = lessons_of(world, e)
        if not lessons or e.status not in (0, 1, 3):
            continue
        _assert_rolled_up(e, lessons)
        assert max([le.date_edited for le in lessons] + [e.date_added]) <= e.date_edited
        checked += 1
    assert checked > 300


def test_an_attempt_lasts_what_the_timedelta_arithmetic_gives():
    """``_lasting`` (a float product) against ``timedelta * float`` and the truncation to milliseconds, on random
    steps and on fractions that put the product on a millisecond's edge (where it falls back)."""
    rng = random.Random(3)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    cases = [(rng.randint(0, 86_400_000), 0.05 + 0.45 * rng.random()) for _ in range(20_000)]
    for step_ms in (1, 3, 7, 999, 86_400_000, rng.randint(1, 86_400_000)):
        for edge in (0.0, 0.5, 999.5, 1000.0):
            for k in (1, 7, 123):
                exact = (k * 1000 + edge) / (step_ms * 1000)
                cases += [(step_ms, math.nextafter(exact, 0)), (step_ms, exact), (step_ms, math.nextafter(exact, 1))]
    for step_ms, fraction in cases:
        step = timedelta(milliseconds=step_ms)
        end = start + step * fraction
        end -= timedelta(0, 0, end.microsecond % 1000)
        assert _lasting(step, step_ms * 1000, fraction) == (end - start) // MS, (step_ms, fraction)


def test_a_score_rounds_as_round_does():
    """``_tenth`` (one product) against ``round(value, 1)``: the seeded scores' ranges, and values on and beside
    the halves (where it falls back)."""
    rng = random.Random(5)
    values = [low + (high - low) * rng.random() for low, high in ((20, 60), (70, 100)) for _ in range(50_000)]
    for k in range(200, 1001):
        half = (k + 0.5) / 10
        values += [half, math.nextafter(half, 0), math.nextafter(half, 1000), half - 1e-10, half + 1e-10, k / 10]
    for value in values:
        assert _tenth(value) == round(value, 1), value


def test_a_compact_plan_reads_as_the_attempts_it_stands_for_and_an_older_plan_as_it_was():
    """``rollup.SeededPlan``: the k-th attempt starts k steps after the first, ends its length in milliseconds
    later (in progress: no end); a plan kept by an older version (a dict per lesson id) is read as it is."""
    start, step = datetime(2029, 3, 1, 9, 0, 0, 5000, tzinfo=timezone.utc), timedelta(hours=2)
    plan = (start, step, (0, 600_000, 5, 41.5, 0, 1_234, 3, 88.0, 2, -1, 1, None))
    ms = timedelta(milliseconds=1)
    assert seeded_tries(plan, ["a", "b", "c"]) == {
        "a": [(start, start + 600_000 * ms, 5, 41.5), (start + step, start + step + 1_234 * ms, 3, 88.0)],
        "c": [(start + 2 * step, None, 1, None)]}
    older = {"a": [(start, start + ms, 3, 90.0)]}
    assert seeded_tries(older, ["a"]) is older
