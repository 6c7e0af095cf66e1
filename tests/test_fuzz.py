"""Schemathesis fuzzes every operation of each vendor's OpenAPI document against a live, authenticated server.

Checks: no server error, every response conforms to its schema and its documented status codes.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from emulator.testing import EmulatorServer

EXAMPLES = int(os.environ.get("LMS_EMULATOR_FUZZ_EXAMPLES", "15"))
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"


pytestmark = pytest.mark.slow  # schemathesis runs: minutes of the suite; `-m "not slow"` leaves them out


def _absorb_headers(server: EmulatorServer) -> dict[str, str]:
    world = server.store.tenants["default"].world("absorb")
    # a dedicated admin token: the fuzzer must not revoke it by authenticating as 'admin'
    headers = {"x-api-key": world.api_key, "x-api-version": "2"}
    token = requests.post(f"{server.url}/absorb/authenticate", headers=headers,
                          json={"username": "admin", "password": "admin", "privateKey": world.api_key}).json()
    return {**headers, "Authorization": f"Bearer {token}"}


def _pearson_headers(server: EmulatorServer) -> dict[str, str]:
    """A staff member's token (the widest documented access), issued the way the admin API issues it."""
    from emulator.pearson.domain.signing import issue_token

    tenant = server.store.tenants["default"]
    world = tenant.world("pearson")
    staff = next(u for u in world.users.values() if "StaffMember" in u.roles)
    return {"Authorization": f"Bearer {issue_token(world, staff.id, tenant.clock.now())}"}


def _ispring_headers(server: EmulatorServer) -> dict[str, str]:
    creds = server.store.tenants["default"].world("ispring").credentials()
    owner = next(c for c in creds["clients"] if c["name"] == "owner")
    token = requests.post(f"{server.url}/ispring/api/v3/token", data={
        "client_id": owner["clientId"], "client_secret": owner["clientSecret"],
        "grant_type": "client_credentials"}).json()["access_token"]
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}  # the token names the account


AUTH = {"absorb": _absorb_headers, "pearson": _pearson_headers, "ispring": _ispring_headers}


def _schemathesis() -> str:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
    if not found:
        pytest.skip("schemathesis is not installed")
    return found


# The Absorb lookups (users, departments, courses) are fuzzed on their own, as a real v2 client calls them (raw
# token, no x-api-version); the other Absorb operations with 'Bearer' and 'x-api-version: 2'. Two runs that
# pytest-xdist can place on its two workers.
ABSORB_LOOKUPS_PATHS = "^/(users|departments|courses)(/{[a-z_]+})?(/upload)?$"
ABSORB_LOOKUPS = {"GET /users", "GET /users/{user_id}", "PUT /users/{user_id}", "POST /users", "POST /users/upload",
                  "GET /departments", "GET /departments/{department_id}", "GET /courses", "GET /courses/{course_id}"}

ABSORB_REFERENCE = {"GET /groups", "GET /groups/{group_id}", "GET /roles", "GET /roles/{role_id}", "GET /countries",
                    "GET /countries/{country_id}", "GET /provinces", "GET /provinces/{province_id}",
                    "GET /users/{user_id}/courses"}
# issue 29's second half: languages, course versions, prerequisites, evaluations, attendance, credits, messages
ABSORB_LEARNING = {"GET /languages", "GET /languages/{language_id}", "GET /course-versions/{version_id}",
                   "GET /course/{course_id}/versions", "GET /prerequisites", "GET /prerequisites/{prerequisite_id}",
                   "GET /course/{course_id}/prerequisites", "GET /courses/{course_id}/evaluations",
                   "GET /instructor-led-course-sessions/{session_id}/attendance",
                   "PUT /instructor-led-course-sessions/{session_id}/attendance", "GET /credits/credit-types",
                   "GET /credits/users/{user_id}", "GET /messages/{message_id}", "GET /users/{user_id}/messages",
                   "GET /learning-path/{user_id}"}
# issue 29's second half: what a portal sells and defines, and the department write
ABSORB_OFFERINGS = {"GET /courses/for-sale", "GET /course-bundles", "GET /course-bundles/for-sale",
                    "GET /course-bundles/{course_bundle_id}", "GET /coupons", "GET /coupons/{coupon_id}",
                    "GET /e-commerce/transactions", "GET /e-commerce/transactions/{transaction_id}",
                    "GET /enrollment-keys", "GET /enrollment-keys/{enrollment_key_id}", "GET /custom-field-definitions",
                    "GET /custom-field-definitions/{custom_field_definition_id}",
                    "GET /competency-definitions/{competency_definition_id}", "GET /question-banks",
                    "GET /question-banks/{question_bank_id}", "GET /self-assessments/{self_assessment_id}",
                    "GET /external-training/templates", "GET /external-training/templates/{template_id}",
                    "GET /external-training/submissions", "GET /external-training/submissions/{submission_id}",
                    "POST /create-department", "GET /curriculums/for-sale"}
# issue 29, the last operations
ABSORB_LAST = {"GET /users/{user_id}/resources", "GET /enrollments/{enrollment_id}/resources",
               "GET /managers/{manager_id}/users", "GET /curriculums/curriculum-group",
               "GET /curriculums/multiple-curriculum-groups", "POST /create-absorb-account",
               "GET /courses/session-details", "GET /managers/roles"}


def _run(cli: str, server: EmulatorServer, vendor: str, headers: dict[str, str], report: Path,
         *extra: str, config: Path | None = None) -> set[str]:
    """One schemathesis run; the operations it exercised, from its report. ``config``: a schemathesis.toml (e.g.
    path parameters naming real entities, so that the run reaches past 404)."""
    cmd = [cli, *(["--config-file", str(config)] if config else []), "run", f"{server.url}/{vendor}/openapi.json",
           "--url", f"{server.url}/{vendor}",
           "-n", str(EXAMPLES), "-c", CHECKS, "--seed", "1", "--phases", "coverage,fuzzing",
           "--report", "ndjson", "--report-ndjson-path", str(report), *extra]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    summary = result.stdout[-3000:]
    print(summary)
    assert result.returncode == 0, summary
    assert "passed" in summary
    return set(re.findall(r'"label":"([A-Z]+ [^"]+)"', report.read_text()))


@pytest.mark.parametrize("vendor", sorted(AUTH))
def test_fuzz_vendor_operations(vendor, tmp_path):
    cli = _schemathesis()
    with EmulatorServer({"seed": 42}) as server:
        extra = ("--exclude-path-regex", ABSORB_LOOKUPS_PATHS) if vendor == "absorb" else ()
        fuzzed = _run(cli, server, vendor, AUTH[vendor](server), tmp_path / "report.json", *extra)
        assert fuzzed
        if vendor == "absorb":
            assert fuzzed >= ABSORB_REFERENCE, ABSORB_REFERENCE - fuzzed
            assert fuzzed >= ABSORB_LEARNING, ABSORB_LEARNING - fuzzed
            assert fuzzed >= ABSORB_OFFERINGS, ABSORB_OFFERINGS - fuzzed
            assert fuzzed >= ABSORB_LAST, ABSORB_LAST - fuzzed


def test_fuzz_absorb_lookups_as_a_real_v2_client_calls_them(tmp_path):
    """Users, departments and courses with the raw token and no x-api-version, as AbsorbSync sends them."""
    cli = _schemathesis()
    with EmulatorServer({"seed": 42}) as server:
        headers = _absorb_headers(server)
        raw = {"x-api-key": headers["x-api-key"], "Authorization": headers["Authorization"].removeprefix("Bearer ")}
        fuzzed = _run(cli, server, "absorb", raw, tmp_path / "report.json", "--include-path-regex",
                      ABSORB_LOOKUPS_PATHS)
        assert fuzzed == ABSORB_LOOKUPS


# Pearson's class-details routes (issue 30), fuzzed on their own: the staff routes (and UpdateTime) with a token of
# a staff member whose center holds classes, the territory's openapi/ route with that center's territory token.
PEARSON_CLASS_DETAILS = {"GET /classes/{ssds_class_id}/details", "GET /classes/{ssds_class_id}/details/refresh",
                         "PUT /classes/{ssds_class_id}/UpdateTime"}


def test_fuzz_pearson_class_details(tmp_path):
    from emulator.pearson.domain.signing import issue_token
    from emulator.pearson.domain.tokens import territory_token

    cli = _schemathesis()
    with EmulatorServer({"seed": 42}) as server:
        tenant = server.store.tenants["default"]
        world, now = tenant.world("pearson"), tenant.clock.now()
        center = next(c for c in world.centers.values()
                      if not c.is_online and any(k.center_id == c.id for k in world.classes.values()))
        staff = next(u for u in world.users.values() if "StaffMember" in u.roles and u.center_id == center.id)
        cls = next(k for k in world.classes.values() if k.center_id == center.id and k.start > now)
        config = tmp_path / "schemathesis.toml"  # every case names a real class of the staff member's center
        config.write_text(f'[parameters]\n"path.ssds_class_id" = "{cls.ref_class_id}"\n'
                          f'"path.ref_class_id" = "{cls.ref_class_id}"\n')
        staff_headers = {"Authorization": f"Bearer {issue_token(world, staff.id, now)}"}
        fuzzed = _run(cli, server, "pearson", staff_headers, tmp_path / "staff.json",
                      "--include-path-regex", "^/classes/{[a-z_]+}/(details(/refresh)?|UpdateTime)$", config=config)
        assert fuzzed == PEARSON_CLASS_DETAILS, fuzzed
        territory = world.territories[center.territory_id]
        territory_headers = {"Authorization": f"Bearer {territory_token(world, territory, now)}"}
        fuzzed = _run(cli, server, "pearson", territory_headers, tmp_path / "territory.json",
                      "--include-path-regex", "^/openapi/classes/{[a-z_]+}/details$", config=config)
        assert fuzzed == {"GET /openapi/classes/{ref_class_id}/details"}, fuzzed
