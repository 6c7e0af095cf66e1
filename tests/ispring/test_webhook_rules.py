"""Webhook subscribers' lifecycle (in process) and the sender's rules (core.outbound): where it may call, how
events are filtered and signed, and that its thread ends."""
from __future__ import annotations

import hashlib
import json

import pytest

from emulator.core import outbound
from emulator.core.errors import BadRequest
from emulator.ispring.domain import webhooks


@pytest.fixture
def api(ispring):
    return ispring.as_client


def _register(api, name="s", url="http://127.0.0.1:9/hook", **extra):
    return api("POST", "/webhook/register", None, json={"subscriberName": name, "callbackUrl": url, **extra})


def test_lifecycle_statuses(api, world):
    assert _register(api, secret="x").status_code == 200
    assert _register(api).status_code == 400  # the name is taken
    info = api("GET", "/webhook/subscriber/info?subscriberName=s", "subscriber-info").body
    assert info == {"subscriberStatus": "ACTIVE", "confirmationStatus": "UNCONFIRMED",
                    "notificationProcessStatus": "INACTIVE"}
    api("POST", "/webhook/code/send", None, json={"subscriberName": "s"})
    first = world.subscribers["s"].code
    api("POST", "/webhook/code/send", None, json={"subscriberName": "s"})
    assert api("POST", "/webhook/confirm", "error", json={"subscriberName": "s", "code": first}).status_code == 400
    api("POST", "/webhook/confirm", None, json={"subscriberName": "s", "code": world.subscribers["s"].code})
    api("POST", "/webhook/disable", None, json={"subscriberName": "s"})
    assert api("GET", "/webhook/subscriber/info?subscriberName=s", "subscriber-info").body == {
        "subscriberStatus": "INACTIVE", "confirmationStatus": "CONFIRMED", "notificationProcessStatus": "INACTIVE"}
    api("POST", "/webhook/enable", None, json={"subscriberName": "s"})
    api("POST", "/webhook/settings/change", None, json={"subscriberName": "s", "callbackUrl": "http://localhost:9/x"})
    assert world.subscribers["s"].confirmed is False and world.subscribers["s"].secret is None
    api("POST", "/webhook/remove", None, json={"subscriberName": "s"})
    for method, path, body in (("GET", "/webhook/subscriber/info?subscriberName=s", None),
                               ("GET", "/webhook/subscription/list?subscriberName=s", None),
                               ("POST", "/webhook/enable", {"subscriberName": "s"}),
                               ("POST", "/webhook/confirm", {"subscriberName": "s", "code": "c"})):
        assert api(method, path, "error", json=body).status_code == 404, path


def test_subscriptions_one_per_type_with_checked_params(api, world):
    _register(api)
    api("POST", "/webhook/subscribe", None, json={"subscriberName": "s", "subscription": {
        "subscriptionType": "COURSE_COMPLETED_SUCCESSFULLY", "params": [{"name": "courseIds", "value": "[]"}]}})
    api("POST", "/webhook/subscribe", None, json={"subscriberName": "s", "subscription": {
        "subscriptionType": "USER_REGISTERED"}})
    listed = api("GET", "/webhook/subscription/list?subscriberName=s", "subscription-list").body
    assert listed == [{"subscriptionType": "COURSE_COMPLETED_SUCCESSFULLY",
                       "params": [{"name": "courseIds", "value": "[]"}]},
                      {"subscriptionType": "USER_REGISTERED", "params": []}]
    for subscription in ({"subscriptionType": "NOPE"},
                         {"subscriptionType": "USER_REGISTERED", "params": [{"name": "userIds", "value": "[]"}]},
                         {"subscriptionType": "COURSE_STATUS_CHANGED", "params": [{"name": "userIds", "value": "a"}]}):
        answer = api("POST", "/webhook/subscribe", "error", json={"subscriberName": "s", "subscription": subscription})
        assert answer.status_code == 400, subscription
    api("POST", "/webhook/unsubscribe", None, json={"subscriberName": "s", "subscriptionType": "USER_REGISTERED"})
    assert api("POST", "/webhook/unsubscribe", "error", json={"subscriberName": "s",
                                                              "subscriptionType": "USER_REGISTERED"}).status_code == 404
    assert api("POST", "/webhook/register", "error", who="learner",
               json={"subscriberName": "z", "callbackUrl": "http://127.0.0.1/"}).status_code == 403


def test_pipedreams_secret_spelling_and_limits(api, world):
    _register(api, "p", Secret="from-pipedream")
    assert world.subscribers["p"].secret == "from-pipedream"
    assert _register(api, "x" * 256).status_code == 400
    assert _register(api, "y", "http://127.0.0.1/" + "a" * 256).status_code == 400


def test_events_are_filtered_and_signed(world):
    subscriber = webhooks.register(world, "w", "http://127.0.0.1:9/", "k")
    subscriber.confirmed = True
    webhooks.subscribe(world, "w", "LEARNERS_ENROLLED_IN_COURSE", [("userIds", json.dumps(["a", "b"])),
                                                                    ("courseIds", "[]")])
    assert webhooks.emit(world, "LEARNERS_ENROLLED_IN_COURSE", [{"courseId": "c", "learnerIds": ["x"]}]) == 0
    assert webhooks.emit(world, "COURSE_STATUS_CHANGED", [{"courseId": "c", "learnerId": "a"}]) == 0
    assert webhooks.emit(world, "LEARNERS_ENROLLED_IN_COURSE", [{"courseId": "c", "learnerIds": ["x", "b"]},
                                                                {"courseId": "d", "learnerIds": ["y"]}]) == 1
    sent = world.outbox[-1]
    assert json.loads(sent.body) == {"type": "LEARNERS_ENROLLED_IN_COURSE",
                                     "payloads": [{"courseId": "c", "learnerIds": ["b"]}]}
    assert dict(sent.headers)["X-Hub-Signature"] == hashlib.sha256(sent.body + b"k").hexdigest()
    subscriber.enabled = False
    assert webhooks.emit(world, "LEARNERS_ENROLLED_IN_COURSE", [{"courseId": "c", "learnerIds": ["a"]}]) == 0


# -- the sender -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://127.8.9.10:8080/x?y=1", "http://[::1]:81/",
                                 "https://localhost/hook"])
def test_loopback_urls_are_allowed(url):
    assert outbound.Policy().check(url).address


@pytest.mark.parametrize("url", ["http://10.0.0.1/", "http://169.254.169.254/latest", "http://[::ffff:10.0.0.1]/",
                                 "http://0.0.0.0/", "file:///etc/passwd", "gopher://127.0.0.1/", "http:///nohost",
                                 "http://127.0.0.1:99999/", "http://no-such-host.invalid/"])
def test_other_urls_are_refused(url):
    with pytest.raises(BadRequest):
        outbound.Policy().check(url)


def test_the_allow_list_lets_named_hosts_and_networks_through():
    policy = outbound.Policy("10.0.0.0/8, hooks.internal")
    assert policy.check("http://10.1.2.3/x").address == "10.1.2.3"
    assert policy.check("http://hooks.internal:8080/x").host == "hooks.internal"
    with pytest.raises(BadRequest):
        policy.check("http://11.0.0.1/")


def test_the_worker_ends_when_idle_and_on_close(app, tenant, monkeypatch):
    monkeypatch.setattr(outbound, "IDLE_SECONDS", 0.2)
    monkeypatch.setattr(outbound, "RETRY_DELAYS", ())
    box = outbound.Outbox()
    box.put(outbound.Delivery(tenant=tenant, vendor="ispring", url="http://127.0.0.1:9/", body=b"{}", headers=(),
                              kind="TEST"))
    worker = box._worker  # this outbox's thread (others may run in the process)
    assert worker is not None and worker.name == "lms-emulator-webhooks"
    assert outbound.deliveries_of(tenant).wait(1, timeout=10)
    worker.join(timeout=5)  # idle for IDLE_SECONDS: it ends by itself
    assert not worker.is_alive() and not box.running
    record = outbound.deliveries_of(tenant).list()[-1]
    assert record["outcome"] == "failed" and record["error"]  # nothing listens on port 9
    box.close()
    assert box.put(outbound.Delivery(tenant=tenant, vendor="ispring", url="http://127.0.0.1:9/", body=b"{}",
                                     headers=(), kind="TEST")) is False
    assert outbound.deliveries_of(tenant).list()[-1]["outcome"] == "dropped"
