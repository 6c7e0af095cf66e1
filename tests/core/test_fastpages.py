"""``core.pipeline.FastPages`` answers exactly what the Flask path answers.

Every request is sent twice to the same app, through the fast path and with it switched off, and the two
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
from emulator.core.pagecache import VERIFY_ENV
from emulator.core.pipeline import NO_FAST_PAGES_ENV, FastPages

LIST_QUERY = "_filter=" + quote("isActive eq true") + "&_sort=-dateEdited,courseName&_limit=5"


@pytest.fixture(autouse=True)
def _no_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VERIFY_ENV, "0")  # verify mode never hits the cache: the fast path would never answer


def fast_pages(app: Flask) -> FastPages | None:
    layer: Any = app.wsgi_app
    while layer is not None and not isinstance(layer, FastPages):
        layer = getattr(layer, "app", None)
    return layer


class Both:
    """Sends a request through the fast path and through Flask alone, and compares what came back."""

    def __init__(self, app: Flask) -> None:
        self.app, self.fast = app, fast_pages(app)
        assert self.fast is not None
        self.flask_calls = 0
        inner = self.fast.app

        def counted(environ: dict[str, Any], start_response: Any) -> Any:
            self.flask_calls += 1
            return inner(environ, start_response)

        self.fast.app = counted
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
        hooks = self.fast.hooks
        if not fast:
            self.fast.hooks = {}
        journal = journal_of(self.tenant)
        before, calls = len(journal.entries), self.flask_calls
        try:
            got: dict[str, Any] = {}
            body = b"".join(self.app.wsgi_app(environ, lambda s, h, e=None: got.update(status=s, headers=h)))
        finally:
            self.fast.hooks = hooks
        entries = list(journal.entries)
        assert len(entries) in (before + 1, journal.entries.maxlen)  # one entry per request
        entry = {k: v for k, v in render(dict(entries[-1])).items() if k not in ("seq", "durationMs")}
        return got["status"], list(got["headers"]), body, entry, self.flask_calls == calls

    def compare(self, path: str, headers: dict[str, str], *, answered: bool, **kwargs: Any) -> tuple[Any, ...]:
        """Send both ways (the Flask path first: it fills the cache a first request would miss); equal results.
        ``answered``: whether the fast path must have answered without Flask."""
        slow = self.send(path, headers, fast=False, **kwargs)
        quick = self.send(path, headers, fast=True, **kwargs)
        assert quick[:4] == slow[:4]
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
    assert both.compare(path, both.headers(**{"x-api-version": "2, 2"}), answered=False)[0].startswith("200")
    assert both.compare(path, dict(both.headers(), Authorization="Basic"), answered=False)[0].startswith("401")
    # a learner: the my-enrollments route is theirs, the users list is not
    assert both.compare("/absorb/users?_limit=3", both.headers(token=both.learner_token),
                        answered=False)[0].startswith("403")
    mine = "/absorb/my-enrollments?_limit=3"
    both.compare(mine, both.headers(token=both.learner_token), answered=False)
    assert both.compare(mine, both.headers(token=both.learner_token), answered=False)[0].startswith("200")


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
    assert both.send(path, both.headers())[4] is False
    both.compare(path, both.headers(), answered=True)


def test_not_installed_when_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    assert fast_pages(create_app({"seed": 42, "strict": True})) is None
    assert fast_pages(create_app({"seed": 42, "state_file": str(tmp_path / "state.pickle")})) is None
    monkeypatch.setenv(NO_FAST_PAGES_ENV, "1")
    assert fast_pages(create_app({"seed": 42})) is None


def test_verify_mode_never_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VERIFY_ENV, "1")
    case = Both(create_app({"seed": 42}))
    case.compare(list_path(case), case.headers(), answered=False)
