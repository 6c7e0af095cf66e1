"""Strict mode (``--strict``) over the learning, training and webhook routes: every request and answer is checked
against its declared contract at run time (a mismatch would come back as a 500)."""
from __future__ import annotations

import pytest

from emulator.app import create_app
from emulator.core import contract


@pytest.fixture(scope="module")
def strict():
    app = create_app({"seed": 42, "strict": True})
    yield app
    app.state.outbox.close()


def test_every_learning_route_keeps_its_contract_in_strict_mode(strict):
    world = strict.state.store.tenants["default"].world("ispring")
    client = strict.test_client()
    owner = world.credentials()["clients"][0]
    token = client.post("/ispring/api/v3/token", data={"client_id": owner["clientId"], "client_secret":
                                                       owner["clientSecret"], "grant_type": "client_credentials"})
    headers = {"Authorization": f"Bearer {token.get_json()['access_token']}", "Accept": "application/json"}
    course = next(c for c in world.content.values() if c.content_type == "Course")
    e = next(iter(world.enrollments.values()))
    item = world.modules[world.content[e.course_id].module_ids[0]].item_id
    training = next(iter(world.trainings.values()))
    session = world.training_sessions[training.session_ids[0]]
    folder = next(c.id for c in world.content.values() if c.content_type == "Folder")
    learner = next(u.id for u in world.users.values() if u.role == "LEARNER" and u.status == "ACTIVE")
    calls = [
        ("GET", "/content", None, "content-list"), ("GET", "/contents?pageSize=2", None, "content-page"),
        ("POST", "/contents", {"contentTypes": ["Course"]}, "content-page"),
        ("GET", f"/content/{course.id}", None, "content-item-info"),
        ("GET", f"/content/{course.id}/final_statuses", None, "final-status-list"),
        ("GET", f"/courses/modules?courseIds={course.id}", None, "courses-modules-page"),
        ("GET", f"/course/{course.id}/modules", None, "course-modules"), ("GET", "/courses_tree", None, "courses-tree"),
        ("GET", "/course_fields", None, "course-fields"),
        ("POST", "/content/create/Course", {"folder_id": folder, "title": "Strict"}, "content-id"),
        ("GET", f"/enrollment?learnerIds[]={e.learner_id}", None, "enrollment-list"),
        ("POST", "/enrollment", {"learnerIds": [learner], "courseIds": [course.id]}, None),
        ("GET", "/enrollments?pageSize=3", None, "enrollment-page"),
        ("POST", "/enrollments", {"pageSize": 3}, "enrollment-page"),
        ("GET", f"/enrollment/{e.id}", None, "enrollment"),
        ("POST", "/statistics/module", {"courseId": e.course_id, "enrollmentIds": [e.id], "moduleStatuses": [
            {"contentItemId": item, "status": "complete"}]}, "task-id"),
        ("POST", "/statistics/course", {"courseId": e.course_id, "enrollmentIds": [e.id], "status": "automatic"},
         "task-id"),
        ("DELETE", f"/statistics/module?courseId={e.course_id}&enrollmentIds={e.id}", None, "task-id"),
        ("GET", "/learners/results?pageSize=5", None, "learner-results"),
        ("GET", "/learners/modules/results?pageSize=5", None, "learner-module-results"),
        ("GET", "/gamification/points", None, "user-points-list"),
        ("GET", f"/training/{training.id}", None, "training-info"),
        ("GET", f"/training/{training.id}/sessions", None, "training-session-list"),
        ("GET", f"/training/session/participants/{session.id}", None, "training-participants"),
        ("GET", f"/training/day/{session.day_ids[0]}", None, "training-day-info"),
        ("POST", "/webhook/register", {"subscriberName": "strict", "callbackUrl": "http://127.0.0.1:9/"}, None),
        ("POST", "/webhook/subscribe", {"subscriberName": "strict", "subscription": {
            "subscriptionType": "COURSE_STATUS_CHANGED"}}, None),
        ("GET", "/webhook/subscription/list?subscriberName=strict", None, "subscription-list"),
        ("GET", "/webhook/subscriber/info?subscriberName=strict", None, "subscriber-info"),
        ("POST", "/webhook/remove", {"subscriberName": "strict"}, None),
    ]
    for method, path, body, schema in calls:
        response = client.open("/ispring" + path, method=method, headers=headers, json=body)
        assert response.status_code < 300, (path, response.get_data(as_text=True)[:500])
        if schema is not None:
            contract.validate("ispring", schema, response.get_json())
