"""Content, enrollments, statistics and results: the rules each route keeps (in process, every answer checked
against its schema by ``ISpringApi``)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from emulator.app import create_app
from emulator.ispring.domain import content, enrollments

NOBODY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def api(ispring):
    """api(method, path, schema, who="owner", **kwargs) -> checked response (``.body``: its JSON)."""
    return ispring.as_client


def _courses(world):
    return [c for c in world.content.values() if c.content_type == "Course"]


def _fresh(world, n=2):
    """A course and n active learners with no enrollment in it."""
    learners = [u.id for u in world.users.values() if u.status == "ACTIVE" and u.role == "LEARNER"]
    for course in _courses(world):
        free = [u for u in learners if enrollments.find_one(world, u, course.id) is None]
        if len(free) >= n:
            return course, free[:n]
    raise AssertionError("no free course")


# -- the seeded catalogue --------------------------------------------------------------------------------

def test_the_catalogue_is_believable_and_deterministic(world, app):
    courses = _courses(world)
    assert len(courses) == len(content.COURSES)
    for course in courses:
        modules = content.course_modules(world, course)
        assert [m.number for m in modules] == list(range(1, len(modules) + 1))
        assert all(world.content[m.item_id].content_type in content.MATERIAL_TYPES for m in modules)
        assert all(m.course_id == course.id and m.added == course.added for m in modules)
    assert world.enrollments and any(e.modules for e in world.enrollments.values())
    other = create_app({"seed": 42}).state.store.tenants["default"].world("ispring")
    assert list(other.content) == list(world.content) and list(other.enrollments) == list(world.enrollments)


def test_content_lists_filter_by_type_and_id_and_page(api, world):
    every = api("GET", "/content", "content-list").body
    assert {c["contentItemType"] for c in every} >= {"Course", "LearningTrack", "Quiz"}
    assert "Folder" not in {c["contentItemType"] for c in every}
    courses = api("GET", "/content?contentTypes=Course", "content-list").body
    assert len(courses) == len(_courses(world))
    first = api("GET", "/contents?pageSize=3", "content-page").body
    second = api("GET", f"/contents?pageSize=3&pageToken={first['nextPageToken']}", "content-page").body
    assert len(first["contentItems"]) == 3 and first["contentItems"][-1] != second["contentItems"][0]
    one = courses[0]["contentItemId"]
    assert api("GET", f"/contents?contentItemIds[]={one}", "content-page").body["contentItems"][0]["title"] == \
        courses[0]["title"]
    by_post = api("POST", "/contents", "content-page", json={"contentItemIds": [one]}).body
    assert [c["contentItemId"] for c in by_post["contentItems"]] == [one]
    assert api("GET", f"/content/{one}", "content-item-info").body["contentItem"] == courses[0]
    assert api("GET", f"/content/{NOBODY}", "error").status_code == 404
    assert api("GET", "/content/nope", "error").status_code == 400
    assert api("GET", "/content?contentTypes=Movie", "error").status_code == 400


def test_modules_tree_fields_and_learning_tracks(api, world):
    course = _courses(world)[0]
    modules = api("GET", f"/course/{course.id}/modules", "course-modules").body["modules"]
    assert [m["moduleId"] for m in modules] == course.module_ids
    paged = api("GET", f"/courses/modules?courseIds={course.id}&pageSize=2", "courses-modules-page").body
    assert paged["modules"] == modules[:2] and "nextPageToken" in paged
    assert api("GET", "/courses/modules", "error").status_code == 400
    assert api("GET", f"/course/{modules[0]['contentItemId']}/modules", "error").status_code == 404
    tree = api("GET", "/courses_tree", "courses-tree").body
    parents = {t["contentItemId"] for t in tree if t["type"] == "Folder"}
    assert all(t["parentId"] in parents for t in tree if t["type"] == "Course")
    fields = api("GET", "/course_fields", "course-fields").body["courseFields"]
    assert {f["fieldId"] for f in fields} == set(course.field_values)
    track = next(c for c in world.content.values() if c.content_type == "LearningTrack")
    pairs = api("GET", f"/learning_track/courses?learningTrackIds={track.id}", "learning-track-courses").body
    assert [p["courseId"] for p in pairs] == track.course_ids
    assert api("GET", "/learning_track/courses", "error").status_code == 400


def test_a_course_created_shows_in_the_catalogue(api, world):
    folder = next(c.id for c in world.content.values() if c.content_type == content.FOLDER)
    made = api("POST", "/content/create/Course", "content-id", json={"folder_id": folder, "title": "New one"})
    assert made.status_code == 201
    assert api("GET", f"/content/{made.body}", "content-item-info").body["contentItem"]["title"] == "New one"
    assert api("POST", "/content/create/Video", "error", json={"folder_id": folder, "title": "x"}).status_code == 400
    assert api("POST", "/content/create/Course", "error", json={"folder_id": NOBODY, "title": "x"}).status_code == 400
    assert api("POST", "/content/create/Course", "error", who="learner",
               json={"folder_id": folder, "title": "x"}).status_code == 403


# -- enrollments -------------------------------------------------------------------------------------------

def test_enroll_checks_every_id_first_and_keeps_existing_enrollments(api, world):
    course, learners = _fresh(world)
    before = len(world.enrollments)
    bad = api("POST", "/enrollment", "error", json={"learnerIds": [*learners, NOBODY], "courseIds": [course.id]})
    assert bad.status_code == 400 and NOBODY in bad.body["message"] and len(world.enrollments) == before
    assert api("POST", "/enrollment", None, json={"learnerIds": learners, "courseIds": [course.id]}).status_code == 201
    assert api("POST", "/enrollment", None, json={"learnerIds": learners, "courseIds": [course.id]}).status_code == 201
    assert len(world.enrollments) == before + 2
    for body in ({"learnerIds": learners, "courseIds": [course.id], "dueDateType": "due_date"},
                 {"learnerIds": learners, "courseIds": [course.id], "dueDateType": "due_period"},
                 {"learnerIds": learners, "courseIds": [course.id], "dueDateType": "sometime"},
                 {"learnerIds": ["x"], "courseIds": [course.id]}, {"learnerIds": learners},
                 {"learnerIds": learners, "courseIds": [course.module_ids[0]]},
                 {"learnerIds": learners, "courseIds": [course.id], "accessDate": "tomorrow"}):
        assert api("POST", "/enrollment", "error", json=body).status_code == 400, body
    assert api("POST", "/enrollment", "error", who="learner",
               json={"learnerIds": learners, "courseIds": [course.id]}).status_code == 403


@pytest.mark.parametrize("spelling", ["learnerIds[]={}", "learnerIds={}", "learnerIds[0]={}"])
def test_enrollment_list_reads_each_client_spelling(api, world, spelling):
    learner = next(iter(world.enrollments.values())).learner_id
    listed = api("GET", "/enrollment?" + spelling.format(learner), "enrollment-list").body["enrollments"]
    assert listed and {e["learnerId"] for e in listed} == {learner}
    assert api("GET", "/enrollment?learnerIds[]=nope", "error").status_code == 400


def test_enrollments_page_and_post_form(api, world):
    total = len(world.enrollments)
    seen, token = [], None
    while True:
        page = api("GET", "/enrollments?pageSize=7" + (f"&pageToken={token}" if token else ""), "enrollment-page").body
        seen += [e["enrollmentId"] for e in page["enrollments"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert seen == list(world.enrollments) and len(seen) == total
    course = next(iter(world.enrollments.values())).course_id
    posted = api("POST", "/enrollments", "enrollment-page", json={"courseIds": [course], "pageSize": 2}).body
    assert all(e["courseId"] == course for e in posted["enrollments"])
    assert api("GET", "/enrollments?pageToken=bm9wZQ==", "error").status_code == 400


def test_due_dates_follow_the_type_and_overdue_follows_the_clock(api, world, tenant):
    course, (learner, _other) = _fresh(world)
    api("POST", "/enrollment", None, json={"learnerIds": [learner], "courseIds": [course.id],
                                           "dueDateType": "due_period", "duePeriod": 3, "accessDate": "2020-01-01"})
    e = enrollments.find_one(world, learner, course.id)
    got = api("GET", f"/enrollment/{e.id}", "enrollment").body
    assert (got["accessDate"], got["dueDate"]) == ("2020-01-01", "2020-01-04")
    result = api("GET", f"/learners/results?enrollmentIds={e.id}", "learner-results").body["results"][0]
    assert result["isOverdue"] is True  # the clock is past 2020-01-04 and the course is not completed
    api("POST", f"/enrollment/{e.id}", None, json={"accessDate": tenant.clock.now().date().isoformat(),
                                                  "dueDateType": "due_period", "duePeriod": 10})
    assert api("GET", f"/learners/results?enrollmentIds={e.id}", "learner-results").body["results"][0][
        "isOverdue"] is False
    tenant.clock.advance(timedelta(days=11))
    assert api("GET", f"/learners/results?enrollmentIds={e.id}", "learner-results").body["results"][0][
        "isOverdue"] is True
    api("POST", f"/enrollment/{e.id}", None, json={"accessDate": "2020-01-01", "dueDateType": "unlimited"})
    assert "dueDate" not in api("GET", f"/enrollment/{e.id}", "enrollment").body


def test_reenroll_starts_over_and_delete_removes(api, world):
    e = next(e for e in world.enrollments.values() if e.modules)
    api("POST", f"/enrollment/{e.id}/reenroll", None, json={"accessDate": "2030-01-01", "dueDateType": "unlimited"})
    result = api("GET", f"/learners/results?enrollmentIds={e.id}", "learner-results").body["results"][0]
    assert result["completionStatus"] == "not_started" and result["accessDate"].startswith("2030-01-01")
    assert api("POST", "/enrollment/delete", "error", json={"enrollmentIds": [e.id, NOBODY]}).status_code == 400
    assert e.id in world.enrollments
    assert api("POST", "/enrollment/delete", None, json={"enrollmentIds": [e.id]}).status_code == 204
    assert api("GET", f"/enrollment/{e.id}", "error").status_code == 404
    assert api("POST", f"/enrollment/{e.id}", "error", json={"accessDate": "2030-01-01",
                                                             "dueDateType": "unlimited"}).status_code == 404


# -- statistics and results ----------------------------------------------------------------------------------

def test_module_statuses_move_the_course_and_reset_takes_them_back(api, world):
    course, (learner, _other) = _fresh(world)
    api("POST", "/enrollment", None, json={"learnerIds": [learner], "courseIds": [course.id]})
    e = enrollments.find_one(world, learner, course.id)
    items = [world.modules[m].item_id for m in course.module_ids]
    for i, item in enumerate(items):
        api("POST", "/statistics/module", "task-id", json={"courseId": course.id, "enrollmentIds": [e.id],
                                                          "moduleStatuses": [{"contentItemId": item, "status": "passed",
                                                                              "awardedScore": 80 + i}]})
        status = api("GET", f"/learners/results?enrollmentIds={e.id}", "learner-results").body["results"][0]
        assert status["completionStatus"] == ("complete" if i == len(items) - 1 else "in_progress")
    modules = api("GET", f"/learners/modules/results?enrollmentIds={e.id}&completionStatuses=passed",
                  "learner-module-results").body["results"]
    assert [m["courseItemId"] for m in modules] == items
    task = api("DELETE", f"/statistics/module?courseId={course.id}&enrollmentIds={e.id}&contentItemIds={items[0]}",
               "task-id").body["taskId"]
    assert api("GET", f"/task/{task}/status", "task-status").body == {"status": "complete"}
    status = api("GET", f"/learners/results?enrollmentIds={e.id}", "learner-results").body["results"][0]
    assert status["completionStatus"] == "in_progress"
    for body in ({"courseId": course.id, "enrollmentIds": [e.id], "moduleStatuses": [
                     {"contentItemId": NOBODY, "status": "complete"}]},
                 {"courseId": course.id, "enrollmentIds": [e.id], "moduleStatuses": [
                     {"contentItemId": items[0], "status": "done"}]},
                 {"courseId": course.id, "enrollmentIds": [NOBODY], "moduleStatuses": []}):
        assert api("POST", "/statistics/module", "error", json=body).status_code == 400
    too_high = {"courseId": course.id, "enrollmentIds": [e.id], "status": "complete", "awardedScore": 101}
    assert api("POST", "/statistics/course", "error", json=too_high).status_code == 400
    assert api("GET", "/task/99999999/status", "error").status_code == 404
    assert api("GET", "/task/abc/status", "error").status_code == 400


def test_results_filters(api, world):
    rows = api("GET", "/learners/results", "learner-results").body["results"]
    assert len(rows) == len([e for e in world.enrollments.values() if world.users[e.learner_id].status != "DELETED"])
    done = api("GET", "/learners/results?completionStatuses[]=complete", "learner-results").body["results"]
    assert done and all(r["completionStatus"] == "complete" for r in done)
    department = world.users[rows[0]["userId"]].department_id
    mine = api("GET", f"/learners/results?departmentIds={department}", "learner-results").body["results"]
    assert mine and all(world.users[r["userId"]].department_id == department for r in mine)
    ranged = api("GET", "/learners/results?completionDate[startDate]=2000-01-01T00:00:00Z"
                 "&completionDate[endDate]=2100-01-01T00:00:00Z", "learner-results").body["results"]
    assert {r["enrollmentId"] for r in ranged} == {r["enrollmentId"] for r in rows if "completionDate" in r}
    assert api("GET", "/learners/results?userStatuses=1", "learner-results").body["results"]
    for bad in ("completionStatuses=finished", "userStatuses=2", "userIds=x", "accessDate[startDate]=soon",
                "pageSize=0", "pageToken=%%%"):
        assert api("GET", f"/learners/results?{bad}", "error").status_code == 400, bad
    assert api("GET", "/learners/results", "error", who="learner").status_code == 403


# -- fixtures ----------------------------------------------------------------------------------------------

def test_data_json_learning_part_loads_back_as_a_fixture(client):
    data = client.get("/_emulator/tenants/default/data.json").get_json()["ispring"]
    data.pop("accountUrl")
    assert client.post("/_emulator/tenants", json={"id": "copy", "fixture": {"ispring": data}}).status_code == 201
    again = client.get("/_emulator/tenants/copy/data.json").get_json()["ispring"]
    assert (again["courses"], again["enrollments"], again["points"]) == \
        (data["courses"], data["enrollments"], data["points"])


def test_a_fixture_with_a_course_and_an_enrollment(client):
    user, department = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    course, module, enrollment = ("33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444",
                                  "55555555-5555-4555-8555-555555555555")
    fixture = {"ispring": {
        "departments": [{"id": department, "name": "D"}],
        "users": [{"id": user, "login": "ann", "departmentId": department}],
        "courses": [{"id": course, "title": "Safety", "modules": [{"id": module, "title": "Rules"}]}],
        "enrollments": [{"id": enrollment, "courseId": course, "learnerId": user, "accessDate": "2030-01-01",
                         "modules": [{"moduleId": module, "status": "complete",
                                      "completionDate": "2030-01-02T00:00:00Z"}]}]}}
    assert client.post("/_emulator/tenants", json={"id": "fx", "fixture": fixture}).status_code == 201
    bad = {"ispring": {**fixture["ispring"], "enrollments": [{**fixture["ispring"]["enrollments"][0],
                                                              "courseId": module}]}}
    refused = client.post("/_emulator/tenants", json={"id": "fx2", "fixture": bad})
    assert refused.status_code == 400 and "enrollments[0].courseId" in refused.get_json()["message"]
    data = client.get("/_emulator/tenants/fx/data.json").get_json()["ispring"]
    assert data["enrollments"][0]["modules"][0]["status"] == "complete"


# -- gamification and certificates ---------------------------------------------------------------------------

def test_points_are_a_ledger(api, world):
    rows = api("GET", "/gamification/points", "user-points-list").body
    assert len(rows) == len([u for u in world.users.values() if u.status != "DELETED"])
    user = next(r for r in rows if r["points"] > 0)
    one = f"/gamification/points?userIds[]={user['userId']}"
    api("POST", "/gamification/points/award", None, json={"userId": user["userId"], "amount": 5, "reason": "Quiz"})
    assert api("GET", one, "user-points-list").body == [{"userId": user["userId"], "points": user["points"] + 5}]
    api("POST", "/gamification/points/withdraw", None, json={"userId": user["userId"], "amount": 5, "reason": "Oops"})
    assert api("GET", one, "user-points-list").body[0]["points"] == user["points"]
    too_many = {"userId": user["userId"], "amount": user["points"] + 1, "reason": "x"}
    assert api("POST", "/gamification/points/withdraw", "error", json=too_many).status_code == 400
    for body in ({"userId": NOBODY, "amount": 1, "reason": "x"}, {"userId": user["userId"], "amount": 0, "reason": "x"},
                 {"userId": user["userId"], "amount": 1}):
        assert api("POST", "/gamification/points/award", "error", json=body).status_code == 400, body


def test_completing_a_course_with_a_certificate_issues_one(api, world):
    course = next(c for c in _courses(world) if c.certificate)
    learner = next(u.id for u in world.users.values() if u.status == "ACTIVE" and u.role == "LEARNER"
                   and enrollments.find_one(world, u.id, course.id) is None)
    api("POST", "/enrollment", None, json={"learnerIds": [learner], "courseIds": [course.id]})
    e = enrollments.find_one(world, learner, course.id)
    assert "certificate" not in api("GET", f"/enrollment/{e.id}", "enrollment").body
    api("POST", "/statistics/course", "task-id", json={"courseId": course.id, "enrollmentIds": [e.id],
                                                      "status": "complete", "date": "2030-05-06T07:08:09Z"})
    certificate = api("GET", f"/enrollment/{e.id}", "enrollment").body["certificate"]
    assert certificate["issueDate"] == "2030-05-06"
    url = api("GET", f"/certificate/{certificate['issuedCertificateId']}", "issued-certificate").body["url"]
    assert url.startswith(world.account_url) and url.endswith(".pdf")
    assert api("GET", f"/certificate/{NOBODY}", "error").status_code == 404


def test_quizzes_are_the_catalogues_quiz_materials(api, world):
    quizzes = api("GET", "/quizzes", "quizzes-page").body["results"]
    items = {c.id for c in world.content.values() if c.content_type == "Quiz"}
    assert {q["contentItemId"] for q in quizzes} == items
    course = next(c for c in _courses(world) if any(world.modules[m].item_id in items for m in c.module_ids))
    mine = api("GET", f"/quizzes?parentCourseIds={course.id}", "quizzes-page").body["results"]
    assert mine and all(course.id in q["parentCourseIds"] for q in mine)
    one = api("GET", f"/quizzes?quizIds={mine[0]['quizId']}", "quizzes-page").body["results"]
    assert one == mine[:1]
    assert api("GET", "/quizzes?quizIds=x", "error").status_code == 400
