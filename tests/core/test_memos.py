"""Memos and the journal keep bounded texts (issue 31: 4,096 long paths pinned about 300 MB, because the route
memo, the parsed-query memos, the page cache and the journal each kept whole request targets)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from emulator.app import create_app
from emulator.core import casefold, http
from emulator.core.journal import JOURNAL_BYTES, PATH_LIMIT, Journal, journal_of, make_entry, render
from emulator.core.pagecache import MAX_KEY_SIZE
from emulator.core.pipeline import PageStep, Pipeline
from emulator.core.env import VERIFY_ENV
from tests.conftest import Switch

LONG = 60_000


@pytest.fixture(autouse=True)
def _no_verify(switch: Switch) -> None:
    switch(VERIFY_ENV, "0")  # the page cache is used, as on a server


def _fast_pages(app: Any) -> PageStep:
    pipeline = app.before_request_funcs[None][0].__self__
    assert isinstance(pipeline, Pipeline) and pipeline.page is not None
    return pipeline.page


def test_long_paths_and_queries_are_answered_but_not_remembered() -> None:
    app = create_app()
    client = app.test_client()
    creds = client.get("/_emulator/tenants/default").get_json()["absorb"]
    headers = {"x-api-key": creds["apiKey"], "x-api-version": "2"}
    token = client.post("/absorb/authenticate", headers=headers, json={
        "username": creds["admin"]["username"], "password": creds["admin"]["password"],
        "privateKey": creds["apiKey"]}).get_json()
    headers["Authorization"] = f"Bearer {token}"
    for i in range(8):
        assert client.get(f"/absorb/users/{i}" + "a" * LONG, headers=headers).status_code == 404
        assert client.get(f"/absorb/users?x{i}=" + "b" * LONG, headers=headers).status_code == 200
        assert client.get("/absorb/users?_limit=1", headers=headers).status_code == 200  # short: remembered
    fast = _fast_pages(app)
    assert fast.routes.memo and max(len(path) for _, path in fast.routes.memo) <= http.MEMO_KEY_LIMIT
    tenant = app.state.store.tenants["default"]
    pages = tenant.worlds["absorb"].pages._pages
    assert pages and all(sum(len(p) for p in key if isinstance(p, (str, bytes))) <= MAX_KEY_SIZE for key in pages)
    entries = [render(e) for e in journal_of(tenant).entries]
    assert all(len(e["path"]) <= PATH_LIMIT + 40 and len(e["query"]) <= PATH_LIMIT + 40 for e in entries)
    assert any("truncated" in e["path"] for e in entries) and any("truncated" in e["query"] for e in entries)


def test_query_memos_remember_short_texts_only() -> None:
    for memo, call in ((http._parse_args_memo, http.parse_args),
                       (casefold._fold_query_memo, lambda raw: casefold.fold_query(None, raw))):
        memo.cache_clear()
        assert call("x=" + "b" * LONG)["x"] == "b" * LONG
        assert memo.cache_info().currsize == 0
        assert call("x=1")["x"] == "1"
        assert memo.cache_info().currsize == 1


def _entry(size: int) -> dict[str, Any]:
    return make_entry(method="POST", path="/absorb/x", query="", headers=[], body=b"x" * size,
                      content_type="text/plain", status=200, response_body=b"y" * size,
                      response_content_type="text/plain", duration_ms=1, at=datetime.now(timezone.utc),
                      vendor="absorb", tenant_id="t")


def test_the_journal_keeps_at_most_its_byte_budget_dropping_the_oldest() -> None:
    journal = Journal(1000)
    for _ in range(1000):
        journal.record(_entry(16 * 1024))
    assert journal.kept <= JOURNAL_BYTES
    assert 400 <= len(journal.entries) < 1000
    assert journal.entries[-1]["seq"] == 1000  # the newest kept
    journal.clear()
    assert journal.kept == 0


def test_the_journal_still_keeps_size_entries_when_they_are_small() -> None:
    journal = Journal(10)
    for _ in range(25):
        journal.record(_entry(10))
    assert [e["seq"] for e in journal.entries] == list(range(16, 26))
