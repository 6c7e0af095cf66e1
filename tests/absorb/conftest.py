"""Fixtures for Absorb tests: an app per test, and a client that checks every body against schemas/absorb."""
from __future__ import annotations

from typing import Any

import pytest

from emulator.core import contract


class AbsorbApi:
    """Calls ``/absorb`` through the Flask test client; every JSON body is validated against its schema."""

    def __init__(self, app: Any, tenant: Any) -> None:
        self.app, self.tenant = app, tenant
        self.world = tenant.world("absorb")
        self.client = app.test_client()
        self.headers = {"x-api-key": self.world.api_key, "x-api-version": "2"}

    # -- credentials ------------------------------------------------------------------------------
    def token(self, username: str = "admin", password: str | None = None) -> str:
        user = self.user_named(username)
        resp = self.client.post("/absorb/authenticate", headers=self.headers,
                                json={"username": username, "password": password or user.password,
                                      "privateKey": self.world.api_key})
        assert resp.status_code == 200, resp.get_json()
        contract.validate("absorb", "token", resp.get_json())
        return resp.get_json()

    def login(self, username: str = "admin") -> "AbsorbApi":
        self.headers["Authorization"] = f"Bearer {self.token(username)}"
        return self

    def user_named(self, username: str) -> Any:
        return self.world.users[self.world.users_by_name[username]]

    # -- calls ---------------------------------------------------------------------------------------
    def call(self, method: str, path: str, schema: str | None = None, *, status: int | None = None,
             headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        merged = dict(self.headers)
        merged.update(headers or {})
        merged = {k: v for k, v in merged.items() if v is not None}  # None: leave the header out
        resp = self.client.open("/absorb" + path, method=method, headers=merged, **kwargs)
        if status is not None:
            assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True))
        body = resp.get_json(silent=True)
        if resp.status_code >= 400:
            contract.validate("absorb", "error", body)
            assert "Traceback" not in resp.get_data(as_text=True)
        elif schema is not None:
            contract.validate("absorb", schema, body)
        resp.body = body
        return resp

    def get(self, path: str, schema: str | None = None, **kw: Any) -> Any:
        return self.call("GET", path, schema, **kw)

    def post(self, path: str, schema: str | None = None, **kw: Any) -> Any:
        return self.call("POST", path, schema, **kw)

    def put(self, path: str, schema: str | None = None, **kw: Any) -> Any:
        return self.call("PUT", path, schema, **kw)

    # -- world lookups (ids for the tests, never used to check results) --------------------------------
    def learners(self) -> list[Any]:
        return [u for u in self.world.users.values() if not u.is_admin]

    def online_course(self, not_enrolled_by: str | None = None) -> Any:
        return next(c for c in self.world.courses.values()
                    if not c.is_ilc and (not_enrolled_by is None or (not_enrolled_by, c.id) not in self.world.active))

    def ilc(self, not_enrolled_by: str | None = None, *, multi: bool = False) -> Any:
        return next(c for c in self.world.courses.values()
                    if c.is_ilc and c.multi_session == multi
                    and (not_enrolled_by is None or (not_enrolled_by, c.id) not in self.world.active))


@pytest.fixture
def api(app: Any, tenant: Any) -> AbsorbApi:
    return AbsorbApi(app, tenant).login("admin")


@pytest.fixture
def anon(app: Any, tenant: Any) -> AbsorbApi:
    return AbsorbApi(app, tenant)
