"""Absorb's OAuth 2.0 sign-in in a real headless Chromium: the login page, the consent page, the redirect with
the code (issue 29). Skips cleanly without /usr/bin/chromium or the ``playwright`` package, as the dashboard's
browser test does. Screenshots go to a temporary folder (``LMS_EMULATOR_SHOTS_DIR`` to keep them)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

CHROMIUM = Path(os.environ.get("LMS_EMULATOR_CHROMIUM", "/usr/bin/chromium"))
SHOTS = Path(os.environ.get("LMS_EMULATOR_SHOTS_DIR") or tempfile.mkdtemp(prefix="lms-oauth-shots-"))
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CALLBACK = "https://portal-app.example/oauth/callback"

if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (run .ci/install-browser)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
expect = sync_api.expect


pytestmark = pytest.mark.slow  # a real browser (Chromium, playwright)


def test_a_learner_signs_in_and_consents_in_a_browser():
    from emulator.testing import EmulatorServer

    with EmulatorServer({"seed": 42}) as server:
        world = server.store.tenants["default"].world("absorb")
        learner = next(u for u in world.users.values() if not u.is_admin)
        made = requests.post(f"{server.url}/_emulator/tenants/default/absorb/oauth-clients",
                             json={"name": "Learner portal", "redirectUris": [CALLBACK]}, timeout=10).json()
        url = (f"{server.url}/absorb/oauth/authorize?client_id={made['clientId']}&redirect_uri={CALLBACK}"
               f"&response_type=code&scope=admin.v1&state=abc")
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            page = browser.new_page(viewport={"width": 800, "height": 700})
            page.route("https://portal-app.example/**",  # the app's callback: no network here
                       lambda route: route.fulfill(status=200, content_type="text/html", body="<p>signed in</p>"))
            page.goto(url)
            expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
            expect(page.get_by_label("Username")).to_be_focused()
            page.screenshot(path=str(SHOTS / "oauth-login.png"))
            page.get_by_label("Username").fill(learner.username)
            page.get_by_label("Password").fill("wrong")
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("alert")).to_contain_text("not valid")
            expect(page.get_by_label("Username")).to_have_value(learner.username)
            page.get_by_label("Password").fill("learner")
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Allow access?")).to_be_visible()
            expect(page.get_by_text(learner.full_name)).to_be_visible()
            page.screenshot(path=str(SHOTS / "oauth-consent.png"))
            page.get_by_role("button", name="Allow").click()
            page.wait_for_url("https://portal-app.example/**")
            got = parse_qs(urlsplit(page.url).query)
            browser.close()
        assert got["state"] == ["abc"] and got["code"][0]
        token = requests.post(f"{server.url}/absorb/oauth/token", headers={"x-api-key": world.api_key}, data={
            "grant_type": "authorization_code", "code": got["code"][0], "redirect_uri": CALLBACK,
            "client_id": made["clientId"], "client_secret": made["clientSecret"]}, timeout=10)
        assert token.status_code == 200
