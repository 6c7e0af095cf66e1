"""core.journal's own contract: a bounded ring of entries, its filters, and nothing secret ever shown.

Rules a user of the journal relies on: the newest ``size`` entries are kept, numbered in order; filters
select by method, vendor, path (substring or glob), status (``404`` or ``4xx``), ``since`` and ``limit``;
secret headers, body keys and query values are masked; large bodies are cut, and a body that may hold a
secret and cannot be masked is withheld.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from emulator.core import journal
from emulator.core.errors import BadRequest
from emulator.core.journal import BODY_LIMIT, MASK, Journal, body_text, make_entry, mask_headers, mask_query, render

UTC = timezone.utc
T0 = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def _entry(*, method="GET", path="/absorb/users", status=200, vendor="absorb", at=T0, headers=(), body=b"",
           content_type="", response=b"", response_type="application/json", query=""):
    return make_entry(method=method, path=path, query=query, headers=list(headers), body=body,
                      content_type=content_type, status=status, response_body=response,
                      response_content_type=response_type, duration_ms=1.23456, at=at, vendor=vendor,
                      tenant_id="t1")


# -- the ring ---------------------------------------------------------------------------------------------------
def test_the_newest_entries_are_kept_numbered_in_order():
    ring = Journal(3)
    for i in range(5):
        ring.record(_entry(path=f"/p{i}"))
    shown = ring.query({})
    assert [e["path"] for e in shown] == ["/p2", "/p3", "/p4"] and [e["seq"] for e in shown] == [3, 4, 5]


def test_a_journal_keeps_one_entry_at_least():
    ring = Journal(0)
    ring.record(_entry(path="/a"))
    ring.record(_entry(path="/b"))
    assert [e["path"] for e in ring.query({})] == ["/b"]


def test_clear_empties_the_journal_and_numbering_goes_on():
    ring = Journal(5)
    ring.record(_entry())
    ring.clear()
    assert ring.query({}) == []
    ring.record(_entry())
    assert ring.query({})[0]["seq"] == 2


# -- filters ----------------------------------------------------------------------------------------------------
@pytest.fixture
def ring() -> Journal:
    ring = Journal(10)
    ring.record(_entry(method="GET", path="/absorb/users/u1/enrollments", status=200, at=T0))
    ring.record(_entry(method="POST", path="/absorb/users", status=404, at=T0 + timedelta(seconds=1)))
    ring.record(_entry(method="GET", path="/ispring/users", status=500, vendor="ispring", at=T0 + timedelta(seconds=2)))
    ring.record(_entry(method="DELETE", path="/absorb/x", status=None, at=T0 + timedelta(seconds=3)))  # dropped
    return ring


def _paths(ring: Journal, **args: str) -> list[str]:
    return [e["path"] for e in ring.query(args)]


def test_filter_by_method_any_case(ring):
    assert _paths(ring, method="get") == ["/absorb/users/u1/enrollments", "/ispring/users"]
    assert _paths(ring, method="") == _paths(ring)


def test_filter_by_vendor(ring):
    assert _paths(ring, vendor="ispring") == ["/ispring/users"]


def test_filter_by_path_substring_or_glob(ring):
    assert _paths(ring, path="users") == ["/absorb/users/u1/enrollments", "/absorb/users", "/ispring/users"]
    assert _paths(ring, path="/absorb/users") == ["/absorb/users/u1/enrollments", "/absorb/users"]
    assert _paths(ring, path="/absorb/users*") == ["/absorb/users/u1/enrollments", "/absorb/users"]
    assert _paths(ring, path="/absorb/use?s") == ["/absorb/users"]  # a glob matches the whole path
    assert _paths(ring, path="/absorb/[x]") == ["/absorb/x"]


def test_filter_by_status_or_status_class(ring):
    assert _paths(ring, status="404") == ["/absorb/users"]
    assert _paths(ring, status=" 4XX ") == ["/absorb/users"]
    assert _paths(ring, status="5xx") == ["/ispring/users"]
    assert _paths(ring, status="2xx") == ["/absorb/users/u1/enrollments"]
    assert _paths(ring, status="3xx") == []


def test_filter_since_an_instant_inclusive(ring):
    assert _paths(ring, since="2024-01-02T03:04:07Z") == ["/ispring/users", "/absorb/x"]
    assert _paths(ring, since="2024-01-02T04:04:07+01:00") == ["/ispring/users", "/absorb/x"]


def test_limit_keeps_the_most_recent_and_total_counts_before_it(ring):
    shown, total = ring.page({"method": "GET", "limit": "1"})
    assert [e["path"] for e in shown] == ["/ispring/users"] and total == 2
    assert ring.page({"limit": "0"}) == ([], 4)
    assert len(ring.query({"limit": "9"})) == 4 and len(ring.query({"limit": ""})) == 4


def test_filters_combine(ring):
    assert _paths(ring, method="GET", vendor="absorb", status="2xx", path="enrollments") == \
        ["/absorb/users/u1/enrollments"]


@pytest.mark.parametrize("args, words", [
    ({"status": "abc"}, "status"), ({"status": "6xx"}, "status"), ({"status": "٤٠٤"}, "status"),
    ({"status": "40x"}, "status"),
    ({"since": "soon"}, "since"),
    ({"limit": "-1"}, "limit"), ({"limit": "1.5"}, "limit"), ({"limit": "١"}, "limit"),
])
def test_a_bad_filter_is_a_400(ring, args, words):
    with pytest.raises(BadRequest, match=words):
        ring.query(args)


# -- rendering and masking --------------------------------------------------------------------------------------
def test_an_entry_is_shown_in_a_fixed_order_with_its_extras_and_none_of_its_internals():
    entry = _entry(query="a=1", headers=[("HTTP_X_TRACE", "abc"), ("CONTENT_TYPE", "application/json")],
                   body=b'{"n": 1}', content_type="application/json", response=b"[]")
    entry["fault"] = "f-1"
    shown = render(entry)
    assert list(shown) == ["time", "vendor", "tenant", "method", "path", "query", "headers", "body", "status",
                           "responseBody", "durationMs", "fault"]
    assert shown["time"] == "2024-01-02T03:04:05Z" and shown["durationMs"] == 1.235 and shown["tenant"] == "t1"
    assert shown["headers"] == {"X-Trace": "abc", "Content-Type": "application/json"}
    assert shown["body"] == '{"n": 1}' and shown["responseBody"] == "[]" and shown["query"] == "a=1"
    assert render(entry) == shown  # rendered once, kept


@pytest.mark.parametrize("name, value, shown", [
    ("Authorization", "Bearer abc.def", "Bearer ***"),
    ("authorization", "basic dXNlcg==", "basic ***"),
    ("Authorization", "Token abc", MASK),  # another scheme: all of it
    ("Authorization", "Bearer", MASK),
    ("X-Api-Key", "k1", MASK), ("x-api-key", "Bearer k1", "Bearer ***"),
    ("Cookie", "s=1", MASK), ("Set-Cookie", "a", MASK), ("Proxy-Authorization", "Basic x", "Basic ***"),
    ("Accept", "application/json", "application/json"), ("X-Auth-Account-Url", "https://a.example", "https://a.example"),
    # issue 31: by rule, not a list of names: a secret word in the name, or a credential scheme in any value
    ("X-Forwarded-Authorization", "Bearer abc", "Bearer ***"), ("X-Forwarded-Authorization", "abc", MASK),
    ("X-Amz-Security-Token", "abc", MASK), ("X_Client_Secret", "abc", MASK), ("X-Upstream", "Bearer abc", "Bearer ***"),
    ("Api-Key", "abc", MASK), ("X-Session-Id", "abc", MASK),
])
def test_secret_headers_are_masked_keeping_a_bearer_or_basic_scheme(name, value, shown):
    assert mask_headers([(name, value), ("X-Other", "o")]) == {name: shown, "X-Other": "o"}


def test_secret_keys_are_masked_anywhere_in_a_json_body():
    raw = json.dumps({"username": "u", "Password": "p", "nested": [{"client_secret": "s", "refresh_token": "r"}],
                      "privateKey": None, "apiKey": 5, "token": {"deep": 1}}).encode()
    shown = json.loads(body_text(raw, len(raw), "application/json"))
    assert shown == {"username": "u", "Password": MASK, "nested": [{"client_secret": MASK, "refresh_token": MASK}],
                     "privateKey": None, "apiKey": MASK, "token": MASK}


def test_a_body_naming_no_secret_is_shown_as_sent():
    raw = b'{"name":  "x"}'
    assert body_text(raw, len(raw), "application/json") == '{"name":  "x"}'
    assert body_text(b"", 0, "application/json") is None


def test_a_json_body_whose_secret_key_is_spelled_with_escapes_is_masked():
    raw = b'{"pass\\u0077ord": "hunter2"}'
    assert json.loads(body_text(raw, len(raw), "application/json")) == {"password": MASK}


def test_a_form_body_and_a_query_have_their_secret_values_masked():
    raw = b"username=u&password=hunter2&x="
    assert body_text(raw, len(raw), "application/x-www-form-urlencoded") == "username=u&password=%2A%2A%2A&x="
    assert mask_query("client_secret=s&a=1") == "client_secret=%2A%2A%2A&a=1"
    assert mask_query("pass%77ord=s") == "password=%2A%2A%2A"
    assert mask_query("a=1&b=token") == "a=1&b=token"  # a secret word as a value names no secret
    assert mask_query("a=%20") == "a=%20" and mask_query("") == ""


def test_an_unparsable_body_that_may_name_a_secret_is_withheld():
    raw = b"password: hunter2"
    assert body_text(raw, len(raw), "text/plain") == f"<{len(raw)} bytes withheld: unparsable body naming a secret>"
    assert "hunter2" not in body_text(b'{"password": "hunter2"', 22, "application/json")
    assert body_text(b"\xff\xfe token", 8, "application/json").startswith("<8 bytes withheld")


def test_a_large_body_is_cut_and_a_large_one_naming_a_secret_withheld():
    raw = b'{"a": "' + b"x" * (2 * BODY_LIMIT) + b'"}'
    kept, total = journal._keep(raw)
    assert total == len(raw) and kept is raw  # small enough to keep whole
    shown = body_text(kept, total, "application/json")
    assert shown == raw[:BODY_LIMIT].decode() + f"...<truncated, {len(raw)} bytes>"
    huge = b'{"a": "' + b"x" * journal.KEEP_LIMIT + b'"}'
    prefix, total = journal._keep(huge)
    assert prefix == huge[:BODY_LIMIT] and total == len(huge)
    assert body_text(prefix, total, "application/json") == huge[:BODY_LIMIT].decode() + f"...<truncated, {total} bytes>"
    secret = b'{"password": "' + b"x" * journal.KEEP_LIMIT + b'"}'
    assert body_text(*journal._keep(secret), "application/json") == f"<{len(secret)} bytes withheld: a large body " \
        "naming a secret>"


def test_a_large_json_body_naming_a_secret_is_masked_then_cut():
    raw = json.dumps({"password": "p", "pad": "y" * BODY_LIMIT}).encode()
    masked = b'{"password":"***","pad":"' + b"y" * BODY_LIMIT + b'"}'
    shown = body_text(raw, len(raw), "application/json")
    assert shown == masked[:BODY_LIMIT].decode() + f"...<truncated, {len(masked)} bytes>"
    assert len(shown.split("...<")[0].encode()) == BODY_LIMIT


def test_the_journal_never_shows_a_secret_it_was_given():
    entry = _entry(query="token=t0p", headers=[("HTTP_X_API_KEY", "k3y"), ("HTTP_AUTHORIZATION", "Bearer b3arer")],
                   body=b'{"password": "pa55", "privateKey": "pr1v"}', content_type="application/json",
                   response=b'{"access_token": "acc355"}')
    text = json.dumps(render(entry))
    assert not any(secret in text for secret in ("t0p", "k3y", "b3arer", "pa55", "pr1v", "acc355"))


# -- recording ---------------------------------------------------------------------------------------------------
def test_environ_headers_keep_http_and_content_keys_only():
    environ = {"HTTP_X_API_KEY": "k", "HTTP_CONTENT_TYPE": "dup", "HTTP_CONTENT_LENGTH": "9", "CONTENT_TYPE": "a/b",
               "CONTENT_LENGTH": "", "REQUEST_METHOD": "GET", "wsgi.input": object()}
    assert journal.environ_headers(environ) == [("HTTP_X_API_KEY", "k"), ("CONTENT_TYPE", "a/b")]


def test_huge_header_values_are_cut_to_the_limit():
    limit = journal.HEADERS_LIMIT
    environ = {"HTTP_A": "a" * (limit - 10), "HTTP_B": "b" * 30, "HTTP_C": "c" * 5}
    kept = dict(journal.environ_headers(environ))
    assert kept["HTTP_A"] == "a" * (limit - 10)
    assert kept["HTTP_B"] == "b" * 10 + "...<truncated, 30 characters>"
    assert kept["HTTP_C"] == "...<truncated, 5 characters>"
    exact = {"HTTP_A": "a" * limit}
    assert journal.environ_headers(exact) == [("HTTP_A", "a" * limit)]


def test_header_names_as_werkzeug_writes_them():
    assert journal._header_name("HTTP_X_API_KEY") == "X-Api-Key"
    assert journal._header_name("CONTENT_LENGTH") == "Content-Length"
    assert journal._header_name("Already-Named") == "Already-Named"


def test_an_entry_keeps_the_raw_parts_until_shown():
    body = b"x" * 10
    entry = _entry(body=body)
    assert entry["_raw"][2] == (body, 10) and entry["_raw"][2][0] is body
    assert entry["_at"] == T0 and entry["status"] == 200 and entry["durationMs"] == 1.23456
    render(entry)
    assert "_raw" not in entry and entry["durationMs"] == 1.235


def test_a_content_type_with_parameters_is_read_by_its_mimetype():
    raw = b"password=p"
    entry = _entry(body=raw, content_type="application/x-www-form-urlencoded; charset=utf-8")
    assert render(entry)["body"] == "password=%2A%2A%2A"
