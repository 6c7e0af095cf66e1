"""Absorb user rules a sync client relies on, each at its edge: an update moves the user's dateEdited, nobody
supervises themselves, an upload of exactly 200 users is allowed, and departments are found by their external
id in any case. (Mutation testing, tools/mutation.py absorb/users, showed each could break with every other
test green.)"""
from __future__ import annotations

from datetime import timedelta

from tests.absorb.test_domain_rules import _wire, now  # noqa: F401 - now: the fixture stopping the tenant clock


def test_an_update_moves_the_users_date_edited_to_the_instant_of_the_write(api, tenant, now):  # noqa: F811
    learner = api.learners()[0]
    later = now + timedelta(minutes=5)
    tenant.clock.freeze(later)
    api.put(f"/users/{learner.id}", status=200, json={"jobTitle": "Auditor"})
    after = api.get(f"/users/{learner.id}", "user", status=200).body
    assert after["jobTitle"] == "Auditor" and after["dateEdited"][:19] == _wire(later)[:19]


def test_a_user_cannot_supervise_themselves_but_may_be_supervised_by_another(api):
    learner, other = api.learners()[:2]
    refused = api.put(f"/users/{learner.id}", status=422, json={"supervisorId": learner.id}).body
    assert "supervisorId" in str(refused)
    assert api.get(f"/users/{learner.id}", "user").body["supervisorId"] != learner.id
    api.put(f"/users/{learner.id}", status=200, json={"supervisorId": other.id})
    assert api.get(f"/users/{learner.id}", "user").body["supervisorId"] == other.id


def test_an_upload_of_exactly_200_users_is_saved(api):
    department = next(iter(api.world.departments))
    batch = [{"username": f"bulk.{n}", "firstName": "Bulk", "lastName": f"User{n}", "departmentId": department}
             for n in range(200)]
    api.post("/users/upload", "user-upload-result", status=200, json=batch)
    found = api.get("/users?_filter=firstName eq 'Bulk'&_limit=1", "user-page", status=200).body
    assert found["totalItems"] == 200


def test_departments_are_found_by_external_id_in_any_case_and_only_that_one(api):
    wanted = next(d for d in api.world.departments.values() if d.external_id)
    for asked in (wanted.external_id, wanted.external_id.lower(), wanted.external_id.upper()):
        page = api.get(f"/departments?externalId={asked}", "department-page", status=200).body
        assert [d["id"] for d in page["departments"]] == [wanted.id]
    assert api.get("/departments?externalId=no-such-id", "department-page").body["totalItems"] == 0


def test_a_renamed_username_is_the_one_users_are_matched_by_and_the_old_one_is_free(api):
    learner = api.learners()[0]
    old = learner.username
    other_id = "00000000-0000-4000-8000-000000000001"  # read-only: ignored, the rest applied
    api.put(f"/users/{learner.id}", status=200, json={"id": other_id, "username": "renamed.person"})
    again = api.post("/users", "user", status=200, json={"username": "RENAMED.PERSON", "jobTitle": "Moved"}).body
    assert again["id"] == learner.id and again["jobTitle"] == "Moved"
    fresh = api.post("/users", "user", status=201, json={
        "username": old, "firstName": "New", "lastName": "Owner", "departmentId": again["departmentId"]}).body
    assert fresh["id"] != learner.id


def test_a_post_that_updates_a_user_moves_their_date_edited(api, tenant, now):  # noqa: F811
    learner = api.learners()[1]
    later = now + timedelta(minutes=7)
    tenant.clock.freeze(later)
    api.post("/users", "user", status=200, json={"username": learner.username, "jobTitle": "Later"})
    assert api.get(f"/users/{learner.id}", "user").body["dateEdited"][:19] == _wire(later)[:19]


def test_a_null_custom_fields_clears_every_custom_field(api):
    learner = api.learners()[0]
    api.put(f"/users/{learner.id}", status=200, json={"customFields": {"string1": "kept?"}})
    api.put(f"/users/{learner.id}", status=200, json={"customFields": None})
    fields = api.get(f"/users/{learner.id}", "user").body["customFields"]
    assert isinstance(fields, dict) and fields and all(v is None for v in fields.values())


def test_a_new_job_title_and_name_show_on_every_enrollment_of_the_user_down_to_lessons(api):
    enrollment = next(e for e in api.world.enrollments.values() if e.is_active
                      and api.world.courses[e.course_id].chapter_ids)
    base = f"/users/{enrollment.user_id}/enrollments/{enrollment.course_id}"
    api.get(f"{base}/lessons", "lesson-enrollment-list", status=200)  # the lessons are made: they carry the name
    api.put(f"/users/{enrollment.user_id}", status=200,
            json={"firstName": "Changed", "lastName": "Name", "jobTitle": "Chief Tester"})
    course = api.get(base, "user-course-enrollment", status=200).body
    assert course["fullName"] == "Changed Name" and course["jobTitle"] == "Chief Tester"
    lessons = api.get(f"{base}/lessons", "lesson-enrollment-list", status=200).body
    assert lessons and {le["fullName"] for le in lessons} == {"Changed Name"}
    chapters = api.get(f"{base}/chapters", status=200).body
    assert {c["fullName"] for c in chapters} == {"Changed Name"}


def test_a_province_must_lie_in_the_users_own_country_when_only_the_province_is_sent(api):
    ref = api.world.reference
    learner = next(u for u in api.world.users.values() if u.country_id and u.id != api.world.users_by_name.get("ADMIN"))
    elsewhere = next(p for p in ref.provinces.values() if p.country_id != learner.country_id)
    api.put(f"/users/{learner.id}", status=422, json={"provinceId": elsewhere.id})
    assert api.get(f"/users/{learner.id}", "user").body["provinceId"] != elsewhere.id
