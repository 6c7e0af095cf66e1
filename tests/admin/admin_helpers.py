"""Helpers shared by the admin tests (Absorb authentication, picking a learner and a course)."""
from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient


def absorb_headers(client: FlaskClient, info: dict[str, Any], username: str = "admin",
                   password: str = "admin") -> dict[str, str]:
    """x-api-key, x-api-version and a fresh Bearer token for the tenant's Absorb portal."""
    key = info["absorb"]["apiKey"]
    headers = {"x-api-key": key, "x-api-version": "2"}
    resp = client.post("/absorb/authenticate", json={"username": username, "password": password, "privateKey": key},
                       headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return {**headers, "Authorization": f"Bearer {resp.get_json()}"}


def learner_and_course(client: FlaskClient, tenant_id: str) -> tuple[str, str]:
    """A learner and an online course they are not enrolled in (from data.json)."""
    data = client.get(f"/_emulator/tenants/{tenant_id}/data.json").get_json()["absorb"]
    enrolled = {(e["userId"], e["courseId"]) for e in data["enrollments"] if e["isActive"]}
    learners = [u["id"] for u in data["users"] if not u["isAdmin"]]
    courses = [c["id"] for c in data["courses"] if c["courseType"] == "OnlineCourse"]
    return next((u, c) for u in learners for c in courses if (u, c) not in enrolled)
