"""The call step (``core.pipeline.CallStep``) answers exactly what Flask's own routing answers.

Two apps of the same seed, their tenant clocks frozen at the same instant, get the same requests in the same
order: one through the call step, one with it switched off (Flask's ``wsgi_app``, which binds a URL adapter and
matches the path itself). The answers (status, headers in order, body) and the journal entries (every field but
``seq`` and ``durationMs``) must be equal, tokens aside (each app issues its own: they are replaced by a
placeholder). Each case also says whether the call step took it (a routed vendor call) or left it to Flask.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from emulator.app import create_app
from emulator.core.journal import journal_of, render
from emulator.core.pipeline import CallStep, Pipeline

FROZEN = "2030-01-02T03:04:05Z"


def pipeline_of(app: Flask) -> Pipeline:
    found = app.before_request_funcs[None][0].__self__  # type: ignore[attr-defined]
    assert isinstance(found, Pipeline)
    return found


class Side:
    """One app: its credentials, and what the call step and Flask's ``wsgi_app`` each answered."""

    def __init__(self, call_step: bool) -> None:
        self.app = create_app({"seed": 42})
        self.call: CallStep = pipeline_of(self.app).call
        self.call.on = call_step
        self.flask_calls = 0
        inner = self.call.flask_wsgi

        def counted(environ: dict[str, Any], start_response: Any) -> Any:
            self.flask_calls += 1
            return inner(environ, start_response)

        self.call.flask_wsgi = counted
        client = self.app.test_client()
        assert client.post("/_emulator/tenants/default/clock/freeze", json={"at": FROZEN}).status_code == 200
        self.tenant = self.app.state.store.tenants["default"]
        creds = client.get("/_emulator/tenants/default").get_json()
        self.creds = creds
        absorb = creds["absorb"]
        self.key = absorb["apiKey"]
        self.learner_id = absorb["learners"][0]["userId"]
        self.tokens: dict[str, str] = {}
        for name, who in (("admin", absorb["admin"]), ("learner", absorb["learners"][0])):
            answer = client.post("/absorb/authenticate", headers={"x-api-key": self.key}, json={
                "username": who["username"], "password": who["password"], "privateKey": self.key})
            assert answer.status_code == 200, answer.get_json()
            self.tokens[name] = answer.get_json()
        ispring = creds["ispring"]
        owner = next(c for c in ispring["clients"] if c["name"] == "owner")
        self.tokens["ispring"] = client.post(
            "/ispring/api/v3/token", headers={"X-Auth-Account-Url": ispring["accountUrl"]},
            data={"client_id": owner["clientId"], "client_secret": owner["clientSecret"],
                  "grant_type": "client_credentials"}).get_json()["access_token"]
        student = next(u for u in creds["pearson"]["users"] if "Student" in u["roles"])
        self.student = student["id"]
        self.tokens["pearson"] = client.post("/_emulator/tenants/default/pearson/tokens",
                                             json={"userId": student["id"]}).get_json()["token"]

    def send(self, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> tuple[Any, ...]:
        environ = EnvironBuilder(path=path, method=method, headers=headers, **kwargs).get_environ()
        journal = journal_of(self.tenant)
        before, calls = len(journal.entries), self.flask_calls
        got: dict[str, Any] = {}
        body = b"".join(self.app(environ, lambda s, h, e=None: got.update(status=s, headers=h)))
        entries = list(journal.entries)
        entry = None
        if len(entries) > before:
            entry = {k: v for k, v in render(dict(entries[-1])).items() if k not in ("seq", "durationMs")}
        return self.plain((got["status"], list(got["headers"]), body, entry)), self.flask_calls == calls

    def plain(self, value: Any) -> Any:
        """``value`` with this app's tokens replaced by a placeholder (the other app issued its own)."""
        text = json.dumps(value, default=lambda b: b.decode("latin-1"), sort_keys=True)
        for name, token in self.tokens.items():
            text = text.replace(token, f"<{name} token>")
        return json.loads(text)


@pytest.fixture(scope="module")
def sides() -> tuple[Side, Side]:
    return Side(call_step=True), Side(call_step=False)


def _absorb(side: Side, who: str = "admin", **extra: str) -> dict[str, str]:
    return {"x-api-key": side.key, "x-api-version": "2", "Authorization": f"Bearer {side.tokens[who]}", **extra}


def _ispring(side: Side, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {side.tokens['ispring']}", "Accept": "application/json",
            "X-Auth-Account-Url": side.creds["ispring"]["accountUrl"], **extra}


def _pearson(side: Side) -> dict[str, str]:
    return {"Authorization": f"Bearer {side.tokens['pearson']}"}


def _course(side: Side) -> str:
    data = side.app.test_client().get("/_emulator/tenants/default/data.json").get_json()["absorb"]
    active = {e["courseId"] for e in data["enrollments"] if e["userId"] == side.learner_id and e["isActive"]}
    return next(c["id"] for c in data["courses"] if c["courseType"] != "InstructorLedCourse"
                and not c["multiSession"] and not c["sessionIds"] and c["id"] not in active)


def compare(sides: tuple[Side, Side], method: str, path: Any, headers: Any, *, taken: bool, page: bool = False,
            **kwargs: Any) -> Any:
    """The same request to both apps (``path``/``headers``: functions of the side); equal answers and journal
    entries; ``taken``: whether the call step answered it (else Flask's ``wsgi_app`` did, on both sides);
    ``page``: the page step, in front of both, answers it."""
    lean, flask = sides
    ours, ours_taken = lean.send(method, path(lean), headers(lean), **kwargs)
    theirs, theirs_taken = flask.send(method, path(flask), headers(flask), **kwargs)
    assert ours == theirs
    assert ours_taken is taken, "the call step took it" if ours_taken else "the call step left it to Flask"
    assert theirs_taken is page
    return ours


def test_enroll_and_unenroll_with_every_error_shape(sides: tuple[Side, Side]) -> None:
    course = _course(sides[0])
    assert course == _course(sides[1])
    enroll = lambda s: f"/absorb/users/{s.learner_id}/enrollments/{course}"  # noqa: E731
    created = compare(sides, "POST", enroll, _absorb, taken=True)
    assert created[0].startswith("201")
    enrollment = json.loads(created[2])["enrollmentId"]
    compare(sides, "POST", enroll, _absorb, taken=True)  # already enrolled: Absorb's answer, whatever it is
    compare(sides, "POST", lambda s: enroll(s) + "?reEnroll=true", _absorb, taken=True)
    unenroll = lambda s: "/absorb/enrollments/unenroll"  # noqa: E731
    for body in (["0" * 36], [], {"id": 1}, [1], "[", b"\xff\xfe"):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        answer = compare(sides, "POST", unenroll, _absorb, taken=True, data=data, content_type="application/json")
        assert answer[0][:1] == "4"
    compare(sides, "POST", unenroll, _absorb, taken=True, data="[]", content_type="text/plain")
    compare(sides, "POST", unenroll, lambda s: _absorb(s, "learner"), taken=True, json=[enrollment])  # 403
    compare(sides, "POST", unenroll, lambda s: {"x-api-key": s.key}, taken=True, json=[enrollment])  # 401
    compare(sides, "POST", unenroll, lambda s: _absorb(s, **{"x-api-version": "3"}), taken=True, json=[enrollment])
    gone = compare(sides, "POST", unenroll, _absorb, taken=True, json=[enrollment])
    assert gone[0].startswith("204") and gone[2] == ""


def test_case_insensitive_paths_reads_and_what_flask_keeps(sides: tuple[Side, Side]) -> None:
    course = _course(sides[0])
    loud = lambda s: f"/absorb/USERS/{s.learner_id.upper()}/Enrollments/{course}"  # noqa: E731
    assert compare(sides, "POST", loud, _absorb, taken=True)[0].startswith("201")
    one = lambda s: f"/absorb/users/{s.learner_id}/enrollments/{course}"  # noqa: E731
    assert compare(sides, "GET", one, _absorb, taken=True)[0].startswith("200")
    compare(sides, "HEAD", one, _absorb, taken=True)
    listed = lambda s: f"/absorb/users/{s.learner_id}/enrollments?_filter=progress%20ge%200&_limit=3"  # noqa: E731
    compare(sides, "GET", listed, _absorb, taken=True, page=True)  # the page step answers it, on both sides
    compare(sides, "OPTIONS", one, _absorb, taken=False)  # Flask's automatic answer
    compare(sides, "DELETE", one, _absorb, taken=False)  # a method the route has not: Flask's 405
    compare(sides, "GET", lambda s: "/absorb/no-such-route", _absorb, taken=False)  # Flask's 404 (a stub's)
    compare(sides, "GET", lambda s: "/absorb/users//x", _absorb, taken=False)  # a redirect of Flask's
    compare(sides, "GET", lambda s: "/absorb/users/\u00e9", _absorb, taken=False)  # not ASCII
    compare(sides, "GET", lambda s: "/_emulator/tenants/nope", lambda s: {}, taken=False)  # the admin API


def test_ispring_and_pearson_calls(sides: tuple[Side, Side]) -> None:
    made = compare(sides, "POST", lambda s: "/ispring/department", _ispring, taken=True,
                   json={"name": "Call step", "parentDepartmentId": None})
    assert made[0][:1] in "24"
    compare(sides, "POST", lambda s: "/ispring/department", lambda s: _ispring(s, Authorization="Bearer nope"),
            taken=True, json={"name": "Call step"})
    compare(sides, "GET", lambda s: "/ispring/department", _ispring, taken=True)
    compare(sides, "GET", lambda s: f"/pearson/users/{s.student}/sessions", _pearson, taken=True)
    compare(sides, "GET", lambda s: f"/pearson/users/{s.student}/sessions", lambda s: {}, taken=True)
