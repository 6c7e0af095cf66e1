"""The dashboard end to end in a real headless Chromium (issue 8).

Skips cleanly without /usr/bin/chromium or the ``playwright`` package
(``.ci/install-browser`` installs Chromium; ``playwright`` is in the ``test`` extra).
Browsers are never downloaded: Playwright drives the system Chromium.
Writes docs/dashboard.png (1280x900) and docs/dashboard-phone.png (390x844).
"""
from __future__ import annotations

import os
import tempfile
import re
from pathlib import Path

import pytest
import requests

CHROMIUM = Path(os.environ.get("LMS_EMULATOR_CHROMIUM", "/usr/bin/chromium"))
DOCS = Path(__file__).resolve().parents[2] / "docs"
# The README's screenshots are rewritten only when asked (they hold a port and a time):
# LMS_EMULATOR_SCREENSHOTS=1 make test. Otherwise they go to a temporary folder.
SHOTS = DOCS if os.environ.get("LMS_EMULATOR_SCREENSHOTS") else Path(tempfile.mkdtemp(prefix="lms-shots-"))
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (run .ci/install-browser)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
expect = sync_api.expect


pytestmark = pytest.mark.slow  # a real browser (Chromium, playwright)


@pytest.fixture(scope="module")
def server():
    from emulator.testing import EmulatorServer

    with EmulatorServer({"seed": 42}) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


def absorb_session(server) -> tuple[requests.Session, str]:
    from emulator.testing import Tenant

    info = requests.get(server.url + "/_emulator/tenants/default", timeout=10).json()
    return Tenant(server, info).absorb(), info["absorb"]["learners"][0]["userId"]


def test_dashboard_end_to_end(server, browser) -> None:
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("request", lambda r: None if r.url.startswith(server.url) else outside.append(r.url))
    page.on("dialog", lambda d: d.accept())  # reset / delete ask for confirmation
    page.goto(server.url + "/_emulator/")

    # the default tenant, its credentials and counts
    expect(page.locator("#tenant-rows th", has_text="default")).to_be_visible()
    api_key = requests.get(server.url + "/_emulator/tenants/default", timeout=10).json()["absorb"]["apiKey"]
    expect(page.locator("#credentials-body")).to_contain_text(api_key)
    expect(page.get_by_role("button", name="Copy absorb apiKey")).to_be_visible()
    expect(page.locator("#counts-body")).to_contain_text("courseEnrollments")
    expect(page.get_by_role("button", name="Admin token")).to_be_hidden()  # no token is required here
    expect(page.get_by_role("link", name="absorb")).to_have_attribute("href", "/absorb/openapi.json")

    # a vendor call shows up in the live journal, secrets masked in the details
    session, user_id = absorb_session(server)
    enrollments = f"/absorb/users/{user_id}/enrollments"
    assert session.get(server.url + enrollments, timeout=10).status_code == 200
    row = page.locator("#journal-rows tr[data-seq]", has_text=enrollments).first
    expect(row).to_be_visible(timeout=5000)
    expect(row).to_contain_text("200")
    row.get_by_role("button").click()
    detail = page.locator("#journal-rows tr.detail").first
    expect(detail).to_contain_text(re.compile(r"x-api-key: \*\*\*", re.I))
    expect(detail).to_contain_text(re.compile(r"Authorization: Bearer \*\*\*", re.I))
    expect(detail).not_to_contain_text(api_key)

    # arm a fault through the form: the next call fails
    page.get_by_label("Method").select_option("GET")
    page.get_by_label("Path glob").fill("/absorb/users/*/enrollments")
    page.get_by_label("Status").fill("503")
    page.get_by_role("button", name="Add fault").click()
    expect(page.locator("#fault-rows")).to_contain_text("503")
    expect(page.locator("#status")).to_contain_text("armed")
    assert session.get(server.url + enrollments, timeout=10).status_code == 503
    failed = page.locator("#journal-rows tr[data-seq]", has_text="503").first
    expect(failed).to_be_visible(timeout=5000)
    expect(failed).to_contain_text("fault")
    expect(page.locator("#fault-rows td.num")).to_have_text("1")  # hits, refreshed on new journal entries

    # the clock: freeze and advance
    page.get_by_role("button", name="Freeze", exact=True).click()
    expect(page.locator("#clock-state")).to_have_text("frozen")
    before = page.locator("#clock-now").inner_text()
    page.get_by_label("Advance by").fill("2h")
    page.get_by_role("button", name="Advance", exact=True).click()
    expect(page.locator("#clock-now")).not_to_have_text(before)
    assert requests.get(server.url + "/_emulator/tenants/default/clock", timeout=10).json()["frozen"] is True

    # the rate limit: switched on and off from its card
    page.get_by_role("button", name="Switch on absorb rate limit").click()
    expect(page.locator("#rate-limit-body")).to_contain_text("answered 429")
    assert requests.get(server.url + "/_emulator/tenants/default/rate-limit", timeout=10).json()["absorb"]["enabled"]
    page.get_by_role("button", name="Switch off absorb rate limit").click()
    expect(page.locator("#rate-limit-body")).to_contain_text("off")

    # the screenshot: short details open (the failed call), page at the top
    page.locator('#journal-rows button[aria-expanded="true"]').click()
    failed.locator('button[aria-expanded="false"]').click()
    expect(page.locator("#journal-rows tr.detail")).to_have_count(1)
    page.evaluate("window.scrollTo(0, 0)")
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard.png"))
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone_page = phone.new_page()
    phone_page.goto(server.url + "/_emulator/")
    expect(phone_page.locator("#journal-rows tr[data-seq]").first).to_be_visible(timeout=5000)
    phone_page.screenshot(path=str(SHOTS / "dashboard-phone.png"))
    wide = phone_page.evaluate("""[...document.querySelectorAll('body *')].filter(
        n => n.getBoundingClientRect().right > 391 && !n.closest('.tablewrap'))
        .map(n => n.tagName + '#' + n.id + '.' + n.className)""")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at phone width ({width}px): {wide[:8]}"
    phone.close()

    # remove the fault through the page: calls succeed again
    page.get_by_role("button", name="Remove fault f-1").click()
    expect(page.locator("#fault-rows")).to_contain_text("No fault rules")
    assert requests.get(server.url + "/_emulator/tenants/default/faults", timeout=10).json() == {"faults": []}
    assert session.get(server.url + enrollments, timeout=10).status_code == 200
    # reset through the page: the data is rebuilt, so tokens issued before stop working
    page.get_by_role("button", name="Reset tenant default").click()
    expect(page.locator("#status")).to_contain_text("reset")
    assert session.get(server.url + enrollments, timeout=10).status_code == 401
    fresh, _ = absorb_session(server)
    assert fresh.get(server.url + enrollments, timeout=10).status_code == 200

    assert not outside, f"the page reached beyond the emulator: {outside}"
    context.close()


def test_dashboard_asks_for_the_admin_token(browser) -> None:
    from emulator.testing import EmulatorServer

    with EmulatorServer({"seed": 7, "admin_token": "s3cret"}) as srv:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(srv.url + "/_emulator/")
        expect(page.get_by_label("Admin token", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Admin token")).to_be_visible()  # asked for: it can be changed
        expect(page.locator("#tenant-rows")).not_to_contain_text("default")
        page.get_by_label("Admin token", exact=True).fill("s3cret")
        page.get_by_role("button", name="Use token").click()
        expect(page.locator("#tenant-rows th", has_text="default")).to_be_visible()
        assert page.evaluate("sessionStorage.getItem('lmsEmulatorAdminToken')") == "s3cret"
        expect(page.locator("#credentials-body")).to_contain_text(re.compile(r"apiKey"))
        context.close()


@pytest.mark.parametrize("width, height", [(375, 812), (900, 900), (1440, 900)])
def test_journal_details_open_at_each_width(server, browser, width, height) -> None:
    """A phone, the layout's break point and a desktop: a journal entry's details show, the page never scrolls
    sideways, every card names its tenant; on a desktop the journal is beside the controls, in view. Each
    width is screenshot with the details open (docs/dashboard-<width>.png with LMS_EMULATOR_SCREENSHOTS=1)."""
    mobile = width < 600
    assert requests.delete(server.url + "/_emulator/tenants/default/journal", timeout=10).status_code == 204
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=mobile, has_touch=mobile)
    page = context.new_page()
    page.goto(server.url + "/_emulator/")
    expect(page.locator("#tenant-rows th", has_text="default")).to_be_visible()
    session, user_id = absorb_session(server)
    path = f"/absorb/users/{user_id}/enrollments"
    assert session.get(server.url + path, params={"_limit": 2}, timeout=10).status_code == 200
    row = page.locator("#journal-rows tr[data-seq]", has_text=path).first
    expect(row).to_be_visible(timeout=5000)
    row.get_by_role("button", name=re.compile("^Details of request")).click()
    detail = page.locator("#journal-rows tr.detail").first
    expect(detail).to_be_visible()
    expect(detail).to_contain_text("Request headers (secrets masked)")
    expect(detail).to_contain_text('"enrollments"')
    assert detail.bounding_box()["height"] > 100  # its cell shows, not a collapsed row
    stamp = detail.locator("p").first.inner_text()
    assert re.search(r"T\d\d:\d\d:\d\d\.\d{3}(?!\d)", stamp), stamp  # milliseconds, as on the wire
    for title in ("credentials", "counts", "clock", "rate-limit", "faults", "journal"):
        expect(page.locator(f"#{title}-title [data-tenant-name]")).to_have_text("· default")
    expect(page.locator("#clock-now")).to_have_text(re.compile(r"\.\d{3}(Z|[+-]\d\d:\d\d)$"))
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width}px ({scroll}px)"
    if width >= 1300:
        journal, controls = page.locator("#journal").bounding_box(), page.locator("#tenants").bounding_box()
        assert journal["x"] > controls["x"] + controls["width"] and journal["y"] < height / 3
        assert page.evaluate("document.documentElement.scrollHeight") < 2 * height  # about one screen, not 2,900 px
        page.get_by_role("button", name="Freeze", exact=True).click()  # feedback beside the control that caused it
        expect(page.locator("#clock > .feedback")).to_have_text("Clock frozen.")
        page.get_by_role("button", name="Unfreeze", exact=True).click()
        page.locator("#clock > .feedback").wait_for()
    if width >= 1300:
        page.evaluate("window.scrollTo(0, 0)")  # the journal, details open, is in view from the top
    else:
        row.evaluate("r => r.scrollIntoView({block: 'start'})")  # the journal is below the controls
    page.screenshot(path=str(SHOTS / f"dashboard-{width}.png"))
    context.close()
