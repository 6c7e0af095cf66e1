"""``Vendor.base_paths`` (``core.casefold.StripBases``): a vendor's routes served under its extra bases, the path
as sent kept for the journal."""
from __future__ import annotations

from typing import Any

from emulator.app import create_app
from emulator.core.casefold import StripBases
from emulator.core.exchange import EXCHANGE_KEY


def _seen(path: str) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ)
        return []

    StripBases(app, {"/ispring": ("/api/v2", "/index.php/api/v2")})({"PATH_INFO": path}, lambda *a: None)
    return seen


def test_each_base_is_removed_after_the_prefix_and_the_path_as_sent_is_kept():
    for sent in ("/ispring/api/v2/user/list", "/ispring/index.php/api/v2/user/list"):
        environ = _seen(sent)
        assert environ["PATH_INFO"] == "/ispring/user/list" and environ[EXCHANGE_KEY].original_path == sent


def test_other_paths_are_left_alone():
    for sent in ("/ispring/user/list", "/ispring/api/v3/token", "/ispring/api/v2/api/v3/token", "/absorb/api/v2/x",
                 "/ispring/api/v2x/user", "/ispring/index.php/user"):
        environ = _seen(sent)
        assert environ["PATH_INFO"] == sent and EXCHANGE_KEY not in environ, sent


def test_the_journal_shows_the_path_as_sent():
    app = create_app({"seed": 42})
    client = app.test_client()
    world = app.state.store.tenants["default"].world("ispring")
    login = world.credentials()["logins"][0]
    headers = {"X-Auth-Account-Url": world.account_url, "X-Auth-Email": login["email"],
               "X-Auth-Password": login["password"], "Accept": "application/json"}
    assert client.get("/ispring/index.php/api/v2/department", headers=headers).status_code == 200
    entries = client.get("/_emulator/tenants/default/journal").get_json()["entries"]
    assert entries[0]["path"] == "/ispring/index.php/api/v2/department"
