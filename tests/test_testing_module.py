"""``emulator.testing`` for any test runner: importable without pytest, errors that carry the emulator's words."""
from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from emulator.testing import EmulatorHTTPError, EmulatorServer


def test_emulator_server_imports_and_runs_without_pytest() -> None:
    code = ("import sys; sys.modules['pytest'] = None\n"  # any `import pytest` now fails
            "from emulator.testing import EmulatorServer\n"
            "with EmulatorServer() as s:\n"
            "    t = s.create_tenant(fixture='ilc-full-waitlist')\n"
            "    print(t.info['fixture'], t.absorb().get(t.url + '/absorb/bulk/student-courses').status_code)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["ilc-full-waitlist", "200"]


@pytest.fixture(scope="module")
def server():
    with EmulatorServer() as srv:
        yield srv


def test_create_tenant_raises_with_the_emulators_message(server: EmulatorServer) -> None:
    with pytest.raises(EmulatorHTTPError) as caught:
        server.create_tenant(fixture="no-such-fixture")
    err = caught.value
    assert err.status == 400 and err.error == "BadRequest"
    assert "no fixture named 'no-such-fixture'" in err.message and "learner-mid-course" in err.message
    assert "no fixture named 'no-such-fixture'" in str(err) and str(err).startswith("creating a tenant: 400")
    assert isinstance(err, requests.HTTPError)  # code catching HTTPError keeps working


def test_vendor_errors_carry_the_vendors_message(server: EmulatorServer) -> None:
    tenant = server.create_tenant()
    try:
        with pytest.raises(EmulatorHTTPError) as caught:
            tenant.absorb(password="wrong")
        assert caught.value.status == 401 and caught.value.message
        with pytest.raises(EmulatorHTTPError, match="issuing a Pearson token for nobody: 404 NotFound: .+"):
            tenant.pearson("nobody")
    finally:
        tenant.delete()
