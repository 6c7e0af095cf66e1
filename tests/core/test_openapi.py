"""OpenAPI documents, CORS and strict mode (issue 7)."""
from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate

from emulator.app import create_app
from emulator.cli import main
from emulator.core.strict import HEADER


@pytest.fixture(scope="module")
def app():
    return create_app({"seed": 42})


def vendors(app):
    return sorted(app.state.vendors)


def test_every_vendor_document_is_valid_openapi_3_1(app):
    client = app.test_client()
    for name in vendors(app):
        resp = client.get(f"/{name}/openapi.json")
        assert resp.status_code == 200
        doc = resp.get_json()
        validate(doc)
        assert doc["openapi"] == "3.1.0" and doc["paths"]
        for path, methods in doc["paths"].items():
            for method, op in methods.items():
                assert op["responses"], (path, method)
                assert any(code.startswith("2") for code in op["responses"])
                assert any(code.startswith("4") for code in op["responses"]), (path, method)


def test_absorb_document_has_every_operation_of_the_seed(app):
    doc = app.test_client().get("/absorb/openapi.json").get_json()
    operations = [op for methods in doc["paths"].values() for op in methods.values()]
    # 26 seed operations + authenticate + 5 on users + 2 departments + 2 courses + 8 reference + a user's courses
    # + issue 29's 42: OAuth (3), the learner's (4), certificates (3), direct reports, the catalogue (25),
    # resources and resource categories (6)
    # + issue 29's second half (branch i29b), 22: for-sale (3), bundles (2), coupons (2), transactions (2), enrollment
    # keys (2), custom-field definitions (2), competency and self-assessment (2), question banks (2), external
    # training (4), create-department
    # + issue 29's second half (branch i29a), 15: languages (2), course versions (2), prerequisites (3), course
    # evaluations (1), attendance (2), credits (2), messages (2), learning path (1)
    # + issue 29's last operations (branch i29c): a user's and an enrollment's resources (2), a manager's users,
    # curriculum groups (2)
    # + issue 29's last three (branch i29): create-absorb-account, session details, manager roles
    assert len(operations) == 109 + 15 + 5 + 3
    listing = doc["paths"]["/users/{user_id}/enrollments"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"_filter", "_sort", "_limit", "_offset", "status", "modifiedSince", "x-api-key", "x-api-version"} <= names
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert doc["components"]["securitySchemes"]["token"] == {**doc["components"]["securitySchemes"]["token"],
                                                             "type": "apiKey", "in": "header", "name": "Authorization"}
    version = next(p for p in listing["parameters"] if p["name"] == "x-api-version")
    assert version["required"] is False
    assert "username" in doc["info"]["description"] and "key" in doc["info"]["description"]


def test_cli_writes_the_document(capsys):
    assert main(["openapi", "absorb"]) == 0
    doc = json.loads(capsys.readouterr().out)
    validate(doc)


def test_cors_preflight_allows_every_vendor_header(app):
    resp = app.test_client().options("/absorb/my-enrollments", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-api-key, x-api-version, authorization"})
    assert resp.status_code == 204
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    allowed = resp.headers["Access-Control-Allow-Headers"].lower()
    for header in ("x-api-key", "x-api-version", "authorization", "x-auth-account-url", "content-type"):
        assert header in allowed
    normal = app.test_client().get("/absorb/my-enrollments", headers={"Origin": "http://localhost:5173"})
    assert normal.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_origins_can_be_restricted():
    app = create_app({"cors_origins": "http://good.test", "default_tenant": False})
    client = app.test_client()
    good = client.options("/absorb/bulk/student-courses", headers={"Origin": "http://good.test",
                                                           "Access-Control-Request-Method": "GET"})
    assert good.headers["Access-Control-Allow-Origin"] == "http://good.test"
    bad = client.options("/absorb/bulk/student-courses", headers={"Origin": "http://evil.test",
                                                         "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in bad.headers


def _absorb(app):
    client = app.test_client()
    world = app.state.store.tenants["default"].world("absorb")
    headers = {"x-api-key": world.api_key, "x-api-version": "2"}
    token = client.post("/absorb/authenticate", headers=headers,
                        json={"username": "admin", "password": "admin", "privateKey": world.api_key}).get_json()
    headers["Authorization"] = f"Bearer {token}"
    return client, world, headers


def test_strict_mode_reports_undocumented_input_and_still_answers():
    app = create_app({"seed": 42, "strict": True})
    client, world, headers = _absorb(app)
    learner = next(u for u in world.users.values() if not u.is_admin)
    clean = client.get(f"/absorb/users/{learner.id}/enrollments?_limit=5", headers=headers)
    assert clean.status_code == 200 and HEADER not in clean.headers
    noisy = client.get(f"/absorb/users/{learner.id}/enrollments?_limit=5&pageSize=9", headers=headers)
    assert noisy.status_code == 200 and "pageSize" in noisy.headers[HEADER]
    course = next(c for c in world.courses.values() if not c.is_ilc)
    body = client.post(f"/absorb/users/{learner.id}/enrollments", headers=headers,
                       json={"courseId": course.id, "colour": "blue"})
    assert body.status_code == 201 and "colour" in body.headers[HEADER]
    journal = client.get("/_emulator/tenants/default/journal?method=POST&limit=1").get_json()
    entries = journal["entries"] if isinstance(journal, dict) else journal
    assert any("colour" in " ".join(e.get("contractViolations", [])) for e in entries)


def test_strict_mode_turns_a_broken_response_into_a_visible_500(monkeypatch):
    app = create_app({"seed": 42, "strict": True})
    client, world, headers = _absorb(app)
    from emulator.absorb.wire import schemas

    monkeypatch.setattr(schemas.USER_COURSE_ENROLLMENT, "dump", lambda obj: {"id": "not-a-guid"})
    world.wire_cache.clear()
    enrollment = next(iter(world.enrollments.values()))
    resp = client.get(f"/absorb/enrollments/{enrollment.id}", headers=headers)
    assert resp.status_code == 500
    assert resp.get_json()["error"] == "ContractViolation" and resp.get_json()["violations"]


def test_path_parameters_are_listed_in_path_order(app):
    """The document is the same in every process: path parameters follow the path, not a set's hash order."""
    client = app.test_client()
    for name in vendors(app):
        for path, methods in client.get(f"/{name}/openapi.json").get_json()["paths"].items():
            for op in methods.values():
                names = [p["name"] for p in op["parameters"] if p["in"] == "path"]
                assert names == re.findall(r"{(\w+)}", path), (name, path)
