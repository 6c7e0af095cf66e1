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


def _absorb_headers(server: EmulatorServer) -> dict[str, str]:
    world = server.store.tenants["default"].world("absorb")
    # a dedicated admin token: the fuzzer must not revoke it by authenticating as 'admin'
    headers = {"x-api-key": world.api_key, "x-api-version": "2"}
    token = requests.post(f"{server.url}/absorb/authenticate", headers=headers,
                          json={"username": "admin", "password": "admin", "privateKey": world.api_key}).json()
    return {**headers, "Authorization": f"Bearer {token}"}


def _pearson_headers(server: EmulatorServer) -> dict[str, str]:
    """A staff member's token (the widest documented access), issued the way the admin API issues it."""
    from emulator.pearson.auth import issue_token

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


def _run(cli: str, server: EmulatorServer, vendor: str, headers: dict[str, str], report: Path,
         *extra: str) -> set[str]:
    """One schemathesis run; the operations it exercised, from its report."""
    cmd = [cli, "run", f"{server.url}/{vendor}/openapi.json", "--url", f"{server.url}/{vendor}",
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


def test_fuzz_absorb_lookups_as_a_real_v2_client_calls_them(tmp_path):
    """Users, departments and courses with the raw token and no x-api-version, as AbsorbSync sends them."""
    cli = _schemathesis()
    with EmulatorServer({"seed": 42}) as server:
        headers = _absorb_headers(server)
        raw = {"x-api-key": headers["x-api-key"], "Authorization": headers["Authorization"].removeprefix("Bearer ")}
        fuzzed = _run(cli, server, "absorb", raw, tmp_path / "report.json", "--include-path-regex",
                      ABSORB_LOOKUPS_PATHS)
        assert fuzzed == ABSORB_LOOKUPS
