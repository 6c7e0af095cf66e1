"""The dashboard's "Download HAR" button in a real headless Chromium: the file is the tenant's journal as HAR 1.2.

Skips cleanly without /usr/bin/chromium or the ``playwright`` package, as ``test_dashboard_browser.py`` does."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from emulator.testing import EmulatorServer

CHROMIUM = Path(os.environ.get("LMS_EMULATOR_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (run .ci/install-browser)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")


pytestmark = pytest.mark.slow  # a real browser (Chromium, playwright)


@pytest.mark.parametrize("admin_token", [None, "s3cret-admin"])
def test_the_download_har_button_saves_the_journal(admin_token: str | None) -> None:
    settings = {"seed": 42, **({"admin_token": admin_token} if admin_token else {})}
    with EmulatorServer(settings) as server, sync_api.sync_playwright() as pw:
        tenant = server.create_tenant(id="har")
        absorb = tenant.absorb()
        assert absorb.get(f"{tenant.info['baseUrls']['absorb']}/courses", params={"_limit": "2"}).status_code == 200
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_context(accept_downloads=True).new_page()
            page.goto(server.url + "/_emulator/#tenant=har")
            if admin_token:  # the page asks for the token and sends it itself
                page.get_by_label("Admin token", exact=True).fill(admin_token)
                page.keyboard.press("Enter")
            sync_api.expect(page.locator("#journal-rows tr[data-seq]", has_text="/absorb/courses")).to_be_visible(
                timeout=5000)
            with page.expect_download() as info:
                page.get_by_role("button", name="Download HAR").click()
            download = info.value
            assert download.suggested_filename == "lms-emulator-har-journal.har"
            doc = json.loads(Path(download.path()).read_text())
        finally:
            browser.close()
    entries = doc["log"]["entries"]
    assert doc["log"]["version"] == "1.2"
    assert [(e["request"]["method"], e["_vendorPath"]) for e in entries] == [("POST", "/authenticate"),
                                                                            ("GET", "/courses")]
    assert tenant.info["absorb"]["apiKey"] not in json.dumps(doc)
