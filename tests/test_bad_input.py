"""The bad-input table: every case answers its status in the vendor's error shape, and the world is unchanged."""
from __future__ import annotations

import hashlib
import json
from typing import Any
from collections.abc import Callable

import pytest

from emulator.app import all_vendors, create_app
from emulator.absorb.domain.availability import is_available
from emulator.core import contract
from emulator.core.jsonstream import plain
from emulator.absorb.wire.schemas import dump_world as absorb_dump_world

VENDORS = {vendor.name: vendor for vendor in all_vendors()}  # the dumper of each world (data.json)


def _whole_dump(name: str, world: Any) -> Any:
    """A world's data.json in memory, as the admin API's plain form: Absorb's makes and keeps its pending
    sub-enrollments first (``dump_world``'s default), the streamed one (``Vendor.dump_world``) keeps nothing."""
    return plain(absorb_dump_world(world) if name == "absorb" else VENDORS[name].dump_world(world))


G = "9a3b6f1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
BIG = "x" * (1024 * 1024 + 10)


class Ctx:
    """Ids and credentials of the default tenant, for building requests."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.tenant = app.state.store.tenants["default"]
        self.absorb = self.tenant.world("absorb")
        client = app.test_client()
        key = self.absorb.api_key
        self.key = key
        self.token = client.post("/absorb/authenticate", headers={"x-api-key": key, "x-api-version": "2"},
                                 json={"username": "admin", "password": "admin", "privateKey": key}).get_json()
        learner = next(u for u in self.absorb.users.values() if not u.is_admin)
        self.learner = learner.id
        self.learner_token = client.post("/absorb/authenticate", headers={"x-api-key": key, "x-api-version": "2"},
                                         json={"username": learner.username, "password": learner.password,
                                               "privateKey": key}).get_json()
        self.course = next(c.id for c in self.absorb.courses.values() if not c.is_ilc)
        self.enrollment = next(iter(self.absorb.enrollments))
        from emulator.absorb.domain.lessons import materialize_all

        materialize_all(self.absorb)  # lesson enrollments and attempts are made when first read
        self.attempt = next(a.id for a in self.absorb.attempts.values() if a.status == 3)
        # Pearson: a student, a staff member of another center
        from emulator.pearson.domain.signing import issue_token

        pearson = self.tenant.world("pearson")
        student = next(u for u in pearson.users.values() if "Student" in u.roles)
        outsider = next(u for u in pearson.users.values()
                        if "StaffMember" in u.roles and u.center_id != student.center_id)
        now = self.tenant.clock.now()
        self.student = student.id
        self.student_token = issue_token(pearson, student.id, now)
        self.outsider_token = issue_token(pearson, outsider.id, now)
        staff = next(u for u in pearson.users.values() if "StaffMember" in u.roles and u.center_id == student.center_id)
        self.staff_token = issue_token(pearson, staff.id, now)
        self.pearson_staff = staff.id
        self.pearson_center = student.center_id
        self.social_club = next(c.id for c in pearson.classes.values() if c.class_type == 3)
        self.pearson_client = pearson.credentials()["connectToken"]
        # iSpring: the owner's and the learner's tokens
        creds = self.tenant.world("ispring").credentials()
        self.account = creds["accountUrl"]
        self.session = creds["sessions"][0]
        ispring = self.tenant.world("ispring")
        self.user = next(iter(ispring.users))
        self.department = next(iter(ispring.departments))
        self.clients = {c["name"]: c for c in creds["clients"]}
        tokens = {}
        for name, c in self.clients.items():
            tokens[name] = client.post("/ispring/api/v3/token", data={
                "client_id": c["clientId"], "client_secret": c["clientSecret"],
                "grant_type": "client_credentials"}).get_json()["access_token"]
        self.ispring_tokens = tokens
        owner = ispring.users[self.user]  # the first user is the account owner
        self.owner_login, self.user_department = owner.login, owner.department_id
        self.group = next(iter(ispring.groups))
        self.ispring_learner = next(u.id for u in ispring.users.values()
                                    if u.role == "LEARNER" and u.status == "ACTIVE")

    @staticmethod
    def country(code: str) -> str:
        from emulator.absorb.domain.reference import fixed_id

        return fixed_id("country", code)

    @staticmethod
    def province(code: str, name: str) -> str:
        from emulator.absorb.domain.reference import fixed_id

        return fixed_id("province", code, name)

    def pearson_headers(self, token: str | None = "student") -> dict[str, str]:
        value = {"student": self.student_token, "outsider": self.outsider_token,
                 "staff": self.staff_token}.get(token or "", token)
        return {"Authorization": f"Bearer {value}"} if token else {}

    def ispring_headers(self, client: str = "owner", **override: str | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.ispring_tokens[client]}", "X-Auth-Account-Url": self.account,
                   "Accept": "application/json"}
        for name, value in override.items():
            name = name.replace("_", "-")
            if value is None:
                headers.pop(name, None)
            else:
                headers[name] = value
        return headers

    def absorb_headers(self, **override: str | None) -> dict[str, str]:
        headers = {"x-api-key": self.key, "x-api-version": "2", "Authorization": f"Bearer {self.token}"}
        for name, value in override.items():
            name = name.replace("_", "-")
            if value is None:
                headers.pop(name, None)
            else:
                headers[name] = value
        return headers


def _learner(c: Ctx) -> dict[str, str]:
    return c.absorb_headers(Authorization=f"Bearer {c.learner_token}")


def _account(c: Ctx, **change: Any) -> dict[str, Any]:
    """A sign-up body that would succeed, changed."""
    return {"username": "bad.input.signup", "password": "Passw0rd!", "firstName": "Bad", "lastName": "Input",
            "emailAddress": "bad.input@example.com", "departmentId": next(iter(c.absorb.departments)), **change}


# (id, vendor, method, path(ctx), kwargs(ctx), status)
Case = tuple[str, str, str, Callable[[Ctx], str], Callable[[Ctx], dict[str, Any]], int]


def a(ident: str, method: str, path: Callable[[Ctx], str], status: int,
      headers: Callable[[Ctx], dict[str, str]] | None = None, **body: Any) -> Case:
    def kwargs(c: Ctx) -> dict[str, Any]:
        out: dict[str, Any] = {"headers": headers(c) if headers else c.absorb_headers()}
        for key, value in body.items():
            out[key] = value(c) if callable(value) else value
        return out
    return (ident, "absorb", method, path, kwargs, status)


CASES: list[Case] = [
    a("absorb-no-api-key", "GET", lambda c: "/absorb/my-enrollments", 401, lambda c: c.absorb_headers(x_api_key=None)),
    a("absorb-unknown-api-key", "GET", lambda c: "/absorb/my-enrollments", 401,
      lambda c: c.absorb_headers(x_api_key=G)),
    a("absorb-version-3", "GET", lambda c: "/absorb/my-enrollments", 400,
      lambda c: c.absorb_headers(x_api_version="3")),
    a("absorb-version-1", "GET", lambda c: "/absorb/my-enrollments", 400,
      lambda c: c.absorb_headers(x_api_version="1")),
    a("absorb-no-token", "GET", lambda c: "/absorb/my-enrollments", 401,
      lambda c: c.absorb_headers(Authorization=None)),
    a("absorb-forged-token", "GET", lambda c: "/absorb/my-enrollments", 401,
      lambda c: c.absorb_headers(Authorization=f"Bearer {c.token[:-4]}AAAA")),
    a("absorb-basic-auth", "GET", lambda c: "/absorb/my-enrollments", 401,
      lambda c: c.absorb_headers(Authorization="Basic YTpi")),
    a("absorb-duplicate-key", "GET", lambda c: "/absorb/my-enrollments", 400,
      lambda c: c.absorb_headers(x_api_key=f"{c.key}, {G}")),
    a("absorb-learner-on-admin-route", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments", 403,
      lambda c: c.absorb_headers(Authorization=f"Bearer {c.learner_token}")),
    a("absorb-bad-guid-user", "GET", lambda c: "/absorb/users/123/enrollments", 404),
    a("absorb-bad-guid-enrollment", "GET", lambda c: "/absorb/enrollments/not-a-guid", 404),
    a("absorb-unknown-user", "POST", lambda c: f"/absorb/users/{G}/enrollments/{c.course}", 404),
    a("absorb-unknown-course", "POST", lambda c: f"/absorb/users/{c.learner}/enrollments/{G}", 404),
    a("absorb-malformed-json", "POST", lambda c: f"/absorb/users/{c.learner}/enrollments", 400,
      data="{\"courseId\": ", content_type="application/json"),
    a("absorb-json-array-body", "POST", lambda c: f"/absorb/users/{c.learner}/enrollments", 400, json=[1, 2]),
    a("absorb-missing-course-id", "POST", lambda c: f"/absorb/users/{c.learner}/enrollments", 400, json={}),
    a("absorb-course-id-wrong-type", "POST", lambda c: f"/absorb/users/{c.learner}/enrollments", 400,
      json={"courseId": 42}),
    a("absorb-status-wrong-type", "POST", lambda c: f"/absorb/users/{c.learner}/enrollments", 400,
      json=lambda c: {"courseId": c.course, "status": "Complete"}),
    a("absorb-text-plain", "POST", lambda c: f"/absorb/users/{c.learner}/enrollments", 415,
      data="courseId", content_type="text/plain"),
    a("absorb-oversized", "POST", lambda c: f"/absorb/users/{c.learner}/enrollments", 413,
      data=json.dumps({"courseId": BIG}), content_type="application/json"),
    a("absorb-unenroll-not-array", "POST", lambda c: "/absorb/enrollments/unenroll", 400, json={"id": G}),
    a("absorb-unenroll-bad-guid", "POST", lambda c: "/absorb/enrollments/unenroll", 400, json=["nope"]),
    a("absorb-unenroll-unknown", "POST", lambda c: "/absorb/enrollments/unenroll", 422, json=[G]),
    a("absorb-reenroll-not-bool", "POST", lambda c: f"/absorb/users/{c.learner}/enrollments/{c.course}?reEnroll=maybe",
      400),
    a("absorb-filter-syntax", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments?_filter=status eq", 422),
    a("absorb-filter-unknown-field", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments?_filter=colour eq 'red'",
      422),
    a("absorb-filter-type-mismatch", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments?_filter=progress eq 'a'",
      422),
    a("absorb-filter-unbalanced", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments?_filter=(status eq 1", 422),
    a("absorb-filter-not-binds-tighter", "GET",
      lambda c: f"/absorb/users/{c.learner}/enrollments?_filter=not status eq 3", 422),
    a("absorb-filter-number-without-leading-digit", "GET",
      lambda c: f"/absorb/users/{c.learner}/enrollments?_filter=progress gt .5", 422),
    a("absorb-sort-unknown", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments?_sort=-colour", 422),
    a("absorb-limit-negative", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments?_limit=-5", 422),
    a("absorb-limit-text", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments?_limit=ten", 422),
    a("absorb-offset-huge", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments?_offset=70000", 422),
    a("absorb-status-13", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments?status=13", 400),
    a("absorb-status-underscored", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments?status=1_0", 400),
    a("absorb-status-arabic-digit", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments?status=\u0661", 400),
    a("absorb-status-superscript", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments?status=\u00b2", 400),
    a("absorb-unenroll-guid-newline", "POST", lambda c: "/absorb/enrollments/unenroll", 400,
      json=lambda c: [c.enrollment + "\n"]),
    a("absorb-modified-since-year-1-with-offset", "GET",
      lambda c: f"/absorb/users/{c.learner}/enrollments?modifiedSince=0001-01-01T00:00:00%2B14:00", 400),
    a("absorb-limit-5000-digits", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments?_limit={'1' * 5000}", 422),
    a("absorb-modified-since-bad", "GET", lambda c: f"/absorb/users/{c.learner}/enrollments?modifiedSince=yesterday",
      400),
    a("absorb-bulk-bad-guid", "GET", lambda c: "/absorb/bulk/student-courses?userIds=abc", 400),
    a("absorb-finish-status-2", "PUT", lambda c: f"/absorb/attempts/{c.attempt}", 400, json={"status": 2}),
    a("absorb-finish-twice", "PUT", lambda c: f"/absorb/attempts/{c.attempt}", 422, json={"status": 3}),
    a("absorb-finish-unknown", "PUT", lambda c: f"/absorb/attempts/{G}", 404, json={"status": 3}),
    a("absorb-wrong-method", "DELETE", lambda c: f"/absorb/enrollments/{c.enrollment}", 405),
    a("absorb-unknown-route", "GET", lambda c: "/absorb/no/such/route", 404),
    a("absorb-authenticate-empty", "POST", lambda c: "/absorb/authenticate", 400, json={}),
    a("absorb-group-bad-guid", "GET", lambda c: "/absorb/groups/42", 404),
    a("absorb-group-unknown", "GET", lambda c: f"/absorb/groups/{G}", 404),
    a("absorb-groups-filter-list-field", "GET", lambda c: "/absorb/groups?_filter=userIds eq 'x'", 422),
    a("absorb-groups-learner", "GET", lambda c: "/absorb/groups", 403,
      lambda c: c.absorb_headers(Authorization=f"Bearer {c.learner_token}")),
    a("absorb-role-unknown", "GET", lambda c: f"/absorb/roles/{G}", 404),
    a("absorb-roles-sort-unknown", "GET", lambda c: "/absorb/roles?_sort=-colour", 422),
    a("absorb-roles-wrong-method", "POST", lambda c: "/absorb/roles", 405),
    a("absorb-country-unknown", "GET", lambda c: f"/absorb/countries/{G}", 404),
    a("absorb-countries-limit-huge", "GET", lambda c: "/absorb/countries?_limit=1001", 422),
    a("absorb-countries-filter-type", "GET", lambda c: "/absorb/countries?_filter=name eq 3", 422),
    a("absorb-province-unknown", "GET", lambda c: f"/absorb/provinces/{G}", 404),
    a("absorb-provinces-bad-country", "GET", lambda c: "/absorb/provinces?countryId=US", 400),
    a("absorb-provinces-limit-text", "GET", lambda c: "/absorb/provinces?_limit=all", 422),
    a("absorb-provinces-filter-syntax", "GET", lambda c: "/absorb/provinces?_filter=name eq", 422),
    a("absorb-user-courses-unknown-user", "GET", lambda c: f"/absorb/users/{G}/courses", 404),
    a("absorb-user-courses-bad-guid", "GET", lambda c: "/absorb/users/me/courses", 404),
    a("absorb-user-courses-offset-text", "GET", lambda c: f"/absorb/users/{c.learner}/courses?_offset=next", 422),
    a("absorb-user-courses-learner", "GET", lambda c: f"/absorb/users/{c.learner}/courses", 403,
      lambda c: c.absorb_headers(Authorization=f"Bearer {c.learner_token}")),
    a("absorb-user-unknown-country", "PUT", lambda c: f"/absorb/users/{c.learner}", 422, json={"countryId": G}),
    a("absorb-user-unknown-role", "PUT", lambda c: f"/absorb/users/{c.learner}", 422, json={"RoleIds": [G]}),
    a("absorb-user-province-elsewhere", "PUT", lambda c: f"/absorb/users/{c.learner}", 422,
      json=lambda c: {"countryId": c.country("US"), "provinceId": c.province("CA", "Quebec")}),
    a("absorb-raw-token-unknown", "GET", lambda c: "/absorb/users", 401,
      lambda c: c.absorb_headers(Authorization="not-a-token", x_api_version=None)),
    a("absorb-old-bulk-path", "GET", lambda c: "/absorb/enrollments", 404),
    a("absorb-old-my-enroll-path", "POST", lambda c: f"/absorb/my-enrollments/{c.course}", 405,
      lambda c: c.absorb_headers(Authorization=f"Bearer {c.learner_token}")),
    a("absorb-users-learner", "GET", lambda c: "/absorb/users", 403,
      lambda c: c.absorb_headers(Authorization=f"Bearer {c.learner_token}")),
    a("absorb-users-filter-unknown-custom", "GET", lambda c: "/absorb/users?_filter=customFields/nope eq null", 422),
    a("absorb-users-filter-custom-type", "GET", lambda c: "/absorb/users?_filter=customFields/bool1 eq 'yes'", 422),
    a("absorb-users-sort-list", "GET", lambda c: "/absorb/users?_sort=roleIds", 422),
    a("absorb-users-limit-over-max", "GET", lambda c: "/absorb/users?_limit=1001", 422),
    a("absorb-user-bad-guid", "GET", lambda c: "/absorb/users/not-a-guid", 404),
    a("absorb-user-unknown", "GET", lambda c: f"/absorb/users/{G}", 404),
    a("absorb-user-put-unknown", "PUT", lambda c: f"/absorb/users/{G}", 404, json={"firstName": "X"}),
    a("absorb-user-put-array", "PUT", lambda c: f"/absorb/users/{c.learner}", 400, json=[1]),
    a("absorb-user-put-bad-gender", "PUT", lambda c: f"/absorb/users/{c.learner}", 400, json={"gender": 7}),
    a("absorb-user-put-bad-custom-key", "PUT", lambda c: f"/absorb/users/{c.learner}", 400,
      json={"customFields": {"string31": "x"}}),
    a("absorb-user-put-custom-type", "PUT", lambda c: f"/absorb/users/{c.learner}", 400,
      json={"customFields": {"decimal1": "many"}}),
    a("absorb-user-put-unknown-department", "PUT", lambda c: f"/absorb/users/{c.learner}", 422,
      json={"departmentId": G}),
    a("absorb-user-put-taken-username", "PUT", lambda c: f"/absorb/users/{c.learner}", 422, json={"username": "admin"}),
    a("absorb-user-put-huge-language", "PUT", lambda c: f"/absorb/users/{c.learner}", 400,
      data='{"languageId": 10000000000000000000000000000000000000000}', content_type="application/json"),
    a("absorb-user-put-lone-surrogate", "PUT", lambda c: f"/absorb/users/{c.learner}", 400,
      data='{"firstName": "\\ud800"}', content_type="application/json"),
    a("absorb-upload-lone-surrogate-key", "POST", lambda c: "/absorb/users/upload", 400,
      data='[{"username": "admin", "\\udfff": 1}]', content_type="application/json"),
    a("absorb-user-put-six-cc", "PUT", lambda c: f"/absorb/users/{c.learner}", 400,
      json={"ccEmailAddresses": ["a@x.com"] * 6}),
    a("absorb-user-put-text-plain", "PUT", lambda c: f"/absorb/users/{c.learner}", 415, data="x",
      content_type="text/plain"),
    a("absorb-user-post-missing-names", "POST", lambda c: "/absorb/users", 422, json={"username": "nobody.new"}),
    a("absorb-user-post-empty-username", "POST", lambda c: "/absorb/users", 400, json={"username": ""}),
    a("absorb-upload-not-array", "POST", lambda c: "/absorb/users/upload", 400, json={"username": "x"}),
    a("absorb-upload-201", "POST", lambda c: "/absorb/users/upload/", 422,
      json=[{"username": "admin", "jobTitle": "x"}] * 201),
    a("absorb-upload-one-bad", "POST", lambda c: "/absorb/users/upload", 422,
      json=[{"username": "admin", "jobTitle": "changed"}, {"username": "someone.new"}]),
    a("absorb-upload-no-username", "POST", lambda c: "/absorb/users/upload", 422, json=[{"firstName": "x"}]),
    a("absorb-upload-bad-item", "POST", lambda c: "/absorb/users/upload", 400, json=[{"username": "admin"}, 3]),
    a("absorb-department-unknown", "GET", lambda c: f"/absorb/departments/{G}", 404),
    a("absorb-departments-bad-filter", "GET", lambda c: "/absorb/departments?_filter=parentId eq 'x'", 422),
    a("absorb-course-unknown", "GET", lambda c: f"/absorb/courses/{G}", 404),
    a("absorb-courses-bad-sort", "GET", lambda c: "/absorb/courses?_sort=tagIds", 422),
    a("absorb-courses-wrong-method", "DELETE", lambda c: f"/absorb/courses/{c.course}", 405),
    # issue 29: the learner's side, certificates, the catalogue, _search and the deprecated limit
    a("absorb-my-enrollment-empty-body", "POST", lambda c: "/absorb/my-enrollments", 400, _learner, json={}),
    a("absorb-my-enrollment-bad-course-id", "POST", lambda c: "/absorb/my-enrollments", 400, _learner,
      json={"courseId": "nope"}),
    a("absorb-my-enrollment-malformed", "POST", lambda c: "/absorb/my-enrollments", 400, _learner,
      data="{", content_type="application/json"),
    a("absorb-my-enrollment-unknown-course", "POST", lambda c: "/absorb/my-enrollments", 404, _learner,
      json={"courseId": G}),
    a("absorb-my-enrollment-ilc-without-session", "POST", lambda c: "/absorb/my-enrollments", 422, _learner,
      json=lambda c: {"courseId": next(x.id for x in c.absorb.courses.values() if x.is_ilc and not x.multi_session)}),
    a("absorb-my-enrollment-online-with-session", "POST", lambda c: "/absorb/my-enrollments", 422, _learner,
      json=lambda c: {"courseId": c.course, "sessionId": G}),
    a("absorb-my-enrollment-unmet-prerequisite", "POST", lambda c: "/absorb/my-enrollments", 422, _learner,
      json=lambda c: {"courseId": next(x.id for x in c.absorb.courses.values() if x.prerequisite_course_ids
                                       and (c.learner, x.prerequisite_course_ids[0]) not in c.absorb.active)}),
    a("absorb-my-catalog-over-its-cap", "GET", lambda c: "/absorb/my-catalog?_limit=31", 422, _learner),
    a("absorb-my-catalog-deprecated-limit-over-cap", "GET", lambda c: "/absorb/my-catalog?limit=31", 422, _learner),
    a("absorb-my-courses-bad-curriculum", "GET", lambda c: "/absorb/my-courses?curriculumId=x", 400, _learner),
    a("absorb-my-courses-unknown-curriculum", "GET", lambda c: f"/absorb/my-courses?curriculumId={G}", 404, _learner),
    a("absorb-users-deprecated-limit-not-a-number", "GET", lambda c: "/absorb/users?limit=abc", 422),
    a("absorb-users-deprecated-limit-too-big", "GET", lambda c: "/absorb/users?limit=1001", 422),
    a("absorb-user-certificates-unknown-user", "GET", lambda c: f"/absorb/users/{G}/certificates", 404),
    a("absorb-certificate-unknown", "GET", lambda c: f"/absorb/certificates/{G}", 404),
    a("absorb-course-certificates-bad-filter", "GET",
      lambda c: f"/absorb/courses/{c.course}/certificates?_filter=nope eq 1", 422),
    a("absorb-manager-unknown", "GET", lambda c: f"/absorb/managers/{G}", 404),
    a("absorb-online-course-is-an-ilc", "GET", lambda c: "/absorb/online-courses/"
      + next(x.id for x in c.absorb.courses.values() if x.is_ilc), 404),
    a("absorb-ilc-sessions-of-an-online-course", "GET",
      lambda c: f"/absorb/instructor-led-courses/{c.course}/sessions", 404),
    a("absorb-curriculum-unknown", "GET", lambda c: f"/absorb/curriculums/{G}", 404),
    a("absorb-schedules-bad-venue", "GET", lambda c: "/absorb/session-schedules?venueId=x", 400),
    a("absorb-catalogue-write-refused", "POST", lambda c: "/absorb/categories", 405),
    a("absorb-resource-unknown", "GET", lambda c: f"/absorb/resources/{G}", 404),
    a("absorb-course-resources-unknown-course", "GET", lambda c: f"/absorb/courses/{G}/resources", 404),
    a("absorb-my-resources-bad-limit", "GET", lambda c: "/absorb/enrollments/my-resources?_limit=0", 422, _learner),
    a("absorb-learner-on-certificates", "GET", lambda c: f"/absorb/users/{c.learner}/certificates", 403, _learner),
    # issue 29, last operations
    a("absorb-user-resources-unknown-user", "GET", lambda c: f"/absorb/users/{G}/resources", 404),
    a("absorb-user-resources-bad-limit", "GET", lambda c: f"/absorb/users/{c.learner}/resources?_limit=0", 422),
    a("absorb-enrollment-resources-unknown", "GET", lambda c: f"/absorb/enrollments/{G}/resources", 404),
    a("absorb-manager-users-unknown", "GET", lambda c: f"/absorb/managers/{G}/users", 404),
    a("absorb-curriculum-group-missing-id", "GET", lambda c: "/absorb/curriculums/curriculum-group", 400),
    a("absorb-curriculum-group-bad-id", "GET",
      lambda c: "/absorb/curriculums/curriculum-group?curriculumGroupId=x", 400),
    a("absorb-curriculum-group-unknown", "GET",
      lambda c: f"/absorb/curriculums/curriculum-group?curriculumGroupId={G}", 404),
    a("absorb-curriculum-groups-missing-ids", "GET", lambda c: "/absorb/curriculums/multiple-curriculum-groups", 400),
    # issue 29, the last three: the account sign-up (every refusal creates nothing), session details, manager roles
    a("absorb-account-taken-username", "POST", lambda c: "/absorb/create-absorb-account", 422,
      json=lambda c: _account(c, username="ADMIN")),
    a("absorb-account-taken-email", "POST", lambda c: "/absorb/create-absorb-account", 422,
      json=lambda c: _account(c, emailAddress="Admin@Example.com")),
    a("absorb-account-no-password", "POST", lambda c: "/absorb/create-absorb-account", 422,
      json=lambda c: {k: v for k, v in _account(c).items() if k != "password"}),
    a("absorb-account-null-email", "POST", lambda c: "/absorb/create-absorb-account", 422,
      json=lambda c: _account(c, emailAddress=None)),
    a("absorb-account-unknown-department", "POST", lambda c: "/absorb/create-absorb-account", 422,
      json=lambda c: _account(c, departmentId=G)),
    a("absorb-account-empty-password", "POST", lambda c: "/absorb/create-absorb-account", 400,
      json=lambda c: _account(c, password="")),
    a("absorb-account-bad-department-id", "POST", lambda c: "/absorb/create-absorb-account", 400,
      json=lambda c: _account(c, departmentId="x")),
    a("absorb-account-empty-body", "POST", lambda c: "/absorb/create-absorb-account", 422, json={}),
    a("absorb-account-array", "POST", lambda c: "/absorb/create-absorb-account", 400, json=lambda c: [_account(c)]),
    a("absorb-account-not-json", "POST", lambda c: "/absorb/create-absorb-account", 415, data="username=x",
      content_type="application/x-www-form-urlencoded"),
    a("absorb-account-by-a-learner", "POST", lambda c: "/absorb/create-absorb-account", 403, _learner,
      json=lambda c: _account(c)),
    a("absorb-account-no-token", "POST", lambda c: "/absorb/create-absorb-account", 401,
      lambda c: c.absorb_headers(Authorization=None), json=lambda c: _account(c)),
    a("absorb-account-wrong-method", "GET", lambda c: "/absorb/create-absorb-account", 405),
    a("absorb-session-details-no-query", "GET", lambda c: "/absorb/courses/session-details", 400),
    a("absorb-session-details-bad-session-id", "GET", lambda c: "/absorb/courses/session-details?sessionIds=x", 400),
    a("absorb-session-details-bad-course-id", "GET", lambda c: "/absorb/courses/session-details?courseId=x", 400),
    a("absorb-session-details-unknown-session", "GET",
      lambda c: f"/absorb/courses/session-details?sessionIds={G}", 404),
    a("absorb-session-details-unknown-course", "GET", lambda c: f"/absorb/courses/session-details?courseId={G}", 404),
    a("absorb-session-details-another-courses-session", "GET",
      lambda c: f"/absorb/courses/session-details?courseId={c.course}&sessionIds={next(iter(c.absorb.sessions))}", 404),
    a("absorb-session-details-no-token", "GET", lambda c: f"/absorb/courses/session-details?courseId={c.course}", 401,
      lambda c: c.absorb_headers(Authorization=None)),
    a("absorb-session-details-wrong-method", "POST", lambda c: "/absorb/courses/session-details", 405),
    a("absorb-manager-roles-bad-filter", "GET", lambda c: "/absorb/managers/roles?_filter=nope eq 1", 422),
    a("absorb-manager-roles-bad-sort", "GET", lambda c: "/absorb/managers/roles?_sort=nope", 422),
    a("absorb-manager-roles-bad-limit", "GET", lambda c: "/absorb/managers/roles?_limit=0", 422),
    a("absorb-manager-roles-by-a-learner", "GET", lambda c: "/absorb/managers/roles", 403, _learner),
    a("absorb-manager-roles-no-token", "GET", lambda c: "/absorb/managers/roles", 401,
      lambda c: c.absorb_headers(Authorization=None)),
    a("absorb-manager-roles-write-refused", "POST", lambda c: "/absorb/managers/roles", 405, json={"name": "x"}),
    # issue 29, second half: languages, versions, prerequisites, evaluations, attendance, credits, messages, paths
    a("absorb-language-unknown", "GET", lambda c: "/absorb/languages/999", 404),
    a("absorb-language-not-a-number", "GET", lambda c: "/absorb/languages/english", 404),
    a("absorb-course-version-unknown", "GET", lambda c: f"/absorb/course-versions/{G}", 404),
    a("absorb-course-versions-unknown-course", "GET", lambda c: f"/absorb/course/{G}/versions", 404),
    a("absorb-prerequisite-unknown", "GET", lambda c: f"/absorb/prerequisites/{G}", 404),
    a("absorb-prerequisites-bad-filter", "GET", lambda c: "/absorb/prerequisites?_filter=nope eq 1", 422),
    a("absorb-course-prerequisites-unknown-course", "GET", lambda c: f"/absorb/course/{G}/prerequisites", 404),
    a("absorb-course-evaluations-unknown-course", "GET", lambda c: f"/absorb/courses/{G}/evaluations", 404),
    a("absorb-learner-on-course-evaluations", "GET", lambda c: f"/absorb/courses/{c.course}/evaluations", 403,
      _learner),
    a("absorb-attendance-unknown-session", "GET", lambda c: f"/absorb/instructor-led-course-sessions/{G}/attendance",
      404),
    a("absorb-attendance-update-unknown-session", "PUT",
      lambda c: f"/absorb/instructor-led-course-sessions/{G}/attendance", 404, json=[]),
    a("absorb-attendance-not-an-array", "PUT", lambda c: f"/absorb/instructor-led-course-sessions/{_session(c)}"
      "/attendance", 400, json={"userId": G, "attended": True}),
    a("absorb-attendance-malformed", "PUT", lambda c: f"/absorb/instructor-led-course-sessions/{_session(c)}"
      "/attendance", 400, data="[{", content_type="application/json"),
    a("absorb-attendance-bad-user-id", "PUT", lambda c: f"/absorb/instructor-led-course-sessions/{_session(c)}"
      "/attendance", 400, json=[{"userId": "x", "attended": True}]),
    a("absorb-attendance-attended-not-a-boolean", "PUT", lambda c: f"/absorb/instructor-led-course-sessions/"
      f"{_session(c)}/attendance", 400, json=[{"userId": G, "attended": "yes"}]),
    a("absorb-attendance-score-out-of-range", "PUT", lambda c: f"/absorb/instructor-led-course-sessions/"
      f"{_session(c)}/attendance", 400, json=[{"userId": G, "attended": True, "score": 101}]),
    a("absorb-attendance-user-not-on-roster", "PUT", lambda c: f"/absorb/instructor-led-course-sessions/"
      f"{_session(c)}/attendance", 422, json=[{"userId": G, "attended": True}]),
    a("absorb-learner-on-attendance", "GET", lambda c: f"/absorb/instructor-led-course-sessions/{_session(c)}"
      "/attendance", 403, _learner),
    a("absorb-credit-types-bad-limit", "GET", lambda c: "/absorb/credits/credit-types?_limit=0", 422),
    a("absorb-user-credits-unknown-user", "GET", lambda c: f"/absorb/credits/users/{G}", 404),
    a("absorb-message-unknown", "GET", lambda c: f"/absorb/messages/{G}", 404),
    a("absorb-user-messages-unknown-user", "GET", lambda c: f"/absorb/users/{G}/messages", 404),
    a("absorb-learning-path-unknown-user", "GET", lambda c: f"/absorb/learning-path/{G}", 404),
    a("absorb-learner-on-learning-path", "GET", lambda c: f"/absorb/learning-path/{c.learner}", 403, _learner),
    a("absorb-curriculum-enrollment-unknown-user", "POST", lambda c: f"/absorb/users/{G}/enrollments/"
      + next(iter(c.absorb.catalogue.curricula)), 404),
    # issue 29's second half: what a portal sells and defines, department writes, availability
    *(a(f"absorb-{name}-unknown", "GET", lambda c, path=path: f"/absorb/{path}/{G}", 404) for name, path in (
        ("course-bundle", "course-bundles"), ("coupon", "coupons"), ("transaction", "e-commerce/transactions"),
        ("enrollment-key", "enrollment-keys"), ("custom-field-definition", "custom-field-definitions"),
        ("competency-definition", "competency-definitions"), ("question-bank", "question-banks"),
        ("self-assessment", "self-assessments"), ("external-training-template", "external-training/templates"),
        ("external-training-submission", "external-training/submissions"))),
    a("absorb-coupon-not-a-guid", "GET", lambda c: "/absorb/coupons/SPRING25", 404),
    a("absorb-coupons-bad-filter", "GET", lambda c: "/absorb/coupons?_filter=code eq", 422),
    a("absorb-transactions-bad-sort", "GET", lambda c: "/absorb/e-commerce/transactions?_sort=transactionDetails",
      422),
    a("absorb-enrollment-keys-bad-limit", "GET", lambda c: "/absorb/enrollment-keys?_limit=1001", 422),
    a("absorb-bundles-for-sale-bad-offset", "GET", lambda c: "/absorb/course-bundles/for-sale?_offset=-1", 422),
    a("absorb-learner-on-coupons", "GET", lambda c: "/absorb/coupons", 403, _learner),
    a("absorb-learner-on-external-training", "GET", lambda c: "/absorb/external-training/submissions", 403, _learner),
    a("absorb-create-department-no-name", "POST", lambda c: "/absorb/create-department", 400, json={}),
    a("absorb-create-department-bad-parent", "POST", lambda c: "/absorb/create-department", 400,
      json={"name": "x", "parentId": "nope"}),
    a("absorb-create-department-unknown-parent", "POST", lambda c: "/absorb/create-department", 422,
      json={"name": "x", "parentId": G}),
    a("absorb-create-department-not-json", "POST", lambda c: "/absorb/create-department", 415, data="name=x",
      content_type="application/x-www-form-urlencoded"),
    a("absorb-create-department-array", "POST", lambda c: "/absorb/create-department", 400, json=[{"name": "x"}]),
    a("absorb-create-department-by-a-learner", "POST", lambda c: "/absorb/create-department", 403, _learner,
      json={"name": "x"}),
    a("absorb-create-department-wrong-method", "PUT", lambda c: "/absorb/create-department", 405, json={"name": "x"}),
    a("absorb-my-enrollment-not-available", "POST", lambda c: "/absorb/my-enrollments", 422, _learner,
      json=lambda c: {"courseId": next(r.course_id for r in c.absorb.availability.values() if not is_available(
          c.absorb, c.absorb.users[c.learner], c.absorb.courses[r.course_id]))}),
]


def _session(c: Ctx) -> str:
    return next(iter(c.absorb.sessions))


def p(ident: str, method: str, path: Callable[[Ctx], str], status: int, token: str | None = "student") -> Case:
    return (ident, "pearson", method, path, lambda c: {"headers": c.pearson_headers(token)}, status)


def pb(ident: str, method: str, path: Callable[[Ctx], str], status: int, token: str | None = "staff",
       **body: Any) -> Case:
    """A Pearson booking-route case with a body (``json=``, ``data=``, ``content_type=``)."""
    return (ident, "pearson", method, path, lambda c: {"headers": c.pearson_headers(token),
                                                       **{k: (v(c) if callable(v) else v) for k, v in body.items()}},
            status)


def i(ident: str, status: int, headers: Callable[[Ctx], dict[str, str]] | None = None,
      session: Callable[[Ctx], str] | None = None, **body: Any) -> Case:
    def kwargs(c: Ctx) -> dict[str, Any]:
        out: dict[str, Any] = {"headers": headers(c) if headers else c.ispring_headers()}
        out.update({k: (v(c) if callable(v) else v) for k, v in (body or {"json": {"userIds": [G]}}).items()})
        return out
    def path(c: Ctx) -> str:
        return f"/ispring/performance-management/appraisal/session/{(session or (lambda c: c.session))(c)}" \
            "/user/attributes/list"

    return (ident, "ispring", "POST", path, kwargs, status)


def t(ident: str, status: int, form: Callable[[Ctx], dict[str, str]], accept: str = "application/json") -> Case:
    return (ident, "ispring", "POST", lambda c: "/ispring/api/v3/token",
            lambda c: {"data": form(c), "headers": {"Accept": accept}}, status)


def r(ident: str, method: str, path: Callable[[Ctx], str], status: int, who: str | None = "owner",
      accept: str = "application/json", **body: Any) -> Case:
    """An iSpring lookup: ``/session/...`` paths are under /performance-management/appraisal."""
    def url(c: Ctx) -> str:
        rest = path(c)
        return "/ispring" + ("/performance-management/appraisal" if rest.startswith("/session") else "") + rest

    def kwargs(c: Ctx) -> dict[str, Any]:
        headers = c.ispring_headers(who or "owner", Accept=accept, X_Auth_Account_Url=None)
        if who is None:
            headers.pop("Authorization")
        return {"headers": headers, **{k: (v(c) if callable(v) else v) for k, v in body.items()}}
    return (ident, "ispring", method, url, kwargs, status)


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


CASES += [
    p("pearson-no-token", "GET", lambda c: f"/pearson/users/{c.student}/sessions", 401, token=None),
    p("pearson-garbage-token", "GET", lambda c: f"/pearson/users/{c.student}/sessions", 401, token="abc.def.ghi"),
    p("pearson-forged-token", "GET", lambda c: f"/pearson/users/{c.student}/encounters", 401,
      token="eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"),
    p("pearson-non-ascii-signature", "GET", lambda c: f"/pearson/users/{c.student}/sessions", 401,
      token="eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJkZWZhdWx0In0.\u00e9"),
    p("pearson-non-guid", "GET", lambda c: "/pearson/users/12345/sessions", 404),
    p("pearson-unknown-user", "GET", lambda c: f"/pearson/users/{G}/encounters", 404, token="outsider"),
    p("pearson-other-center-staff", "GET", lambda c: f"/pearson/users/{c.student}/encounters", 403, token="outsider"),
    p("pearson-wrong-method", "POST", lambda c: f"/pearson/users/{c.student}/sessions", 405),
    p("pearson-unknown-route", "GET", lambda c: f"/pearson/users/{c.student}/grades", 404),
    pb("pearson-book-no-body", "POST", lambda c: f"/pearson/classes/{c.social_club}/book", 415),
    pb("pearson-book-not-json", "POST", lambda c: f"/pearson/classes/{c.social_club}/book", 400, data="{",
       content_type="application/json"),
    pb("pearson-book-no-student", "POST", lambda c: f"/pearson/classes/{c.social_club}/book", 400, json={}),
    pb("pearson-book-body-array", "POST", lambda c: f"/pearson/classes/{c.social_club}/book", 400, json=[1]),
    pb("pearson-book-malformed-student", "POST", lambda c: f"/pearson/classes/{c.social_club}/book", 400,
       json={"StudentId": "x"}),
    pb("pearson-book-unknown-student", "POST", lambda c: f"/pearson/classes/{c.social_club}/book", 404,
       json={"StudentId": G}),
    pb("pearson-book-unknown-class", "POST", lambda c: f"/pearson/classes/{G}/book", 404,
       json=lambda c: {"StudentId": c.student}),
    pb("pearson-book-by-the-student", "POST", lambda c: f"/pearson/classes/{c.social_club}/book", 403,
       token="student", json=lambda c: {"StudentId": c.student}),
    pb("pearson-book-other-center-staff", "POST", lambda c: f"/pearson/classes/{c.social_club}/book", 403,
       token="outsider", json=lambda c: {"StudentId": c.student}),
    pb("pearson-book-joined-without-booking", "POST", lambda c: f"/pearson/classes/{c.social_club}/book", 400,
       json=lambda c: {"StudentId": c.student}),
    pb("pearson-book-bad-carry-over", "POST", lambda c: f"/pearson/classes/{c.social_club}/book?carryOver=maybe",
       400, json=lambda c: {"StudentId": c.student}),
    p("pearson-selfbook-by-staff", "DELETE", lambda c: f"/pearson/classes/{c.social_club}/selfBook/{c.student}",
      403, token="staff"),
    p("pearson-selfbook-not-booked", "DELETE", lambda c: f"/pearson/classes/{c.social_club}/selfBook/{c.student}",
      400),
    p("pearson-selfbook-unknown-class", "DELETE", lambda c: f"/pearson/classes/{G}/selfBook/{c.student}", 404),
    p("pearson-not-ended-no-class-types", "GET", lambda c: f"/pearson/students/{c.student}/bookings/notEnded", 400),
    p("pearson-not-ended-bad-class-type", "GET",
      lambda c: f"/pearson/students/{c.student}/bookings/notEnded?classTypes[0]=Tennis", 400),
    p("pearson-no-pre-booking-no-type", "GET", lambda c: f"/pearson/users/{c.student}/noPreBookingClasses", 400),
    p("pearson-rebook-no-class", "GET", lambda c: f"/pearson/centers/{c.pearson_center}/rebook", 400),
    p("pearson-rebook-other-center", "GET", lambda c: f"/pearson/centers/{c.pearson_center}/rebook?classId={G}",
      403, token="outsider"),
    p("pearson-rebook-bad-start", "GET",
      lambda c: f"/pearson/centers/{c.pearson_center}/rebook?classId={G}&startDate=soon", 400),
    p("pearson-territory-unknown-center", "GET", lambda c: f"/pearson/centers/{G}/territory", 404),
    pb("pearson-walkthrough-by-staff", "POST", lambda c: f"/pearson/walkthroughs/user/{c.student}/status", 403,
       json={"WalkThroughId": G, "Status": 2, "WalkThroughType": 1}),
    pb("pearson-walkthrough-bad-status", "POST", lambda c: f"/pearson/walkthroughs/user/{c.student}/status", 400,
       token="student", json={"WalkThroughId": G, "Status": "done", "WalkThroughType": 1}),
    p("pearson-self-booking-bad-slot", "GET",
      lambda c: f"/pearson/v2/users/{c.student}/SelfBooking/availableclasses?TimeSlots=noon", 400),
    p("pearson-self-booking-bad-offset", "GET",
      lambda c: f"/pearson/v2/users/{c.student}/SelfBooking/availableclasses?TimeZoneOffset=99:00", 400),
    p("pearson-contracts-user-token", "GET",
      lambda c: f"/pearson/openapi/students/{c.student}/contracts/future/next", 401),
    p("pearson-class-details-by-student", "GET", lambda c: f"/pearson/classes/{c.social_club}/details/refresh", 403),
    p("pearson-class-details-other-center", "GET", lambda c: f"/pearson/classes/{c.social_club}/details/refresh",
      403, token="outsider"),
    p("pearson-class-details-unknown-class", "GET", lambda c: "/pearson/classes/no-such-class/details", 404,
      token="staff"),
    p("pearson-openapi-class-details-user-token", "GET",
      lambda c: f"/pearson/openapi/classes/{c.social_club}/details", 401, token="staff"),
    p("pearson-update-time-no-start", "PUT", lambda c: f"/pearson/classes/{c.social_club}/UpdateTime", 400,
      token="staff"),
    p("pearson-update-time-bad-start", "PUT",
      lambda c: f"/pearson/classes/{c.social_club}/UpdateTime?startDate=soon", 400, token="staff"),
    p("pearson-update-time-past", "PUT",
      lambda c: f"/pearson/classes/{c.social_club}/UpdateTime?startDate=2000-01-01T00:00:00Z", 400, token="staff"),
    p("pearson-update-time-by-student", "PUT",
      lambda c: f"/pearson/classes/{c.social_club}/UpdateTime?startDate=2999-01-01T00:00:00Z", 403),
    p("pearson-staff-profile-other-center", "GET", lambda c: f"/pearson/staffmembers/{c.pearson_staff}/profile", 403,
      token="outsider"),
    p("pearson-staff-profile-by-student", "GET", lambda c: f"/pearson/staffmembers/{c.pearson_staff}/profile", 403),
    p("pearson-staff-profile-of-a-student", "GET", lambda c: f"/pearson/staffmembers/{c.student}/profile", 404),
    p("pearson-staff-profile-no-token", "GET", lambda c: f"/pearson/staffmembers/{c.pearson_staff}/profile", 401,
      token=None),
    p("pearson-api-class-no-source", "GET", lambda c: f"/pearson/api/Class?ssdsClassId={c.social_club}", 400,
      token=None),
    p("pearson-api-class-no-class", "GET", lambda c: "/pearson/api/Class?source=1", 400, token=None),
    p("pearson-api-class-bad-source", "GET",
      lambda c: f"/pearson/api/Class?ssdsClassId={c.social_club}&source=%3Cscript%3E", 400, token=None),
    p("pearson-api-class-unknown-class", "GET", lambda c: "/pearson/api/Class?ssdsClassId=nope&source=1", 404,
      token=None),
    p("pearson-api-class-forged-token", "GET", lambda c: f"/pearson/api/Class?ssdsClassId={c.social_club}&source=1",
      401, token="forged"),
    pb("pearson-token-no-client", "POST", lambda c: "/pearson/api/connect/token", 400, token=None,
       data={"username": "x", "password": "y"}),
    pb("pearson-token-bad-password", "POST", lambda c: "/pearson/api/connect/token", 400, token=None,
       data=lambda c: {"username": "olivia.online@example.com", "password": "wrong",
                       "clientId": c.pearson_client["clientId"], "clientSecret": c.pearson_client["clientSecret"]}),
    pb("pearson-token-json-body", "POST", lambda c: "/pearson/api/connect/token", 400, token=None,
       json={"clientId": "x"}),
    i("ispring-no-token", 401, lambda c: c.ispring_headers(Authorization=None)),
    i("ispring-unknown-account-url", 401, lambda c: c.ispring_headers(X_Auth_Account_Url="https://nobody.ispringlearn.com")),
    i("ispring-learner-role", 403, lambda c: c.ispring_headers("learner")),
    i("ispring-unknown-session", 404, session=lambda c: G),
    i("ispring-malformed-session", 400, session=lambda c: "not-a-uuid"),
    i("ispring-user-ids-null", 400, json={"userIds": None}),
    i("ispring-malformed-user-id", 400, json={"userIds": ["x"]}),
    i("ispring-not-json", 400, data="userIds=1", content_type="application/json"),
    i("ispring-form-content-type", 400, data="userIds=1", content_type="application/x-www-form-urlencoded"),
    i("ispring-accept-html", 406, lambda c: c.ispring_headers(Accept="text/html")),
    i("ispring-accept-json-q0", 406, lambda c: c.ispring_headers(Accept="application/json;q=0")),
    r("ispring-sessions-learner", "POST", lambda c: "/session/list", 403, who="learner", json={}),
    r("ispring-sessions-unknown-id", "POST", lambda c: "/session/list", 404, json={"sessionIds": [G]}),
    r("ispring-sessions-malformed-id", "POST", lambda c: "/session/list", 400, json={"sessionIds": ["x"]}),
    r("ispring-sessions-ids-not-a-list", "POST", lambda c: "/session/list", 400, json={"sessionIds": G}),
    r("ispring-sessions-body-not-object", "POST", lambda c: "/session/list", 400, json=[G]),
    r("ispring-sessions-form-body", "POST", lambda c: "/session/list", 400, data="sessionIds=1",
      content_type="application/x-www-form-urlencoded"),
    r("ispring-sessions-no-token", "POST", lambda c: "/session/list", 401, who=None, json={}),
    r("ispring-info-unknown", "GET", lambda c: f"/session/{G}/info", 404),
    r("ispring-info-malformed", "GET", lambda c: "/session/nope/info", 400),
    r("ispring-info-learner", "GET", lambda c: f"/session/{c.session}/info", 403, who="learner"),
    r("ispring-info-wrong-method", "DELETE", lambda c: f"/session/{c.session}/info", 405),
    r("ispring-user-unknown", "GET", lambda c: f"/user/{G}", 404),
    r("ispring-user-not-a-uuid", "GET", lambda c: "/user/42", 404),
    r("ispring-user-learner", "GET", lambda c: f"/user/{c.user}", 403, who="learner"),
    r("ispring-users-bad-department", "GET", lambda c: "/user?departments[]=x", 400),
    r("ispring-users-bad-group", "GET", lambda c: "/user?groups[]=x", 400),
    r("ispring-users-learner", "GET", lambda c: "/user", 403, who="learner"),
    r("ispring-users-accept-text-xml", "GET", lambda c: "/user", 406, accept="text/xml"),
    r("ispring-departments-page-size-text", "GET", lambda c: "/departments?pageSize=abc", 400),
    r("ispring-departments-page-size-0", "GET", lambda c: "/departments?pageSize=0", 400),
    r("ispring-departments-page-token-garbage", "GET", lambda c: "/departments?pageToken=%%%", 400),
    r("ispring-departments-page-token-unknown", "GET", lambda c: "/departments?pageToken=" + _b64(G), 400),
    r("ispring-departments-learner", "GET", lambda c: "/departments", 403, who="learner"),
    r("ispring-department-unknown", "GET", lambda c: f"/department/{G}", 404),
    r("ispring-department-learner", "GET", lambda c: f"/department/{c.department}", 403, who="learner"),
    t("ispring-token-empty-client-id", 401, lambda c: {"client_id": "", "client_secret": "x",
                                                       "grant_type": "client_credentials"}),
    t("ispring-token-accept-html", 406, lambda c: {"client_id": c.clients["owner"]["clientId"],
                                                  "client_secret": c.clients["owner"]["clientSecret"],
                                                  "grant_type": "client_credentials"}, accept="text/html"),
    t("ispring-token-wrong-grant", 400, lambda c: {"client_id": c.clients["owner"]["clientId"],
                                                  "client_secret": c.clients["owner"]["clientSecret"],
                                                  "grant_type": "password"}),
    t("ispring-token-bad-secret", 401, lambda c: {"client_id": c.clients["owner"]["clientId"],
                                                 "client_secret": "nope", "grant_type": "client_credentials"}),
    t("ispring-token-non-ascii-secret", 401, lambda c: {"client_id": c.clients["owner"]["clientId"],
                                                       "client_secret": "\u00e9", "grant_type": "client_credentials"}),
    t("ispring-token-missing-field", 400, lambda c: {"grant_type": "client_credentials"}),
]


def _enrollment(c: Ctx) -> str:
    return next(iter(c.tenant.world("ispring").enrollments))


def _day(c: Ctx) -> str:
    return next(iter(c.tenant.world("ispring").training_days))


# iSpring learning and webhooks (issue 28)
CASES += [
    r("ispring-enroll-unknown-learner", "POST", lambda c: "/enrollment", 400,
      json={"learnerIds": [G], "courseIds": [G]}),
    r("ispring-enroll-bad-due-type", "POST", lambda c: "/enrollment", 400,
      json={"learnerIds": [G], "courseIds": [G], "dueDateType": "soon"}),
    r("ispring-enroll-due-date-missing", "POST", lambda c: "/enrollment", 400,
      json={"learnerIds": [G], "courseIds": [G], "dueDateType": "due_date"}),
    r("ispring-enroll-form-body", "POST", lambda c: "/enrollment", 400, data="learnerIds=1",
      content_type="application/x-www-form-urlencoded"),
    r("ispring-enroll-learner", "POST", lambda c: "/enrollment", 403, who="learner",
      json={"learnerIds": [G], "courseIds": [G]}),
    r("ispring-enrollment-unknown", "GET", lambda c: f"/enrollment/{G}", 404),
    r("ispring-enrollment-malformed", "GET", lambda c: "/enrollment/nope", 400),
    r("ispring-enrollment-update-no-date", "POST", lambda c: f"/enrollment/{_enrollment(c)}", 400,
      json={"dueDateType": "unlimited"}),
    r("ispring-enrollments-bad-token", "GET", lambda c: "/enrollments?pageToken=" + _b64(G), 400),
    r("ispring-enrollments-bad-filter", "GET", lambda c: "/enrollments?courseIds[]=x", 400),
    r("ispring-unenroll-unknown", "POST", lambda c: "/enrollment/delete", 400,
      json={"enrollmentIds": [G]}),
    r("ispring-course-status-bad-status", "POST", lambda c: "/statistics/course", 400,
      json={"courseId": G, "enrollmentIds": [G], "status": "done"}),
    r("ispring-course-status-other-course", "POST", lambda c: "/statistics/course", 400,
      json={"courseId": G, "enrollmentIds": [G], "status": "complete"}),
    r("ispring-module-status-unknown-item", "POST", lambda c: "/statistics/module", 400,
      json={"courseId": G, "enrollmentIds": [G], "moduleStatuses": [{"contentItemId": G, "status": "complete"}]}),
    r("ispring-module-reset-no-course", "DELETE", lambda c: "/statistics/module", 400),
    r("ispring-task-unknown", "GET", lambda c: "/task/1/status", 404),
    r("ispring-task-not-a-number", "GET", lambda c: "/task/x/status", 400),
    r("ispring-results-bad-status", "GET", lambda c: "/learners/results?completionStatuses=done", 400),
    r("ispring-results-bad-range", "GET", lambda c: "/learners/results?dueDate[startDate]=later", 400),
    r("ispring-results-learner", "GET", lambda c: "/learners/modules/results", 403, who="learner"),
    r("ispring-content-unknown", "GET", lambda c: f"/content/{G}", 404),
    r("ispring-content-bad-type", "GET", lambda c: "/contents?contentTypes=Film", 400),
    r("ispring-course-modules-unknown", "GET", lambda c: f"/course/{G}/modules", 404),
    r("ispring-final-statuses-malformed", "GET", lambda c: "/content/x/final_statuses", 400),
    r("ispring-create-content-video", "POST", lambda c: "/content/create/Video", 400,
      json={"folder_id": G, "title": "x"}),
    r("ispring-create-content-no-title", "POST", lambda c: "/content/create/Course", 400, json={"folder_id": G}),
    r("ispring-webhook-remote-callback", "POST", lambda c: "/webhook/register", 400,
      json={"subscriberName": "x", "callbackUrl": "http://203.0.113.9/hook"}),
    r("ispring-webhook-metadata-callback", "POST", lambda c: "/webhook/register", 400,
      json={"subscriberName": "x", "callbackUrl": "http://169.254.169.254/latest/meta-data"}),
    r("ispring-webhook-file-callback", "POST", lambda c: "/webhook/register", 400,
      json={"subscriberName": "x", "callbackUrl": "file:///etc/passwd"}),
    r("ispring-webhook-no-name", "POST", lambda c: "/webhook/register", 400, json={"callbackUrl": "http://127.0.0.1/"}),
    r("ispring-webhook-unknown-subscriber", "GET", lambda c: "/webhook/subscriber/info?subscriberName=x", 404),
    r("ispring-webhook-subscriber-name-missing", "GET", lambda c: "/webhook/subscription/list", 400),
    r("ispring-webhook-confirm-unknown", "POST", lambda c: "/webhook/confirm", 404,
      json={"subscriberName": "x", "code": "y"}),
    r("ispring-webhook-learner", "POST", lambda c: "/webhook/code/send", 403, who="learner",
      json={"subscriberName": "x"}),
    r("ispring-learning-track-no-ids", "GET", lambda c: "/learning_track/courses", 400),
    r("ispring-course-modules-no-ids", "GET", lambda c: "/courses/modules", 400),
    r("ispring-points-unknown-user", "POST", lambda c: "/gamification/points/award", 400,
      json={"userId": G, "amount": 5, "reason": "x"}),
    r("ispring-points-negative", "POST", lambda c: "/gamification/points/withdraw", 400,
      json={"userId": G, "amount": -5, "reason": "x"}),
    r("ispring-points-bad-filter", "GET", lambda c: "/gamification/points?userIds[]=x", 400),
    r("ispring-certificate-unknown", "GET", lambda c: f"/certificate/{G}", 404),
    r("ispring-training-unknown", "GET", lambda c: f"/training/{G}", 404),
    r("ispring-training-malformed", "GET", lambda c: "/training/x/sessions", 400),
    r("ispring-training-day-unknown", "POST", lambda c: f"/training/day/{G}", 404, json={"url": "https://x"}),
    r("ispring-training-attendance-stranger", "POST", lambda c: "/training/day/" + _day(c) +
      "/participants/attendance/update", 400, json={"participantsAttendance": [{"participantId": G,
                                                                                "isAttended": True}]}),
    r("ispring-training-attendance-no-list", "POST", lambda c: "/training/day/" + _day(c) +
      "/participants/attendance/update", 400, json={}),
]


# iSpring people and organisation (issue 27): every refusal leaves the account as it was
def _login(c: Ctx, **override: str) -> dict[str, str]:
    creds = c.tenant.world("ispring").credentials()
    login = creds["logins"][0]
    return {"X-Auth-Account-Url": creds["accountUrl"], "X-Auth-Email": login["email"],
            "X-Auth-Password": login["password"], "Accept": "application/json", **override}


def lg(ident: str, status: int, **headers: str) -> Case:
    return (ident, "ispring", "GET", lambda c: "/ispring/api/v2/users",
            lambda c: {"headers": _login(c, **{k.replace("_", "-"): v for k, v in headers.items()})}, status)


CASES += [
    lg("ispring-login-wrong-password", 401, X_Auth_Password="nope"),
    lg("ispring-login-unknown-email", 401, X_Auth_Email="nobody@example.com"),
    lg("ispring-login-unknown-account", 401, X_Auth_Account_Url="https://nobody.ispringlearn.com"),
    lg("ispring-login-accept-html", 406, Accept="text/html"),
    r("ispring-user-list-page-0", "POST", lambda c: "/user/list", 400, json={"page": 0}),
    r("ispring-user-list-page-size-text", "POST", lambda c: "/user/list", 400, json={"pageSize": "many"}),
    r("ispring-user-list-bad-department", "POST", lambda c: "/user/list", 400, json={"departments": ["x"]}),
    r("ispring-user-list-unknown-field", "POST", lambda c: "/user/list", 400,
      json={"profileFields": [{"name": "nope", "values": ["a"]}]}),
    r("ispring-user-list-bad-xml", "POST", lambda c: "/user/list", 400, data="<request><page>",
      content_type="application/xml"),
    r("ispring-user-list-doctype", "POST", lambda c: "/user/list", 400,
      data='<!DOCTYPE r [<!ENTITY a "b">]><request>&a;</request>', content_type="application/xml"),
    r("ispring-user-list-learner", "POST", lambda c: "/user/list", 403, who="learner", json={}),
    r("ispring-users-page-token-garbage", "GET", lambda c: "/users?pageToken=%%%", 400),
    r("ispring-add-user-no-fields", "POST", lambda c: "/user", 400, json={"departmentId": G}),
    r("ispring-add-user-unknown-department", "POST", lambda c: "/user", 400,
      json={"departmentId": G, "fields": {"login": "x"}}),
    r("ispring-add-user-taken-login", "POST", lambda c: "/user", 400,
      json=lambda c: {"departmentId": c.department, "fields": {"login": c.owner_login.upper()}}),
    r("ispring-add-user-bad-role", "POST", lambda c: "/user", 400,
      json=lambda c: {"departmentId": c.department, "role": "king", "fields": {"login": "brand.new"}}),
    r("ispring-add-user-fields-not-object", "POST", lambda c: "/user", 400,
      json=lambda c: {"departmentId": c.department, "fields": "login=x"}),
    r("ispring-update-user-unknown", "POST", lambda c: f"/user/{G}", 404, json={"fields": {"first_name": "X"}}),
    r("ispring-update-user-unknown-field", "POST", lambda c: f"/user/{c.user}", 400, json={"fields": {"shoe": "9"}}),
    r("ispring-update-user-learner", "POST", lambda c: f"/user/{c.user}", 403, who="learner", json={"fields": {}}),
    r("ispring-delete-owner", "DELETE", lambda c: f"/user/{c.user}", 400),
    r("ispring-status-bad", "POST", lambda c: f"/user/{c.user}/status", 400, json={"status": 2}),
    r("ispring-password-empty", "POST", lambda c: f"/user/{c.user}/password", 400, json={"password": ""}),
    r("ispring-schedule-bad-date", "POST", lambda c: f"/user/{c.user}/scheduled_termination", 400,
      json={"date": "tomorrow"}),
    r("ispring-subordination-manual-without-supervisor", "POST", lambda c: f"/user/{c.user}/subordination", 400,
      json={"subordination": {"subordinationType": "manual"}}),
    r("ispring-bulk-unknown-user", "POST", lambda c: "/users/deactivate", 404, json=lambda c: {"userIds": [c.user, G]}),
    r("ispring-bulk-deactivate-with-the-owner", "POST", lambda c: "/users/deactivate", 400,
      json=lambda c: {"userIds": [c.ispring_learner, c.user]}),
    r("ispring-work-leave-ends-before-it-starts", "POST", lambda c: "/users/work-leave-status", 400,
      json=lambda c: {"workLeaveStatuses": [
          {"userId": c.ispring_learner, "workLeaveReason": "OnVacation", "startDate": "2030-01-01"},
          {"userId": c.user, "workLeaveReason": "OnVacation", "startDate": "2030-01-05", "endDate": "2030-01-01"}]}),
    r("ispring-update-user-unknown-group", "POST", lambda c: f"/user/{c.ispring_learner}", 400,
      json=lambda c: {"departmentId": c.department, "groupIds": [G]}),
    r("ispring-work-leave-bad-reason", "POST", lambda c: "/users/work-leave-status", 400,
      json=lambda c: {"workLeaveStatuses": [{"userId": c.user, "workLeaveReason": "Napping"}]}),
    r("ispring-add-department-no-parent", "POST", lambda c: "/department", 400, json={"name": "X"}),
    r("ispring-department-cycle", "POST", lambda c: f"/department/{c.department}", 400,
      json=lambda c: {"parentDepartmentId": c.department}),
    r("ispring-department-delete-holding-users", "DELETE", lambda c: f"/department/{c.user_department}", 400),
    r("ispring-move-departments-missing-ids", "POST", lambda c: f"/department/{c.department}/department/move", 400,
      json={}),
    r("ispring-group-unknown", "GET", lambda c: f"/group/{G}", 404),
    r("ispring-group-no-name", "POST", lambda c: "/group", 400, json={"userIds": []}),
    r("ispring-smart-group-unknown-department", "POST", lambda c: "/group/smart", 400, json={
        "name": "S", "rules": {"and": [{"or": [{"rule": {"attributeType": 1, "operator": 1, "value": G}}]}]}}),
    r("ispring-smart-group-bad-operator", "POST", lambda c: "/group/smart", 400, json={
        "name": "S", "rules": {"and": [{"or": [{"rule": {"attributeType": 1, "operator": 9, "value": G}}]}]}}),
    r("ispring-group-members-unknown-user", "POST", lambda c: f"/group/{c.group}/members", 400, json={"userIds": [G]}),
]

def _fingerprint(tenant: Any) -> str:
    state = {name: _whole_dump(name, world) for name, world in tenant.worlds.items()}
    for world_state in state.values():
        world_state.pop("tokens", None)
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


@pytest.fixture(scope="module")
def ctx() -> Ctx:
    return Ctx(create_app({"seed": 42}))


def test_the_table_is_big_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input(ctx: Ctx, case: Case) -> None:
    ident, vendor, method, path, kwargs, status = case
    before = _fingerprint(ctx.tenant)
    resp = ctx.app.test_client().open(path(ctx), method=method, **kwargs(ctx))
    text = resp.get_data(as_text=True)
    assert resp.status_code == status, text
    assert "Traceback" not in text and "File \"" not in text
    contract.validate(vendor, "error", resp.get_json())
    assert _fingerprint(ctx.tenant) == before
