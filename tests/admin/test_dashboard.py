"""The dashboard's serving rules (no browser needed): HTML by content negotiation, assets, the admin lock."""
from __future__ import annotations

from emulator.app import create_app

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def client(**settings):
    return create_app({"seed": 42, **settings}).test_client()


def test_browsers_get_the_page_and_api_clients_keep_json() -> None:
    c = client()
    page = c.get("/_emulator/", headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Accept" in page.headers["Vary"]
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    body = page.get_data(as_text=True)
    assert "/_emulator/static/dashboard.js" in body and "http" not in body.replace("http-equiv", "")
    for accept in (None, "*/*", "application/json"):
        answer = c.get("/_emulator/", headers={"Accept": accept} if accept else {})
        assert answer.mimetype == "application/json" and "tenants" in answer.get_json()


def test_assets_are_served_and_nothing_else() -> None:
    c = client()
    assert c.get("/_emulator/static/dashboard.js").mimetype == "text/javascript"
    assert c.get("/_emulator/static/dashboard.css").mimetype == "text/css"
    assert c.get("/_emulator/static/index.html").status_code == 404
    assert c.get("/_emulator/static/..%2fadmin%2froutes.py").status_code == 404
    assert c.get("/static/dashboard/index.html").status_code == 404  # one URL per asset


def test_the_page_is_open_but_the_api_stays_locked() -> None:
    c = client(admin_token="s3cret")
    assert c.get("/_emulator/", headers={"Accept": BROWSER_ACCEPT}).status_code == 200
    assert c.get("/_emulator/static/dashboard.js").status_code == 200
    assert c.get("/_emulator/").status_code == 401
    assert c.get("/_emulator/tenants", headers={"Accept": BROWSER_ACCEPT}).status_code == 401
    assert c.post("/_emulator/", headers={"Accept": BROWSER_ACCEPT}).status_code in (401, 405)
    assert c.get("/_emulator/tenants", headers={"Authorization": "Bearer s3cret"}).status_code == 200
