"""The page step (``core.pipeline.PageStep``) answers exactly what the Flask path answers.

Every request is sent twice to the same app, through the page step and with it switched off, and the two
answers (status, headers in order, body) and the two journal entries (every field but ``seq`` and
``durationMs``; the tenant clock is frozen) must be equal. Each case also says whether the fast path may
answer it (a cached page, plainly asked) or must leave it to Flask (anything else).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from emulator.app import create_app
from emulator.core import ratelimit
from emulator.core.faults import faults_of
from emulator.core.journal import journal_of, render
from emulator.core.pipeline import PageStep, Pipeline, RequestPath
from emulator.core.tenantcall import call_of
from emulator.core.env import VERIFY_ENV
from tests.conftest import Switch

LIST_QUERY = "_filter=" + quote("isActive eq true") + "&_sort=-dateEdited,courseName&_limit=5"


@pytest.fixture(autouse=True)
def _no_verify(switch: Switch) -> None:
    switch(VERIFY_ENV, "0")  # verify mode never hits the cache: every page would be computed


def pipeline_of(app: Flask) -> Pipeline:
    found = app.before_request_funcs[None][0].__self__  # type: ignore[attr-defined]
    assert isinstance(found, Pipeline)
    return found


def fast_pages(app: Flask) -> PageStep | None:
    page = pipeline_of(app).page
    assert page is None or page in pipeline_of(app).front  # a step of the one list
    return page


def request_path(app: Flask) -> RequestPath:
    layer: Any = app.wsgi_app
    while not isinstance(layer, RequestPath):
        layer = layer.app
    return layer


class Both:
    """Sends a request through the fast path and through Flask alone, and compares what came back."""

    def __init__(self, app: Flask) -> None:
        self.app, self.fast = app, fast_pages(app)
        assert self.fast is not None
        self.flask_calls = 0
        front = request_path(app)
        inner = front.app

        def counted(environ: dict[str, Any], start_response: Any) -> Any:
            self.flask_calls += 1
            return inner(environ, start_response)

        front.app = counted
        client = app.test_client()
        self.tenant = app.state.store.tenants["default"]
        client.post("/_emulator/tenants/default/clock/freeze", json={"at": "2030-01-02T03:04:05Z"})
        creds = client.get("/_emulator/tenants/default").get_json()["absorb"]
        self.key = creds["apiKey"]
        self.admin, self.learner = creds["admin"], creds["learners"][0]
        self.admin_token = self.login(self.admin)
        self.learner_token = self.login(self.learner)

    def login(self, who: dict[str, Any]) -> str:
        answer = self.app.test_client().post("/absorb/authenticate", headers={"x-api-key": self.key}, json={
            "username": who["username"], "password": who["password"], "privateKey": self.key})
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    def headers(self, token: str | None = None, **extra: str) -> dict[str, str]:
        return {"x-api-key": self.key, "x-api-version": "2", "Authorization": f"Bearer {token or self.admin_token}",
                **extra}

    def send(self, path: str, headers: dict[str, str], method: str = "GET", fast: bool = True,
             **kwargs: Any) -> tuple[Any, ...]:
        assert self.fast is not None
        environ = EnvironBuilder(path=path, method=method, headers=headers, **kwargs).get_environ()
        self.fast.on = fast
        journal = journal_of(self.tenant)
        before, calls = len(journal.entries), self.flask_calls
        try:
            got: dict[str, Any] = {}
            body = b"".join(self.app.wsgi_app(environ, lambda s, h, e=None: got.update(status=s, headers=h)))
        finally:
            self.fast.on = True
        entries = list(journal.entries)
        assert len(entries) in (before + 1, journal.entries.maxlen)  # one entry per request
        entry = {k: v for k, v in render(dict(entries[-1])).items() if k not in ("seq", "durationMs")}
        return got["status"], list(got["headers"]), body, entry, self.flask_calls == calls

    def compare(self, path: str, headers: dict[str, str], *, answered: bool | None, miss: bool = False,
                **kwargs: Any) -> tuple[Any, ...]:
        """Send both ways (the Flask path first: it fills the cache a first request would miss); equal results.
        ``answered``: whether the fast path must have answered without Flask (None: exactly when Flask's answer
        is a 200); ``miss``: the page cache emptied in between, so that the fast path computes the page."""
        slow = self.send(path, headers, fast=False, **kwargs)
        if miss:
            self.tenant.world("absorb").pages.clear()
        quick = self.send(path, headers, fast=True, **kwargs)
        assert quick[:4] == slow[:4]
        if answered is None:
            answered = slow[0] == "200 OK"
        assert quick[4] is answered, "fast path answered" if quick[4] else "fast path fell back"
        assert slow[4] is False
        return quick


@pytest.fixture
def both() -> Iterator[Both]:
    yield Both(create_app({"seed": 42}))


def list_path(both: Both, user: str | None = None) -> str:
    return f"/absorb/users/{user or both.learner['userId']}/enrollments?{LIST_QUERY}"


def test_a_cached_list_is_answered_alike(both: Both) -> None:
    status, headers, body, entry, _ = both.compare(list_path(both), both.headers(), answered=True)
    assert status == "200 OK" and body.startswith(b"{")
    assert [name for name, _ in headers] == ["Content-Type", "Content-Length"]
    assert entry["status"] == 200 and entry["tenant"] == "default" and entry["headers"]["Authorization"] == "Bearer ***"
    both.compare("/absorb/users?_limit=3", both.headers(), answered=True)
    both.compare("/absorb/roles", both.headers(), answered=True)
    both.compare(list_path(both), both.headers(**{"x-api-version": ""}), answered=True)
    raw = dict(both.headers(), Authorization=both.admin_token)  # the raw token, as real v2 clients send it
    both.compare(list_path(both), raw, answered=True)
    no_version = {k: v for k, v in both.headers().items() if k != "x-api-version"}
    both.compare(list_path(both), no_version, answered=True)


def test_cors_grants_alike() -> None:
    for origins in ("*", "http://app.test"):
        case = Both(create_app({"seed": 42, "cors_origins": origins}))
        _, headers, *_ = case.compare(list_path(case), case.headers(Origin="http://app.test"), answered=True)
        assert ("Access-Control-Allow-Origin", "*" if origins == "*" else "http://app.test") in headers
        assert (("Vary", "Origin") in headers) is (origins != "*")
        _, headers, *_ = case.compare(list_path(case), case.headers(Origin="http://other.test"), answered=True)
        assert any(n == "Access-Control-Allow-Origin" for n, _ in headers) is (origins == "*")
    case = Both(create_app({"seed": 42, "cors_origins": ""}))  # CORS off
    _, headers, *_ = case.compare(list_path(case), case.headers(Origin="http://app.test"), answered=True)
    assert not any(n.startswith("Access-Control") for n, _ in headers)


def test_casefolded_path_and_query_names(both: Both) -> None:
    user = both.learner["userId"].upper()
    path = f"/absorb/Users/{user}/Enrollments?{LIST_QUERY.replace('_filter', '_Filter').replace('_limit', '_LIMIT')}"
    _, _, body, entry, _ = both.compare(path, both.headers(), answered=True)
    assert entry["path"] == path.partition("?")[0]  # the journal shows the path as sent
    assert body == both.send(list_path(both), both.headers())[2]


def test_bad_credentials_are_flasks(both: Both) -> None:
    path = list_path(both)
    both.compare(path, both.headers(), answered=True)  # cached
    assert both.compare(path, both.headers(**{"x-api-key": "nope"}), answered=False)[0].startswith("401")
    assert both.compare(path, both.headers(**{"x-api-version": "3"}), answered=False)[0].startswith("400")
    assert both.compare(path, both.headers(token="not-a-token"), answered=False)[0].startswith("401")
    # the same value twice counts once: one rule (absorb.auth.credentials) for both paths
    assert both.compare(path, both.headers(**{"x-api-version": "2, 2"}), answered=True)[0].startswith("200")
    assert both.compare(path, dict(both.headers(), Authorization="Basic"), answered=False)[0].startswith("401")
    # a learner: the my-enrollments route is theirs, the users list is not
    assert both.compare("/absorb/users?_limit=3", both.headers(token=both.learner_token),
                        answered=False)[0].startswith("403")
    mine = "/absorb/my-enrollments?_limit=3"  # the learner's own routes: the same caller rule lets them in
    assert both.compare(mine, both.headers(token=both.learner_token), answered=True)[0].startswith("200")
    assert both.compare(mine, both.headers(token=both.learner_token), answered=True, miss=True)[0].startswith("200")


def test_a_revoked_token_and_an_expired_one(both: Both) -> None:
    path = list_path(both)
    old = both.admin_token
    both.compare(path, both.headers(token=old), answered=True)
    both.admin_token = both.login(both.admin)  # authenticating again revokes the previous token
    status, _, _, entry, _ = both.compare(path, both.headers(token=old), answered=False)
    assert status.startswith("401") and entry["status"] == 401
    both.compare(path, both.headers(), answered=True)  # the new token reads the same cached page
    client = both.app.test_client()
    client.post("/_emulator/tenants/default/clock/advance", json={"duration": "PT3H59M59S"})
    both.compare(path, both.headers(), answered=True)
    client.post("/_emulator/tenants/default/clock/advance", json={"seconds": 1})  # expiry is inclusive
    assert both.compare(path, both.headers(), answered=False)[0].startswith("401")


def test_fault_rules_and_rate_limits_leave_it_to_flask(both: Both) -> None:
    path = list_path(both)
    both.compare(path, both.headers(), answered=True)
    rules = faults_of(both.tenant, create=True)
    assert rules is not None
    rule = rules.add({"path": "/absorb/elsewhere", "status": 500}, ["absorb"])  # not this path: still Flask's
    both.compare(path, both.headers(), answered=False)
    rules.remove(rule.id)
    rule = rules.add({"path": "/absorb/users/*/enrollments", "status": 503}, ["absorb"])
    status, _, _, entry, _ = both.compare(path, both.headers(), answered=False)
    assert status.startswith("503") and entry["fault"] == rule.id
    rules.remove(rule.id)
    rule = rules.add({"path": "/absorb/users/*/enrollments", "delayMs": 1}, ["absorb"])  # latency only
    status, _, _, entry, _ = both.compare(path, both.headers(), answered=False)
    assert status.startswith("200") and entry["fault"] == rule.id
    rules.clear()
    both.compare(path, both.headers(), answered=True)
    ratelimit.enable(both.tenant, "absorb", 1, 100)  # the frozen clock refills nothing: 100 calls, then 429s
    assert both.compare(path, both.headers(), answered=False)[0].startswith("200")
    ratelimit.enable(both.tenant, "absorb", 1, 1)
    both.send(path, both.headers(), fast=False)  # the burst spent
    status, _, _, entry, _ = both.compare(path, both.headers(), answered=False)
    assert status.startswith("429") and entry["rateLimited"] is True
    ratelimit.disable(both.tenant)
    both.compare(path, both.headers(), answered=True)


def test_unusual_requests_are_flasks(both: Both) -> None:
    path = list_path(both)
    both.compare(path, both.headers(), answered=True)
    assert both.compare(path, both.headers(), answered=False, method="HEAD")[0].startswith("200")
    assert both.compare(path, both.headers(), answered=False, data=b"{}")[0].startswith("200")  # a GET with a body
    assert both.compare(path, both.headers(Host="evil.example"), answered=False)[0].startswith("403")
    assert both.compare(path, both.headers(Host="localhost:18400"), answered=True)[0].startswith("200")
    assert both.compare("/absorb/users/nope/enrollments", both.headers(), answered=False)[0].startswith("404")
    # a write clears the pages: the next read is Flask's (a miss), the one after it the fast path's again
    course = next(c for c in both.app.test_client().get("/_emulator/tenants/default/data.json").get_json()[
        "absorb"]["courses"] if not c["multiSession"])
    both.send(f"/absorb/users/{both.learner['userId']}/enrollments/{course['id']}?reEnroll=true", both.headers(),
              method="POST")
    assert both.send(path, both.headers())[4] is True  # a miss: computed without Flask
    both.compare(path, both.headers(), answered=True)


def test_not_installed_when_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    assert fast_pages(create_app({"seed": 42, "strict": True})) is None
    assert fast_pages(create_app({"seed": 42, "state_file": str(tmp_path / "state.pickle")})) is None
    assert fast_pages(create_app({"seed": 42, "fast_pages": False})) is None
    monkeypatch.setenv("LMS_EMULATOR_FAST_PAGES", "0")  # through Settings, as every switch
    assert fast_pages(create_app({"seed": 42})) is None


def test_verify_mode_computes_every_page_and_still_catches_a_stale_one(switch: Switch) -> None:
    switch(VERIFY_ENV, "1")
    case = Both(create_app({"seed": 42}))
    path = f"/absorb/users/{case.learner['userId']}/enrollments"
    case.compare(path, case.headers(), answered=True)  # never a hit: computed, and compared
    world = case.tenant.world("absorb")
    enrollment = world.enrollments[next(iter(world.by_user[case.learner["userId"]]))]
    enrollment.progress = 12.5  # a write that does not announce itself (world.changed)
    status, _, body, entry, fast_answered = case.send(path, case.headers())
    assert status.startswith("500") and b"StalePage" in body and entry["status"] == 500 and not fast_answered


# -- a miss: the page computed without Flask ---------------------------------------------------------------

QUERIES = [
    "", "_limit=3", "_limit=2&_offset=1", "_offset=65535", "_sort=-dateEdited,courseName&_limit=4", "_sort=-id",
    "_filter=" + quote("isActive eq true and progress ge 0"), "_filter=" + quote("startswith(name,'A')"),
    "_Filter=" + quote("id ne null") + "&_SORT=-id", "%5Flimit=2",  # folded names, encoded names
    "status=0", "status=2&modifiedSince=2020-01-01T00:00:00Z", "limit=3&offset=1", "_limit=2&limit=5",
    "_limit=1&_limit=2", "cachebuster=123&_limit=2", "_limit=+3",
    # refused: Flask answers them (a 4xx in the vendor's shape)
    "_filter=" + quote("nope eq 1"), "_sort=nope", "_sort=", "_filter=", "_limit=0", "_limit=x", "_offset=-1",
    "_filter=" + quote("progress ge"), "status=99", "modifiedSince=yesterday",
]


def list_paths(both: Both) -> list[str]:
    """One path per paged list route, with ids from the seeded world (lessons and sessions that have
    enrollments, so that the pages are not empty)."""
    data = both.app.test_client().get("/_emulator/tenants/default/data.json").get_json()["absorb"]
    course = data["enrollments"][0]["courseId"]
    session = next(s for s in data["sessions"] if any(e["sessionId"] == s["id"] for e in data["sessionEnrollments"]))
    lesson = next(le for le in data["lessons"] if any(e["lessonId"] == le["id"] for e in data["lessonEnrollments"]))
    country = data["countries"][0]["id"]
    department = data["departments"][0]
    return [
        f"/absorb/users/{both.learner['userId']}/enrollments", f"/absorb/courses/{course}/enrollments",
        "/absorb/my-enrollments", f"/absorb/courses/{session['courseId']}/sessions/{session['id']}/enrollments",
        f"/absorb/courses/{lesson['courseId']}/lessons/{lesson['id']}/enrollments",
        "/absorb/users", "/absorb/courses", "/absorb/departments",
        "/absorb/departments?departmentName=" + quote(department["name"]), "/absorb/groups", "/absorb/roles",
        "/absorb/countries", "/absorb/provinces", f"/absorb/provinces?countryId={country}",
        f"/absorb/users/{both.learner['userId']}/courses",
    ]


def with_query(path: str, query: str) -> str:
    if not query:
        return path
    return path + ("&" if "?" in path else "?") + query


def test_every_paged_list_computes_a_miss_alike(both: Both) -> None:
    """Every paged list route, every kind of query: a page computed without Flask, answered as Flask answers;
    a query Flask refuses, or an answer Flask would give otherwise, is left to Flask."""
    answered = refused = 0
    for path in list_paths(both):
        for query in QUERIES:
            status, _, _, entry, _ = both.compare(with_query(path, query), both.headers(), answered=None, miss=True)
            assert status == "200 OK" or status.startswith(("400", "422")), (path, query, status)
            answered, refused = answered + (status == "200 OK"), refused + (status != "200 OK")
    assert answered > 200 and refused > 100


def test_a_miss_that_fails_is_flasks(both: Both) -> None:
    """An unknown id, a bad parameter of the route, a route that is not a paged list: Flask answers, in the
    vendor's shape, and nothing is cached."""
    pages = both.tenant.world("absorb").pages
    assert both.compare("/absorb/users/00000000-0000-0000-0000-000000000001/enrollments", both.headers(),
                        answered=False, miss=True)[0].startswith("404")
    assert both.compare("/absorb/provinces?countryId=nope", both.headers(), answered=False,
                        miss=True)[0].startswith("400")
    assert both.compare("/absorb/users/", both.headers(), answered=None, miss=True)[0] == "200 OK"  # as Flask routes
    assert both.compare("/absorb/users//x", both.headers(), answered=False, miss=True)[0].startswith(("308", "404"))
    assert both.compare("/absorb/nothing-here", both.headers(), answered=False, miss=True)[0].startswith("404")
    one = f"/absorb/users/{both.learner['userId']}"  # a GET that is no list: Flask's
    assert both.compare(one, both.headers(), answered=False, miss=True)[0].startswith("200")
    assert len(pages) == 0
def test_a_miss_after_a_reset_is_flasks(both: Both) -> None:
    """A reset between the checks and the lock swaps the world: the checked token belongs to the old one."""
    fast = both.fast
    assert fast is not None
    environ = EnvironBuilder(path=list_path(both), headers=both.headers()).get_environ()
    path, query = environ["PATH_INFO"], environ["QUERY_STRING"]
    route = fast.route(path)
    assert route is not None
    view, path_args = route
    call = call_of(view)
    assert call is not None and call.access.page is not None
    tenant, found = call.access.credentials(environ, both.app.state.store)
    world = tenant.world("absorb")
    world.pages.clear()
    admitted = call.access.caller(world, found, tenant.clock.now(), environ, call.options, path_args)
    page = call.access.page(tenant, world, admitted, view, path_args, path, query)
    assert callable(page)
    both.app.test_client().post("/_emulator/tenants/default/reset")
    assert page() is None
