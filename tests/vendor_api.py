"""One way for tests to call a vendor in process: ``VendorApi`` and a subclass per vendor.

Every answer is checked the same way: no traceback in it, and its JSON body valid against the vendor's
schema in ``schemas/`` (the route's schema on success, the vendor's ``error`` schema on 4xx/5xx). XML
answers (iSpring) are compared with their JSON twins by ``tests/ispring/test_xml.py`` instead.

- ``AbsorbApi``: the ``x-api-key`` headers and a token from ``POST /authenticate``
- ``ISpringApi``: client-credentials tokens and the ``X-Auth-Account-Url`` header
- ``PearsonApi``: a Bearer token (issued by the test, as the admin API would)
"""
from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from emulator.core import contract
from emulator.absorb.models import username_key


class VendorApi:
    """Calls ``prefix + path`` through a Flask test client with default headers (a ``None`` value leaves one out)."""

    vendor = ""
    prefix = ""

    def __init__(self, client: FlaskClient, headers: dict[str, str | None] | None = None) -> None:
        self.client = client
        self.headers: dict[str, str | None] = dict(headers or {})

    def call(self, method: str, path: str, schema: str | None = None, *, status: int | None = None,
             headers: dict[str, str | None] | None = None, **kwargs: Any) -> Any:
        """The response, checked; ``response.body`` is its JSON (None when it has none)."""
        merged = {**self.headers, **(headers or {})}
        sent = {k: v for k, v in merged.items() if v is not None}
        response = self.client.open(self.prefix + path, method=method, headers=sent, **kwargs)
        if status is not None:
            assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
        self.check(response, schema)
        response.body = response.get_json(silent=True)
        return response

    def check(self, response: Any, schema: str | None) -> None:
        """No traceback; the JSON body valid against ``schema`` (success) or the vendor's error schema."""
        assert "Traceback" not in response.get_data(as_text=True)
        if response.mimetype == "application/xml":
            return
        if response.status_code >= 400:
            contract.validate(self.vendor, "error", response.get_json(silent=True))
        elif schema is not None:
            contract.validate(self.vendor, schema, response.get_json(silent=True))

    def get(self, path: str, schema: str | None = None, **kw: Any) -> Any:
        return self.call("GET", path, schema, **kw)

    def post(self, path: str, schema: str | None = None, **kw: Any) -> Any:
        return self.call("POST", path, schema, **kw)

    def put(self, path: str, schema: str | None = None, **kw: Any) -> Any:
        return self.call("PUT", path, schema, **kw)


class AbsorbApi(VendorApi):
    """Absorb Integration API v2: ``x-api-key`` and ``x-api-version`` on every call, a token after ``login``.

    ``tenant`` and ``world`` are the in-process tenant and world (tests that pick ids from them); ``info`` the
    admin API's tenant answer (tests that make tenants through ``POST /_emulator/tenants``)."""

    vendor, prefix = "absorb", "/absorb"

    def __init__(self, client: FlaskClient, api_key: str, *, tenant: Any = None,
                 info: dict[str, Any] | None = None) -> None:
        super().__init__(client, {"x-api-key": api_key, "x-api-version": "2"})
        self.api_key, self.tenant, self.info = api_key, tenant, info
        self.world = tenant.world("absorb") if tenant is not None else None

    @classmethod
    def of_tenant(cls, app: Any, tenant: Any) -> AbsorbApi:
        return cls(app.test_client(), tenant.world("absorb").api_key, tenant=tenant)

    @classmethod
    def of_info(cls, client: FlaskClient, info: dict[str, Any]) -> AbsorbApi:
        return cls(client, info["absorb"]["apiKey"], info=info)

    # -- credentials ------------------------------------------------------------------------------
    def token(self, username: str = "admin", password: str | None = None) -> str:
        """A token from ``POST /authenticate``; the password defaults to the world's (or "admin")."""
        if password is None:
            password = self.user_named(username).password if self.world is not None else "admin"
        resp = self.post("/authenticate", "token", status=200,
                         json={"username": username, "password": password, "privateKey": self.api_key})
        return resp.body

    def login(self, username: str = "admin", password: str | None = None) -> AbsorbApi:
        self.headers["Authorization"] = f"Bearer {self.token(username, password)}"
        return self

    # -- world lookups (ids for the tests, never used to check results) --------------------------------
    def user_named(self, username: str) -> Any:
        return self.world.users[self.world.users_by_name[username_key(username)]]

    def learners(self) -> list[Any]:
        return [u for u in self.world.users.values() if not u.is_admin]

    def online_course(self, not_enrolled_by: str | None = None) -> Any:
        return next(c for c in self.world.courses.values()
                    if not c.is_ilc and (not_enrolled_by is None or (not_enrolled_by, c.id) not in self.world.active))

    def ilc(self, not_enrolled_by: str | None = None, *, multi: bool = False) -> Any:
        return next(c for c in self.world.courses.values()
                    if c.is_ilc and c.multi_session == multi
                    and (not_enrolled_by is None or (not_enrolled_by, c.id) not in self.world.active))

    @staticmethod
    def learner_and_course(client: FlaskClient, tenant_id: str) -> tuple[str, str]:
        """A learner and an online course they are not enrolled in, read from the admin API's data.json."""
        data = client.get(f"/_emulator/tenants/{tenant_id}/data.json").get_json()["absorb"]
        enrolled = {(e["userId"], e["courseId"]) for e in data["enrollments"] if e["isActive"]}
        learners = [u["id"] for u in data["users"] if not u["isAdmin"]]
        courses = [c["id"] for c in data["courses"] if c["courseType"] == "OnlineCourse"]
        return next((u, c) for u in learners for c in courses if (u, c) not in enrolled)


class ISpringApi(VendorApi):
    """iSpring Learn: a token per API client (``owner``, ``administrator``, ``learner``), JSON by default."""

    vendor, prefix = "ispring", "/ispring"
    ATTRIBUTES = "/performance-management/appraisal/session/{}/user/attributes/list"

    def __init__(self, client: FlaskClient, creds: dict[str, Any]) -> None:
        super().__init__(client, {"Accept": "application/json"})
        self.creds = creds

    def token(self, name: str = "owner", on: dict[str, Any] | None = None) -> str:
        """An access token from ``POST /api/v3/token`` for the named client (of ``on``'s credentials)."""
        chosen = next(c for c in (on or self.creds)["clients"] if c["name"] == name)
        resp = self.post("/api/v3/token", "token-response", status=200, headers={"Accept": None},
                         data={"client_id": chosen["clientId"], "client_secret": chosen["clientSecret"],
                               "grant_type": "client_credentials"})
        return resp.body["access_token"]

    def as_client(self, method: str, path: str, schema: str, who: str | None = "owner",
                  headers: dict[str, str | None] | None = None, **kwargs: Any) -> Any:
        """``call`` with the named client's token (``who=None``: no Authorization header)."""
        bearer = f"Bearer {self.token(who)}" if who else None
        return self.call(method, path, schema, headers={"Authorization": bearer, **(headers or {})}, **kwargs)

    def attributes(self, session_id: str, body: Any = None, who: str | None = "owner", *, raw: bytes | None = None,
                   **overrides: str | None) -> Any:
        """``POST .../user/attributes/list`` with the account header; ``overrides`` set headers (``_`` is ``-``)."""
        import json

        headers = {"X-Auth-Account-Url": self.creds["accountUrl"], "Content-Type": "application/json",
                   **{k.replace("_", "-"): v for k, v in overrides.items()}}
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        return self.as_client("POST", self.ATTRIBUTES.format(session_id), "user-attributes-list", who,
                              headers=headers, data=data)


class PearsonApi(VendorApi):
    """Pearson English Learning Services: ``GET`` with a Bearer token; the schema follows from the route."""

    vendor, prefix = "pearson", "/pearson"

    # the answer's schema by the route (the path without its query), last segments first
    SCHEMAS = (("/sessions", "teacher-session"), ("/encounters", "available-encounter-list"),
               ("/encounters/available", "available-encounter-list"), ("/classesInfo", "student-classes-aggregate"),
               ("/noPreBookingClasses", "no-pre-booking-class-list"), ("/bookings/notEnded", "booked-class-list"),
               ("/nextStep", "next-step"), ("/SelfBooking/availableclasses", "available-class-details-list"),
               ("/book", "api-proxy-response"), ("/rebook", "scheduled-class-list"), ("/territory", "territory"),
               ("/schedule", "scheduled-class-list"), ("/details", "class-details"),
               ("/details/refresh", "class-details"), ("/UpdateTime", "class-details"),
               ("/state", "user-state"), ("/contracts/future/next", "next-future-registration"),
               ("/api/connect/token", "connect-token-response"), ("/profile", "staff-member-profile"),
               ("/api/Class", "class-details"))

    def schema_of(self, method: str, path: str) -> str | None:
        route = path.split("?", 1)[0]
        if route.endswith("/state") and "/v2/" not in route:
            return "user-state-v1"
        if method == "DELETE" and "/selfBook/" in route:
            return "api-proxy-response"
        found = [schema for suffix, schema in self.SCHEMAS if route.endswith(suffix)]
        return found[-1] if found else None  # the longest suffix is listed after the shorter

    def get(self, path: str, bearer: str | None = None, **kw: Any) -> Any:  # type: ignore[override]
        return self.send("GET", path, bearer, **kw)

    def send(self, method: str, path: str, bearer: str | None = None, **kw: Any) -> Any:
        """``method path`` with a Bearer token; the success body is validated against the route's schema."""
        headers = {"Authorization": f"Bearer {bearer}"} if bearer is not None else {}
        return self.call(method, path, self.schema_of(method, path), headers=headers, **kw)


def absorb_admin_headers(base: str, api_key: str) -> dict[str, str]:
    """The headers of the seeded Absorb admin's calls against a live server at ``base`` (``.../absorb``):
    the key, the version and a fresh token from ``/authenticate``."""
    import requests

    headers = {"x-api-key": api_key, "x-api-version": "2"}
    token = requests.post(f"{base}/authenticate", headers=headers,
                          json={"username": "admin", "password": "admin", "privateKey": api_key}).json()
    return dict(headers, Authorization=f"Bearer {token}")
