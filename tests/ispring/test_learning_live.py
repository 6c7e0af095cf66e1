"""Over real HTTP against a live server, as an integration does it: enroll two learners, list them back, report
progress through the statistics routes, read the completion in the results; and a loopback subscriber that
receives its confirmation code, confirms, subscribes to enrollments and receives the event (schema-checked,
signed as the help page describes)."""
from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from emulator.core import contract
from emulator.testing import EmulatorServer, Tenant


class Subscriber:
    """A webhook receiver on a loopback port: every POST's headers and JSON body, in arrival order."""

    def __init__(self, status: int = 200) -> None:
        received: queue.Queue[tuple[dict[str, str], bytes]] = queue.Queue()
        self.received, self.status = received, status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                received.put((dict(self.headers), body))
                self.send_response(outer.status)
                self.send_header("Content-Length", "7")
                self.end_headers()
                self.wfile.write(b"Success")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def next(self, timeout: float = 10) -> tuple[dict[str, str], dict[str, Any], bytes]:
        headers, body = self.received.get(timeout=timeout)
        return headers, json.loads(body), body

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer({"seed": 42}) as running:
        yield running


@pytest.fixture
def tenant(server: EmulatorServer) -> Iterator[Tenant]:
    made = server.create_tenant()
    yield made
    made.delete()


@pytest.fixture
def subscriber() -> Iterator[Subscriber]:
    receiver = Subscriber()
    yield receiver
    receiver.close()


def _ok(response: requests.Response, schema: str | None = None, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    if schema is None:
        return None
    body = response.json()
    contract.validate("ispring", schema, body)
    return body


def _setup(server: EmulatorServer, tenant: Tenant) -> tuple[requests.Session, str, str, list[str], list[str]]:
    api = tenant.ispring("owner")
    base = f"{server.url}/ispring"
    world = server.store.get(tenant.id).world("ispring")
    learners = [u.id for u in world.users.values() if u.status == "ACTIVE" and u.role == "LEARNER"][:2]
    courses = _ok(api.get(f"{base}/content", params={"contentTypes": "Course"}), "content-list")
    course = next(c["contentItemId"] for c in courses
                  if not any(e.course_id == c["contentItemId"] and e.learner_id in learners
                             for e in world.enrollments.values()))
    modules = _ok(api.get(f"{base}/course/{course}/modules"), "course-modules")["modules"]
    return api, base, course, learners, [m["contentItemId"] for m in modules]


def test_enroll_list_report_progress_and_read_the_completion(server, tenant):
    api, base, course, learners, items = _setup(server, tenant)

    _ok(api.post(f"{base}/enrollment", json={"learnerIds": learners, "courseIds": [course],
                                              "dueDateType": "due_period", "duePeriod": 14}), status=201)
    listed = _ok(api.get(f"{base}/enrollment?learnerIds[]={learners[0]}&learnerIds[]={learners[1]}"),
                 "enrollment-list")["enrollments"]
    ours = [e for e in listed if e["courseId"] == course]
    assert sorted(e["learnerId"] for e in ours) == sorted(learners)
    enrollment_ids = [e["enrollmentId"] for e in ours]

    before = _ok(api.get(f"{base}/learners/results", params={"enrollmentIds": enrollment_ids}), "learner-results")
    assert {r["completionStatus"] for r in before["results"]} == {"not_started"}

    # the first learner finishes every module; the second only starts the first one
    done = [{"contentItemId": i, "status": "complete", "date": "2030-01-02T10:00:00Z", "reason": "", "awardedScore": 90}
            for i in items]
    task = _ok(api.post(f"{base}/statistics/module", json={"courseId": course, "enrollmentIds": [enrollment_ids[0]],
                                                           "moduleStatuses": done}), "task-id")["taskId"]
    assert _ok(api.get(f"{base}/task/{task}/status"), "task-status") == {"status": "complete"}
    _ok(api.post(f"{base}/statistics/module", json={"courseId": course, "enrollmentIds": [enrollment_ids[1]],
                                                    "moduleStatuses": [{**done[0], "status": "in_progress"}]}),
        "task-id")

    after = _ok(api.get(f"{base}/learners/results", params={"enrollmentIds": enrollment_ids}), "learner-results")
    by_learner = {r["userId"]: r for r in after["results"]}
    assert by_learner[learners[0]]["completionStatus"] == "complete"
    assert by_learner[learners[0]]["completionDate"] == "2030-01-02T10:00:00Z"
    assert by_learner[learners[0]]["progress"] == 100
    assert by_learner[learners[1]]["completionStatus"] == "in_progress"
    assert 0 < by_learner[learners[1]]["progress"] < 100
    modules = _ok(api.get(f"{base}/learners/modules/results", params={"enrollmentIds": enrollment_ids[1]}),
                  "learner-module-results")["results"]
    assert [m["completionStatus"] for m in modules] == ["in_progress"] + ["not_started"] * (len(items) - 1)
    final = {s["userId"]: s for s in _ok(api.get(f"{base}/content/{course}/final_statuses"), "final-status-list")}
    assert final[learners[0]]["status"] == "complete" and final[learners[0]]["progress"] == 100

    # the course status set by hand wins over the modules', and "automatic" gives it back to them
    _ok(api.post(f"{base}/statistics/course", json={"courseId": course, "enrollmentIds": [enrollment_ids[1]],
                                                    "status": "passed", "awardedScore": 75}), "task-id")
    passed = _ok(api.get(f"{base}/learners/results?completionStatuses[]=passed&courseIds[]={course}"),
                 "learner-results")["results"]
    assert [r["userId"] for r in passed] == [learners[1]] and passed[0]["awardedScore"] == 75
    _ok(api.post(f"{base}/statistics/course", json={"courseId": course, "enrollmentIds": [enrollment_ids[1]],
                                                    "status": "automatic"}), "task-id")
    again = _ok(api.get(f"{base}/learners/results", params={"enrollmentIds": enrollment_ids[1]}), "learner-results")
    assert again["results"][0]["completionStatus"] == "in_progress"


def test_a_loopback_subscriber_confirms_subscribes_and_receives_the_enrollment(server, tenant, subscriber):
    api, base, course, learners, _items = _setup(server, tenant)
    secret = "s3cret"

    _ok(api.post(f"{base}/webhook/register", json={"subscriberName": "lms-sync", "callbackUrl": subscriber.url,
                                                   "secret": secret}))
    _ok(api.post(f"{base}/webhook/code/send", json={"subscriberName": "lms-sync"}))
    headers, confirmation, raw = subscriber.next()
    contract.validate("ispring", "webhook-event", confirmation)
    assert confirmation["type"] == "CONFIRMATION"
    assert headers["X-Hub-Signature"] == hashlib.sha256(raw + secret.encode()).hexdigest()
    # what Pipedream's source does with it
    _ok(api.post(f"{base}/webhook/confirm", json={"subscriberName": "lms-sync",
                                                  **json.loads(confirmation["payloads"][0])}))
    _ok(api.post(f"{base}/webhook/subscribe", json={"subscriberName": "lms-sync", "subscription": {
        "subscriptionType": "LEARNERS_ENROLLED_IN_COURSE"}}))
    assert _ok(api.get(f"{base}/webhook/subscriber/info", params={"subscriberName": "lms-sync"}),
               "subscriber-info") == {"subscriberStatus": "ACTIVE", "confirmationStatus": "CONFIRMED",
                                      "notificationProcessStatus": "ACTIVE"}

    _ok(api.post(f"{base}/enrollment", json={"learnerIds": learners, "courseIds": [course],
                                              "accessDate": "2030-01-01T09:00:00.000Z"}), status=201)
    headers, event, raw = subscriber.next()
    contract.validate("ispring", "webhook-event", event)
    assert event == {"type": "LEARNERS_ENROLLED_IN_COURSE", "payloads": [{"courseId": course, "learnerIds": learners}]}
    assert headers["X-Hub-Signature"] == hashlib.sha256(raw + secret.encode()).hexdigest()

    deliveries = tenant.webhooks(wait_for=2)
    assert [(d["kind"], d["outcome"], d["status"]) for d in deliveries] == [
        ("CONFIRMATION", "delivered", 200), ("LEARNERS_ENROLLED_IN_COURSE", "delivered", 200)]
    journal = tenant.admin("GET", "/journal", params={"path": subscriber.url}).json()["entries"]
    assert [e.get("direction") for e in journal] == ["outbound", "outbound"]


def test_a_completion_reaches_its_subscriber_filtered_by_its_params(server, tenant, subscriber):
    api, base, course, learners, items = _setup(server, tenant)
    _ok(api.post(f"{base}/webhook/register", json={"subscriberName": "done", "callbackUrl": subscriber.url}))
    _ok(api.post(f"{base}/webhook/code/send", json={"subscriberName": "done"}))
    _headers, confirmation, _raw = subscriber.next()
    _ok(api.post(f"{base}/webhook/confirm", json={"subscriberName": "done", **json.loads(confirmation["payloads"][0])}))
    _ok(api.post(f"{base}/webhook/subscribe", json={"subscriberName": "done", "subscription": {
        "subscriptionType": "COURSE_COMPLETED_SUCCESSFULLY",
        "params": [{"name": "userIds", "value": json.dumps([learners[1]])}]}}))
    _ok(api.post(f"{base}/enrollment", json={"learnerIds": learners, "courseIds": [course]}), status=201)
    ids = {e["learnerId"]: e["enrollmentId"] for e in _ok(api.get(
        f"{base}/enrollment", params={"courseIds[]": course}), "enrollment-list")["enrollments"]}
    _ok(api.post(f"{base}/statistics/course", json={"courseId": course, "enrollmentIds": [ids[learners[0]]],
                                                    "status": "complete"}), "task-id")  # filtered out
    _ok(api.post(f"{base}/statistics/course", json={"courseId": course, "enrollmentIds": [ids[learners[1]]],
                                                    "status": "passed", "date": "2030-02-03T04:05:06Z"}), "task-id")
    headers, event, _raw = subscriber.next()
    contract.validate("ispring", "webhook-event", event)
    assert "X-Hub-Signature" not in headers  # no secret, no signature
    assert event["type"] == "COURSE_COMPLETED_SUCCESSFULLY"
    completed = int(datetime(2030, 2, 3, 4, 5, 6, tzinfo=timezone.utc).timestamp()) * 10**9
    assert event["payloads"] == [{"courseId": course, "learnerId": learners[1], "enrollmentIds": [ids[learners[1]]],
                                  "completionDate": completed}]
    assert subscriber.received.empty()


def test_a_callback_that_is_not_loopback_is_refused(server, tenant):
    api = tenant.ispring("owner")
    for url in ("http://192.0.2.1/hook", "http://example.com/hook", "ftp://127.0.0.1/x", "not a url"):
        answer = api.post(f"{server.url}/ispring/webhook/register",
                          json={"subscriberName": "x", "callbackUrl": url})
        assert answer.status_code == 400, url
        contract.validate("ispring", "error", answer.json())
    assert server.store.get(tenant.id).world("ispring").subscribers == {}


def test_a_failing_subscriber_is_retried_then_unconfirmed(server, tenant):
    failing = Subscriber(status=500)
    try:
        api, base = tenant.ispring("owner"), f"{server.url}/ispring"
        _ok(api.post(f"{base}/webhook/register", json={"subscriberName": "f", "callbackUrl": failing.url}))
        world = server.store.get(tenant.id).world("ispring")
        with server.store.get(tenant.id).lock:
            world.subscribers["f"].confirmed = True
        _ok(api.post(f"{base}/webhook/subscribe", json={"subscriberName": "f", "subscription": {
            "subscriptionType": "LEARNERS_ENROLLED_IN_COURSE"}}))
        _api, _base, course, learners, _items = _setup(server, tenant)
        _ok(api.post(f"{base}/enrollment", json={"learnerIds": learners[:1], "courseIds": [course]}), status=201)
        attempts = tenant.webhooks(wait_for=1, timeout=20)
        assert [(d["attempt"], d["outcome"]) for d in attempts] == [(1, "retrying"), (2, "retrying"), (3, "failed")]
        info = _ok(api.get(f"{base}/webhook/subscriber/info", params={"subscriberName": "f"}), "subscriber-info")
        assert info["confirmationStatus"] == "UNCONFIRMED"
    finally:
        failing.close()


def test_a_user_created_through_the_api_reaches_a_user_registered_subscriber(server, tenant, subscriber):
    """Issue 28's USER_REGISTERED: fired where issue 27's POST /user makes a user, in the registered shape."""
    api, base = tenant.ispring("owner"), f"{server.url}/ispring"
    _ok(api.post(f"{base}/webhook/register", json={"subscriberName": "hr", "callbackUrl": subscriber.url}))
    _ok(api.post(f"{base}/webhook/code/send", json={"subscriberName": "hr"}))
    _headers, confirmation, _raw = subscriber.next()
    _ok(api.post(f"{base}/webhook/confirm", json={"subscriberName": "hr", **json.loads(confirmation["payloads"][0])}))
    _ok(api.post(f"{base}/webhook/subscribe", json={"subscriberName": "hr", "subscription": {
        "subscriptionType": "USER_REGISTERED"}}))
    department = next(iter(server.store.get(tenant.id).world("ispring").departments))
    made = api.post(f"{base}/user", headers={"Accept": "application/json"}, json={
        "departmentId": department, "fields": {"login": "webhook.hire", "email": "webhook.hire@example.com"}})
    assert made.status_code == 201, made.text
    _headers, event, _raw = subscriber.next()
    contract.validate("ispring", "webhook-event", event)
    assert event["type"] == "USER_REGISTERED"
    [payload] = event["payloads"]
    assert (payload["departmentId"], payload["login"], payload["email"]) == (
        department, "webhook.hire", "webhook.hire@example.com")
    assert payload["userId"] == server.store.get(tenant.id).world("ispring").users[payload["userId"]].id
