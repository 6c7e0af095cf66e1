"""``serve --tls``: each vendor over HTTPS, with the client checking the certificate against the emulator's
own authority (and refusing without it)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from emulator import tls
from emulator.core import contract
from emulator.config import Settings, tls_dir
from emulator.testing import EmulatorProcess, stop_process


@pytest.fixture(scope="module")
def https_server():
    with EmulatorProcess({"seed": 42}, tls=True) as server:
        yield server


def test_every_vendor_answers_over_https_with_verification_on(https_server):
    assert https_server.url.startswith("https://127.0.0.1:")
    assert Path(https_server.verify).is_file()
    tenant = https_server.create_tenant()
    absorb = tenant.absorb()
    assert absorb.verify == https_server.verify
    users = absorb.get(f"{tenant.url}/absorb/users", params={"_limit": 2}, timeout=30)
    assert users.status_code == 200
    contract.validate("absorb", "user-page", users.json())
    ispring = tenant.ispring()
    sessions = ispring.post(f"{tenant.url}/ispring/performance-management/appraisal/session/list", json={},
                            timeout=30)
    assert sessions.status_code == 200
    contract.validate("ispring", "appraisal-session-list", sessions.json())
    student = tenant.info["pearson"]["users"][0]["id"]
    encounters = tenant.pearson(student).get(f"{tenant.url}/pearson/users/{student}/encounters", timeout=30)
    assert encounters.status_code == 200
    contract.validate("pearson", "available-encounter-list", encounters.json())
    dashboard = requests.get(f"{https_server.url}/_emulator/", headers={"Accept": "text/html"}, timeout=30,
                             verify=https_server.verify)
    assert dashboard.status_code == 200 and "text/html" in dashboard.headers["Content-Type"]
    tenant.delete()


def test_a_client_without_the_authority_refuses_the_certificate(https_server):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(https_server.url + "/", timeout=30, verify=True)  # the public roots only


def test_localhost_is_a_name_on_the_certificate(https_server):
    url = https_server.url.replace("127.0.0.1", "localhost")
    assert requests.get(url + "/", timeout=30, verify=https_server.verify).status_code == 200


def test_the_authority_is_made_once_and_kept(tmp_path):
    first = tls.server_certificate("127.0.0.1", tmp_path)
    again = tls.server_certificate("127.0.0.1", tmp_path)
    assert first.ca_file == again.ca_file == tmp_path / "ca.pem"
    assert (tmp_path / "ca-key.pem").stat().st_mode & 0o077 == 0  # the key is the user's only
    assert first.cert_file != again.cert_file  # a fresh server certificate per start


def test_names_on_the_certificate(monkeypatch):
    monkeypatch.setenv("LMS_EMULATOR_TLS_NAMES", "lms-emulator, emulator.test,bad name")
    names = tls.names("0.0.0.0", Settings.load().tls_names)  # read through Settings, as every switch
    assert names[:3] == ["localhost", "127.0.0.1", "::1"]
    assert "0.0.0.0" not in names and "lms-emulator" in names and "emulator.test" in names
    assert "bad name" not in names
    assert "10.1.2.3" in tls.names("10.1.2.3")


@pytest.mark.parametrize("server", ["werkzeug"])
def test_werkzeug_serves_https_too(server):
    with EmulatorProcess({"seed": 42}, server=server, tls=True) as live:
        assert requests.get(live.url + "/", timeout=30, verify=live.verify).json()["service"] == "lms-emulator"


def test_start_up_output_says_where_the_authority_is_and_how_to_trust_it():
    proc = subprocess.Popen([sys.executable, "-m", "emulator.cli", "serve", "--tls", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "curl --cacert" in line:
                break
    finally:
        stop_process(proc)
    text = "".join(lines)
    ca_file = str(tls_dir() / "ca.pem")
    assert re.search(r"listening on https://127\.0\.0\.1:\d+ ", text)
    assert f"certificate authority {ca_file}" in text
    for variable in ("REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE"):
        assert f"{variable}={ca_file}" in text


def test_gunicorn_refuses_tls_in_one_line():
    out = subprocess.run([sys.executable, "-m", "emulator.cli", "serve", "--tls", "--server", "gunicorn"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and out.stderr.startswith("lms-emulator: --tls")
