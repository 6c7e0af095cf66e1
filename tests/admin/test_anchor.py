"""``anchor``: the same seed and anchor give the same world byte for byte, whatever day it is made on."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from emulator.app import create_app
from emulator.core import clock

ANCHOR = "2030-01-01T09:00:00Z"


def _made_on(day: str, monkeypatch: pytest.MonkeyPatch, body: dict, settings: dict | None = None) -> bytes:
    """data.json of a tenant created while the real clock reads ``day`` (frozen there)."""
    frozen = datetime.fromisoformat(day).replace(tzinfo=timezone.utc)
    monkeypatch.setattr(clock, "utcnow", lambda: frozen)
    client = create_app({"seed": 42, **(settings or {})}).test_client()
    created = client.post("/_emulator/tenants", json={"id": "snap", **body})
    assert created.status_code == 201, created.get_json()
    return client.get("/_emulator/tenants/snap/data.json").data


def test_same_seed_and_anchor_dump_identically_on_different_days(monkeypatch):
    first = _made_on("2026-03-01T10:00:00", monkeypatch, {"seed": 7, "anchor": ANCHOR})
    second = _made_on("2027-11-23T23:59:00", monkeypatch, {"seed": 7, "anchor": ANCHOR})
    assert first == second
    assert b'"anchor":"2030-01-01T09:00:00Z"' in first.replace(b" ", b"")
    # without an anchor the dates move with the calendar day (so the test above can fail)
    assert _made_on("2026-03-01T10:00:00", monkeypatch, {"seed": 7}) != \
        _made_on("2027-11-23T23:59:00", monkeypatch, {"seed": 7})


def test_serve_anchor_and_a_fixtures_anchor(monkeypatch):
    by_setting = [_made_on(day, monkeypatch, {"seed": 7}, {"anchor": ANCHOR}) for day in ("2026-01-01", "2028-06-30")]
    assert by_setting[0] == by_setting[1]
    shipped = Path(__file__).resolve().parents[2] / "fixtures" / "learner-mid-course.json"
    fixture = {**json.loads(shipped.read_text()), "anchor": ANCHOR}
    by_fixture = [_made_on(day, monkeypatch, {"fixture": fixture}) for day in ("2026-01-01", "2028-06-30")]
    assert by_fixture[0] == by_fixture[1]


def test_an_anchored_tenant_starts_with_its_clock_frozen_at_the_anchor():
    client = create_app({"seed": 42}).test_client()
    info = client.post("/_emulator/tenants", json={"anchor": "2030-01-01T00:00:00+02:00"}).get_json()
    assert info["anchor"] == "2029-12-31T22:00:00Z"
    assert info["clock"] == {"now": "2029-12-31T22:00:00Z", "frozen": True, "offsetSeconds": 0.0}
    moved = client.post(f"/_emulator/tenants/{info['id']}/clock/advance", json={"duration": "2h"}).get_json()
    assert moved["now"] == "2030-01-01T00:00:00Z"
    reset = client.post(f"/_emulator/tenants/{info['id']}/reset").get_json()
    assert reset["anchor"] == "2029-12-31T22:00:00Z"


@pytest.mark.parametrize("body, words", [
    ({"anchor": "tomorrow"}, "anchor: 'tomorrow' is not an ISO 8601 date-time"),
    ({"anchor": 5}, "anchor: '5' is not an ISO 8601 date-time"),
    ({"fixture": {"anchor": "soon"}}, "fixture.anchor: 'soon' is not an ISO 8601 date-time"),
    # issue 31: an extreme anchor was "the fixture could not be applied" (an OverflowError), with no fixture given
    ({"anchor": "0001-01-01T00:00:00Z"}, "anchor: 0001-01-01T00:00:00+00:00 is outside the anchors a world can be "
                                         "seeded from (1900-01-01 to 9000-01-01)"),
    ({"anchor": "9999-12-31T00:00:00Z"}, "anchor: 9999-12-31T00:00:00+00:00 is outside the anchors"),
    ({"fixture": {"anchor": "0001-01-01T00:00:00Z"}}, "fixture.anchor: 0001-01-01T00:00:00+00:00 is outside"),
])
def test_a_bad_anchor_is_a_400(body, words):
    resp = create_app({"seed": 42}).test_client().post("/_emulator/tenants", json=body)
    assert resp.status_code == 400 and words in resp.get_json()["message"]
    assert "fixture could not be applied" not in resp.get_json()["message"]


@pytest.mark.parametrize("anchor", ["1900-01-01T00:00:00Z", "9000-01-01T00:00:00Z"])
def test_the_earliest_and_latest_anchors_build_whole_worlds(anchor):
    client = create_app({"seed": 42}).test_client()
    info = client.post("/_emulator/tenants", json={"anchor": anchor}).get_json()
    assert info["anchor"] == anchor
    assert client.get(f"/_emulator/tenants/{info['id']}/data.json").status_code == 200  # every lazy plan made
