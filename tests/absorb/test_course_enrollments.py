"""Absorb course enrollments: every route, re-enrollment history, un-enroll, filters, paging, bad input."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from emulator.core.wire import iso_z

GUID = "9a3b6f1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"


def _pick(api):
    learner = api.learners()[0]
    return learner, api.online_course(not_enrolled_by=learner.id)


def test_create_enrollment_appears_in_every_list(api):
    learner, course = _pick(api)
    created = api.post(f"/users/{learner.id}/enrollments/{course.id}", "enrollment-created", status=201).body
    assert created["userId"] == learner.id and created["courseId"] == course.id
    eid = created["enrollmentId"]
    one = api.get(f"/users/{learner.id}/enrollments/{course.id}", "user-course-enrollment", status=200).body
    assert one["id"] == eid and one["status"] == 0 and one["isActive"] is True and one["progress"] == 0
    assert api.get(f"/enrollments/{eid}", "user-course-enrollment", status=200).body == one
    user_list = api.get(f"/users/{learner.id}/enrollments?_limit=1000", "user-course-enrollment-page").body
    assert eid in {e["id"] for e in user_list["enrollments"]}
    course_list = api.get(f"/courses/{course.id}/enrollments?_limit=1000", "course-enrollment-page").body
    assert eid in {e["id"] for e in course_list["enrollments"]}
    bulk = api.get(f"/bulk/student-courses?userIds={learner.id}&courseIds={course.id}",
                   "user-course-enrollment-list").body
    assert [e["id"] for e in bulk] == [eid]
    chapters = api.get(f"/users/{learner.id}/enrollments/{course.id}/chapters", "chapter-enrollment-list").body
    assert len(chapters) == len(course.chapter_ids)


def test_enrolling_twice_without_reenroll_is_refused_and_changes_nothing(api):
    learner, course = _pick(api)
    api.post(f"/users/{learner.id}/enrollments/{course.id}", status=201)
    before = api.get(f"/users/{learner.id}/enrollments?_limit=1000").body
    resp = api.post(f"/users/{learner.id}/enrollments/{course.id}", status=422)
    assert "reEnroll" in " ".join(resp.body["validations"])
    assert api.get(f"/users/{learner.id}/enrollments?_limit=1000").body == before


def test_reenroll_keeps_history_and_starts_fresh(api, tenant):
    learner = api.learners()[1]
    existing = next(e for e in api.world.enrollments.values()
                    if e.user_id == learner.id and e.is_active and e.status == 3
                    and not api.world.courses[e.course_id].is_ilc) \
        if any(e.user_id == learner.id and e.status == 3 for e in api.world.enrollments.values()) else None
    course_id = existing.course_id if existing else api.online_course().id
    if existing is None:
        api.post(f"/users/{learner.id}/enrollments/{course_id}", status=201)
    old = api.get(f"/users/{learner.id}/enrollments/{course_id}", "user-course-enrollment").body
    tenant.clock.advance(timedelta(minutes=5))
    new_id = api.post(f"/users/{learner.id}/enrollments/{course_id}?reEnroll=true", "enrollment-created",
                      status=201).body["enrollmentId"]
    assert new_id != old["id"]
    current = api.get(f"/users/{learner.id}/enrollments/{course_id}", "user-course-enrollment").body
    assert current["id"] == new_id and current["isActive"] and current["status"] == 0
    history = api.get(f"/enrollments/{old['id']}", "user-course-enrollment").body
    assert history["isActive"] is False
    assert datetime.fromisoformat(history["dateEdited"]) > datetime.fromisoformat(old["dateEdited"])
    listed = api.get(f"/users/{learner.id}/enrollments?_filter=courseId eq guid'{course_id}'",
                     "user-course-enrollment-page").body["enrollments"]
    assert {e["id"]: e["isActive"] for e in listed}[old["id"]] is False


def test_unenroll_removes_from_every_list(api):
    learner, course = _pick(api)
    eid = api.post(f"/users/{learner.id}/enrollments/{course.id}", status=201).body["enrollmentId"]
    api.post("/enrollments/unenroll", json=[eid], status=204)
    api.get(f"/enrollments/{eid}", status=404)
    api.get(f"/users/{learner.id}/enrollments/{course.id}", status=404)
    for path in (f"/users/{learner.id}/enrollments?_limit=1000", f"/courses/{course.id}/enrollments?_limit=1000"):
        assert eid not in {e["id"] for e in api.get(path).body["enrollments"]}
    assert api.get(f"/bulk/student-courses?userIds={learner.id}").body == [] or \
        eid not in {e["id"] for e in api.get(f"/bulk/student-courses?userIds={learner.id}").body}


def test_unenroll_is_all_or_nothing(api):
    learner, course = _pick(api)
    eid = api.post(f"/users/{learner.id}/enrollments/{course.id}", status=201).body["enrollmentId"]
    resp = api.post("/enrollments/unenroll", json=[eid, GUID], status=422)
    assert GUID in " ".join(resp.body["validations"])
    api.get(f"/enrollments/{eid}", status=200)


@pytest.mark.parametrize("body, status", [([], 400), (["nope"], 400), ({"ids": []}, 400), ([123], 400)])
def test_unenroll_bad_bodies(api, body, status):
    before = len(api.world.enrollments)
    assert api.post("/enrollments/unenroll", json=body, status=status).body["validations"]
    assert len(api.world.enrollments) == before


def test_upsert_creates_then_updates_settable_fields_only(api, tenant):
    learner, course = _pick(api)
    created = api.post(f"/users/{learner.id}/enrollments", "enrollment-created", status=201,
                       json={"courseId": course.id, "status": 1, "score": 50, "progress": 99,
                             "fullName": "ignored", "dateExpires": "2030-01-01T00:00:00Z"}).body
    one = api.get(f"/enrollments/{created['enrollmentId']}", "user-course-enrollment").body
    assert one["status"] == 1 and one["score"] == 50 and one["dateExpires"] == "2030-01-01T00:00:00Z"
    assert one["progress"] == 0 and one["fullName"] == learner.full_name and one["dateStarted"]
    tenant.clock.advance(timedelta(seconds=30))
    again = api.post(f"/users/{learner.id}/enrollments", status=201,
                     json={"courseId": course.id, "status": 3, "acceptedTermsAndConditions": True}).body
    assert again["enrollmentId"] == created["enrollmentId"]
    updated = api.get(f"/enrollments/{created['enrollmentId']}", "user-course-enrollment").body
    assert updated["status"] == 3 and updated["progress"] == 100 and updated["dateCompleted"]
    assert updated["acceptedTermsAndConditions"] is True and updated["dateEdited"] > one["dateEdited"]
    dates = [datetime.fromisoformat(updated[n]) for n in ("dateAdded", "dateStarted", "dateCompleted", "dateEdited")]
    assert dates == sorted(dates)  # as instants: a whole second is written without milliseconds


@pytest.mark.parametrize("body, field", [
    ({}, "courseId"),
    ({"courseId": "not-a-guid"}, "courseId"),
    ({"courseId": GUID.upper(), "status": 13}, "status"),
    ({"courseId": GUID, "status": "3"}, "status"),
    ({"courseId": GUID, "dateCompleted": "yesterday"}, "dateCompleted"),
    ({"courseId": GUID, "creditTypeCredits": [{"credits": 1}]}, "creditTypeCredits"),
])
def test_upsert_validation_errors_name_the_field(api, body, field):
    learner = api.learners()[0]
    resp = api.post(f"/users/{learner.id}/enrollments", json=body, status=400)
    assert any(v.startswith(field) for v in resp.body["validations"]), resp.body


def test_upsert_score_out_of_range(api):
    learner, course = _pick(api)
    resp = api.post(f"/users/{learner.id}/enrollments", json={"courseId": course.id, "score": 101}, status=400)
    assert resp.body["validations"] == ["score: must be between 0 and 100"]
    api.get(f"/users/{learner.id}/enrollments/{course.id}", status=404)


@pytest.mark.parametrize("kwargs, status", [
    ({"data": "[1,2", "content_type": "application/json"}, 400),
    ({"data": "[]", "content_type": "application/json"}, 400),
    ({"data": "\"text\"", "content_type": "application/json"}, 400),
    ({"data": "courseId=x", "content_type": "application/x-www-form-urlencoded"}, 415),
    ({"data": "", "content_type": "application/json"}, 400),
    ({"data": "{\"courseId\": \"" + "x" * (1024 * 1024) + "\"}", "content_type": "application/json"}, 413),
])
def test_upsert_bad_bodies(api, kwargs, status):
    learner = api.learners()[0]
    before = len(api.world.enrollments)
    api.post(f"/users/{learner.id}/enrollments", status=status, **kwargs)
    assert len(api.world.enrollments) == before


def test_unknown_user_or_course_is_404(api):
    learner, course = _pick(api)
    assert api.post(f"/users/{GUID}/enrollments/{course.id}", status=404).body["code"] == 404
    assert api.post(f"/users/{learner.id}/enrollments/{GUID}", status=404).body["code"] == 404
    assert api.get(f"/users/{GUID}/enrollments", status=404).body["code"] == 404
    assert api.get(f"/courses/{GUID}/enrollments", status=404).body["code"] == 404
    assert api.get(f"/enrollments/{GUID}", status=404).body["code"] == 404
    assert api.post(f"/users/{learner.id}/enrollments", json={"courseId": GUID}, status=404).body["code"] == 404


@pytest.mark.parametrize("path", ["/users/not-a-guid/enrollments", "/enrollments/123",
                                  "/courses/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz/enrollments"])
def test_malformed_guid_in_path_is_404_in_absorb_shape(api, path):
    assert api.get(path, status=404).body["term"] == "NotFound"


def test_multi_session_ilc_is_refused(api):
    learner = api.learners()[0]
    course = api.ilc(multi=True)
    resp = api.post(f"/users/{learner.id}/enrollments/{course.id}", status=422)
    assert "Multi-Session" in resp.body["message"]


def test_status_and_modified_since_filter_lists(api, tenant):
    learner, course = _pick(api)
    tenant.clock.advance(timedelta(days=1))
    api.login("admin")  # the old token expired with the day
    since = iso_z(tenant.clock.now())
    eid = api.post(f"/users/{learner.id}/enrollments/{course.id}", status=201).body["enrollmentId"]
    recent = api.get(f"/users/{learner.id}/enrollments?modifiedSince={since}", "user-course-enrollment-page").body
    assert [e["id"] for e in recent["enrollments"]] == [eid]
    by_status = api.get(f"/courses/{course.id}/enrollments?status=0&_limit=1000", "course-enrollment-page").body
    assert by_status["enrollments"] and all(e["status"] == 0 for e in by_status["enrollments"])
    api.get(f"/users/{learner.id}/enrollments?status=13", status=400)
    api.get(f"/users/{learner.id}/enrollments?modifiedSince=soon", status=400)
    api.get(f"/users/{learner.id}/enrollments/{course.id}?status=3", status=404)


def test_paging_edges_and_deprecated_parameters(api):
    course = max(api.world.courses.values(), key=lambda c: len(api.world.by_course.get(c.id, ())))
    total = len(api.world.by_course[course.id])
    assert total > 3
    first = api.get(f"/courses/{course.id}/enrollments?_limit=2", "course-enrollment-page").body
    assert (first["totalItems"], first["returnedItems"], first["limit"], first["offset"]) == (total, 2, 2, 0)
    second = api.get(f"/courses/{course.id}/enrollments?_limit=2&_offset=1", "course-enrollment-page").body
    assert second["offset"] == 1
    assert not {e["id"] for e in first["enrollments"]} & {e["id"] for e in second["enrollments"]}
    legacy = api.get(f"/courses/{course.id}/enrollments?limit=2&offset=1", "course-enrollment-page").body
    assert legacy["enrollments"] == second["enrollments"]
    past_end = api.get(f"/courses/{course.id}/enrollments?_limit=1000&_offset=5", "course-enrollment-page").body
    assert past_end["returnedItems"] == 0 and past_end["totalItems"] == total
    default = api.get(f"/courses/{course.id}/enrollments", "course-enrollment-page").body
    assert default["limit"] == 20
    for bad in ("_limit=-1", "_limit=abc", "_offset=-2", "_limit=1001", "_limit=0"):
        api.get(f"/courses/{course.id}/enrollments?{bad}", status=422)


def test_pages_walk_the_whole_list_in_a_stable_order(api):
    course = max(api.world.courses.values(), key=lambda c: len(api.world.by_course.get(c.id, ())))
    seen, offset = [], 0
    while True:
        page = api.get(f"/courses/{course.id}/enrollments?_limit=3&_offset={offset}").body
        if not page["enrollments"]:
            break
        seen.extend(e["id"] for e in page["enrollments"])
        offset += 1
    everything = api.get(f"/courses/{course.id}/enrollments?_limit=1000").body["enrollments"]
    assert seen == [e["id"] for e in everything]
    assert len(set(seen)) == len(seen) == page["totalItems"]


def test_filter_sort_and_page_a_seeded_list_end_to_end(api):
    everything = [e for e in api.world.enrollments.values()]
    course = max(api.world.courses.values(), key=lambda c: len(api.world.by_course.get(c.id, ())))
    expected = sorted((e for e in everything if e.course_id == course.id and e.status in (0, 1, 3)),
                      key=lambda e: (-e.progress, e.full_name.lower(), e.id))
    query = ("_filter=(status eq 0 or status eq 1 or status eq 3) and courseName ne null"
             "&_sort=-progress,fullName&_limit=4")
    page = api.get(f"/courses/{course.id}/enrollments?{query}", "course-enrollment-page").body
    assert page["totalItems"] == len(expected)
    assert [e["id"] for e in page["enrollments"]] == [e.id for e in expected[:4]]


def test_filter_errors_are_422_with_position(api):
    learner = api.learners()[0]
    resp = api.get(f"/users/{learner.id}/enrollments?_filter=status eq", status=422)
    assert "position" in resp.body["validations"][0]
    resp = api.get(f"/users/{learner.id}/enrollments?_filter=nosuchfield eq 1", status=422)
    assert "nosuchfield" in resp.body["validations"][0]
    api.get(f"/users/{learner.id}/enrollments?_sort=nosuchfield", status=422)
    api.get(f"/users/{learner.id}/enrollments?_filter=status eq 'three'", status=422)


def test_my_enrollments_routes(anon):
    learner = anon.learners()[2]
    anon.login(learner.username)
    course = anon.online_course(not_enrolled_by=learner.id)
    created = anon.post(f"/enroll/{course.id}", "enrollment-created", status=201).body
    assert created["userId"] == learner.id
    one = anon.get(f"/my-enrollments/{course.id}", "user-course-enrollment", status=200).body
    assert one["id"] == created["enrollmentId"]
    anon.post(f"/enroll/{course.id}", status=422)
    listed = anon.get("/my-enrollments?_filter=isActive eq true&_sort=courseName", "user-course-enrollment-page").body
    assert created["enrollmentId"] in {e["id"] for e in listed["enrollments"]}
    names = [e["courseName"].lower() for e in listed["enrollments"]]
    assert names == sorted(names)
    anon.get(f"/my-enrollments/{GUID}", status=404)


def test_bulk_list_by_users_and_courses(api):
    a, b = api.learners()[:2]
    both = api.get(f"/bulk/student-courses?userIds={a.id},{b.id}", "user-course-enrollment-list").body
    assert {e["userId"] for e in both} == {a.id, b.id}
    repeated = api.get(f"/bulk/student-courses?userIds={a.id}&userIds={b.id}", "user-course-enrollment-list").body
    assert sorted(e["id"] for e in repeated) == sorted(e["id"] for e in both)
    course_id = both[0]["courseId"]
    narrowed = api.get(f"/bulk/student-courses?userIds={a.id},{b.id}&courseIds={course_id}").body
    assert narrowed and all(e["courseId"] == course_id for e in narrowed)
    api.get("/bulk/student-courses?userIds=nope", status=400)


def test_list_resources_differ_as_documented(api):
    course = api.online_course()
    item = api.get(f"/courses/{course.id}/enrollments", "course-enrollment-page").body["enrollments"][0]
    assert "timeSpentTicks" not in item and "avatar" not in item and "timeSpent" in item


def test_list_pages_are_cached_until_any_write(api, tenant):
    """A list is served from the world's page cache; every kind of write empties it, and the next list
    shows the write (the suite's verify mode also recomputes each hit and compares)."""
    world = tenant.world("absorb")
    learner, course = _pick(api)
    path = f"/users/{learner.id}/enrollments?_filter=isActive eq true&_sort=-dateEdited&_limit=1000"
    first = api.get(path, "user-course-enrollment-page", status=200).body
    assert len(world.pages) == 1
    assert api.get(path, "user-course-enrollment-page", status=200).body == first
    eid = api.post(f"/users/{learner.id}/enrollments/{course.id}", status=201).body["enrollmentId"]
    assert len(world.pages) == 0
    after_enroll = api.get(path, "user-course-enrollment-page", status=200).body
    assert after_enroll["totalItems"] == first["totalItems"] + 1
    assert after_enroll["enrollments"][0]["id"] == eid  # the newest edit sorts first
    api.post(f"/users/{learner.id}/enrollments/{course.id}", status=422)  # a refused write: nothing changed
    assert api.get(path, status=200).body == after_enroll
    api.post("/enrollments/unenroll", json=[eid], status=204)
    assert api.get(path, "user-course-enrollment-page", status=200).body == first


def test_a_write_that_bypasses_the_service_is_caught_by_verify_mode(api, tenant):
    """The guard the suite runs under: an entity changed without ``world.changed`` leaves a stale page and a
    stale wire form, and verify mode (which trusts neither cache) turns the next hit into a loud 500 instead of
    a silent wrong answer."""
    world = tenant.world("absorb")
    learner = api.learners()[0]
    path = f"/users/{learner.id}/enrollments?_limit=1000"
    page = api.get(path, status=200).body
    assert world.pages.verify, "tests/conftest.py turns verify mode on for the whole suite"
    world.enrollments[page["enrollments"][0]["id"]].progress = 42.0  # not announced: both caches are stale
    resp = api.get(path)
    assert resp.status_code == 500 and "StalePage" in resp.body["message"]


def test_a_cached_page_is_answered_without_the_lock_after_the_same_checks(api, anon, tenant, monkeypatch):
    """Verify mode off (as in a server): a repeated list never reaches the handler, yet every check still runs
    and a write's answer is never followed by the old page."""
    from emulator.absorb.domain import lookups

    world = tenant.world("absorb")
    monkeypatch.setattr(world.pages, "verify", False)
    calls = []
    real = lookups.list_user_enrollments
    monkeypatch.setattr(lookups, "list_user_enrollments", lambda *a: calls.append(1) or real(*a))
    learner, course = _pick(api)
    path = f"/users/{learner.id}/enrollments?_sort=-dateEdited&_limit=1000"
    first = api.get(path, "user-course-enrollment-page", status=200).body
    assert api.get(path, "user-course-enrollment-page", status=200).body == first and len(calls) == 1
    assert api.call("HEAD", path, status=200) and len(calls) == 1
    learner_api = anon.login(learner.username)
    learner_api.get(path, status=403)  # a learner's token on an admin route, page cached or not
    api.get(path, headers={"Authorization": "Bearer nope"}, status=401)
    held, release, answers = threading.Event(), threading.Event(), []

    def writer() -> None:  # another thread holds the tenant lock, as a long write would
        with tenant.lock:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=writer)
    holder.start()
    held.wait(5)
    reader = threading.Thread(target=lambda: answers.append(api.get(path).body))
    reader.start()
    reader.join(5)  # a cached read does not wait for the lock...
    release.set()
    holder.join(5)
    assert answers == [first]
    eid = api.post(f"/users/{learner.id}/enrollments/{course.id}", status=201).body["enrollmentId"]
    after = api.get(path, "user-course-enrollment-page", status=200).body  # ...and its answer clears the page
    assert after["enrollments"][0]["id"] == eid and len(calls) == 2


def test_the_vendor_paths_replace_the_old_guesses(api, anon):
    """GET /bulk/student-courses and POST /enroll/{courseId} are the vendor's; the old paths are gone."""
    learner = api.learners()[0]
    api.get(f"/bulk/student-courses?userIds={learner.id}", "user-course-enrollment-list", status=200)
    api.get("/enrollments", status=404)
    anon.login(api.learners()[1].username)
    course = anon.online_course(not_enrolled_by=api.learners()[1].id)
    assert anon.post(f"/my-enrollments/{course.id}").status_code == 405
    anon.post(f"/enroll/{course.id}", "enrollment-created", status=201)
    doc = api.client.get("/absorb/openapi.json").get_json()
    assert "/bulk/student-courses" in doc["paths"] and "/enroll/{course_id}" in doc["paths"]
    assert "/enrollments" not in doc["paths"] and "post" not in doc["paths"]["/my-enrollments/{course_id}"]


def test_user_course_enrollments_default_to_course_name_order(api):
    learner = max(api.learners(), key=lambda u: len(api.world.by_user.get(u.id, ())))
    listed = api.get(f"/users/{learner.id}/enrollments", "user-course-enrollment-page").body["enrollments"]
    keys = [(e["courseName"].lower(), e["id"]) for e in listed]
    assert len(keys) > 1 and keys == sorted(keys)
    bulk = api.get(f"/bulk/student-courses?userIds={learner.id}", "user-course-enrollment-list").body
    assert [e["id"] for e in bulk] == [e["id"] for e in listed]
    by_course = api.get(f"/courses/{listed[0]['courseId']}/enrollments", "course-enrollment-page").body["enrollments"]
    assert [e["id"] for e in by_course] == sorted(e["id"] for e in by_course)  # no documented default: the key
