"""Stubs through the pytest plugin (``lms_tenant.stub`` and ``@pytest.mark.lms_stub``), and ``serve
--fallback-target`` forwarding a call the emulator does not serve, on live servers."""
from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from emulator.testing import EmulatorProcess


def test_a_stub_added_through_the_plugin_answers_an_unserved_route(lms_tenant):
    base = lms_tenant.info["baseUrls"]["absorb"]
    absorb = lms_tenant.absorb()
    assert absorb.get(f"{base}/certificates/1").status_code == 404  # not emulated
    lms_tenant.stub("GET", "/absorb/certificates/*", json={"id": "c-1", "name": "First aid"})
    answer = absorb.get(f"{base}/certificates/1")
    assert answer.status_code == 200 and answer.json() == {"id": "c-1", "name": "First aid"}
    assert lms_tenant.stubs()[0]["hits"] == 1
    journal = lms_tenant.admin("GET", "/journal", params={"path": "/absorb/certificates/1"}).json()["entries"]
    assert [e["status"] for e in journal] == [404, 200] and journal[-1]["stub"]


@pytest.mark.lms_stub("GET", "/absorb/learning-paths", json=[{"id": "lp-1"}], headers={"X-Total": "1"})
def test_a_stub_from_the_marker(lms_tenant):
    answer = lms_tenant.absorb().get(f"{lms_tenant.info['baseUrls']['absorb']}/learning-paths")
    assert answer.json() == [{"id": "lp-1"}] and answer.headers["X-Total"] == "1"


def test_serve_fallback_target_forwards_an_unserved_call_to_the_real_service():
    with EmulatorProcess() as vendor:  # the "real service": another emulator
        real = vendor.create_tenant()
        real.stub("GET", "/absorb/certificates/*", json={"from": "the real service"})
        with EmulatorProcess({"fallback_target": f"absorb={vendor.url}/absorb"}) as emulator:
            answer = requests.get(f"{emulator.url}/absorb/certificates/3", timeout=30,
                                  headers={"x-api-key": real.info["absorb"]["apiKey"]})
            assert answer.status_code == 200 and answer.json() == {"from": "the real service"}
            served = requests.get(f"{emulator.url}/absorb/users", timeout=30)  # emulated: never forwarded
            assert served.status_code == 401


def test_serve_refuses_a_bad_fallback_target():
    run = subprocess.run([sys.executable, "-m", "emulator.cli", "serve", "--fallback-target", "ftp://x"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "--fallback-target" in run.stderr
