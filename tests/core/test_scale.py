"""World sizes (issue 32): ``--users N`` grows every vendor's seeded world in proportion, deterministically;
no size is the default world, unchanged; bad sizes are refused clearly; fixtures and data.json scale."""
from __future__ import annotations

import gzip
import io
import json
import random
import subprocess
from itertools import islice
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest

from emulator.app import all_vendors, create_app
from emulator.config import Settings, SettingsError
from emulator.core import jsonstream
from emulator.core.scale import MAX_USERS, MIN_USERS, Scale, check_users
from emulator.core.seedrandom import SeedRandom, Weighted, letters, stream
from emulator.core.wire import guid_stream, is_guid, new_guid, new_guids
from emulator.core.store import Store
from emulator.absorb.wire.schemas import dump_rows, dump_world
from emulator.core.jsonstream import plain
from emulator.absorb.wire.schemas import dump_world as absorb_dump_world

ANCHOR = datetime(2030, 1, 1, tzinfo=timezone.utc)
VENDORS = {vendor.name: vendor for vendor in all_vendors()}  # each world's dumper (data.json)


def _whole_dump(name: str, world: Any) -> Any:
    """A world's data.json in memory, as the admin API's plain form: Absorb's makes and keeps its pending
    sub-enrollments first (``dump_world``'s default), the streamed one (``Vendor.dump_world``) keeps nothing."""
    return plain(absorb_dump_world(world) if name == "absorb" else VENDORS[name].dump_world(world))


def _worlds(users: int | None, seed: int = 42) -> dict[str, Any]:
    tenant = Store(all_vendors(), seed=seed, anchor=ANCHOR).create_tenant("t", users=users)
    return {name: _whole_dump(name, world) for name, world in tenant.worlds.items()}


def test_no_size_is_the_default_world():
    default = _worlds(None)
    assert len(default["absorb"]["users"]) == 56 and len(default["ispring"]["users"]) == 40
    assert default == _worlds(None)


@pytest.mark.parametrize("users", [MIN_USERS, 200, 600])
def test_every_vendor_grows_to_the_size_in_proportion(users):
    worlds = _worlds(users)
    absorb, ispring, pearson = worlds["absorb"], worlds["ispring"], worlds["pearson"]
    assert len(absorb["users"]) == users and len(ispring["users"]) == users
    assert abs(len(pearson["users"]) - users) <= 12  # whole centers of 12 people, plus the roles
    factor = users / 56
    assert len(absorb["courses"]) == max(3, round(16 * factor)) + max(3, round(8 * factor))
    assert len(absorb["enrollments"]) >= 2 * (users - 1)  # 2..4 each, plus history
    assert len(absorb["departments"]) == max(6, round(6 * factor))
    assert len(ispring["departments"]) == max(6, round(6 * factor))
    assert len(ispring["groups"]) >= 4 and len(ispring["sessions"]) == max(1, round(6 * factor))
    students = [u for u in pearson["users"] if "Student" in u["roles"]]
    assert len(students) >= 10 and pearson["bookings"]  # classes and bookings for the students
    usernames = [u["username"].lower() for u in absorb["users"]]
    assert len(set(usernames)) == len(usernames)


def test_a_sized_world_is_deterministic_per_seed():
    assert _worlds(300) == _worlds(300)
    assert _worlds(300, seed=7)["absorb"]["users"] != _worlds(300)["absorb"]["users"]


def test_a_larger_world_keeps_its_distributions():
    absorb = _worlds(600)["absorb"]
    statuses = {e["status"] for e in absorb["enrollments"]}
    assert len(statuses) == 13  # every enrollment status, as in the default world
    per_department: dict[str, int] = {}
    for user in absorb["users"]:
        per_department[user["departmentId"]] = per_department.get(user["departmentId"], 0) + 1
    assert len(per_department) > 10 and max(per_department.values()) < 120  # spread, not piled up
    multi = [c for c in absorb["courses"] if c["multiSession"]]
    assert multi and len(multi) < len(absorb["courses"]) // 5


@pytest.mark.parametrize("value", [0, MIN_USERS - 1, MAX_USERS + 1, -5, "many", True, 12.5, "1e3"])
def test_bad_sizes_are_refused(value):
    with pytest.raises(ValueError, match=f"{MIN_USERS}-{MAX_USERS}"):
        check_users(value)


def test_sizes_from_settings_and_environment(monkeypatch):
    assert Settings.load({"users": "5000"}).users == 5000
    assert Settings.load({}).users is None
    monkeypatch.setenv("LMS_EMULATOR_USERS", "3")
    with pytest.raises(SettingsError, match="LMS_EMULATOR_USERS: 3 users is outside"):
        Settings.load({})
    monkeypatch.setenv("LMS_EMULATOR_USERS", "")
    assert Settings.load({}).users is None
    with pytest.raises(SettingsError, match="--users: 'lots' is not a number of users"):
        Settings.load({"users": "lots"}, option_names=True)


def test_the_command_line_refuses_a_bad_size_in_one_line(capsys):
    from emulator import cli

    try:
        status = cli.main(["serve", "--users", "100001"])
    except SystemExit as exc:
        status = int(exc.code or 0)
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "--users: 100001 users is outside 20-100000" in err


def test_serve_users_sizes_the_default_tenant_and_the_admin_api_sizes_new_ones():
    client = create_app({"users": 150, "anchor": "2030-01-01T00:00:00Z"}).test_client()
    default = client.get("/_emulator/tenants/default").get_json()
    assert default["users"] == 150 and default["counts"]["absorb"]["users"] == 150
    made = client.post("/_emulator/tenants", json={"users": 300})
    assert made.status_code == 201 and made.get_json()["users"] == 300
    assert client.get(f"/_emulator/tenants/{made.get_json()['id']}").get_json()["counts"]["ispring"]["users"] == 300
    plain = client.post("/_emulator/tenants", json={"users": None})  # none given: the server's size
    assert plain.get_json()["users"] == 150
    tenant_id = made.get_json()["id"]
    assert client.post(f"/_emulator/tenants/{tenant_id}/reset").status_code == 200
    assert client.get(f"/_emulator/tenants/{tenant_id}").get_json()["counts"]["absorb"]["users"] == 300


@pytest.mark.parametrize("body, words", [
    ({"users": 5}, "users: 5 users is outside 20-100000"),
    ({"users": "ten"}, "users: 'ten' is not a number of users"),
    ({"users": True}, "is not a number of users"),
    ({"users": 200, "fixture": "learner-mid-course"}, "give users or fixture, not both"),
])
def test_the_admin_api_refuses_bad_sizes(body, words):
    client = create_app({"default_tenant": False}).test_client()
    resp = client.post("/_emulator/tenants", json=body)
    assert resp.status_code == 400 and words in resp.get_json()["message"], resp.get_json()


def test_scale_counts_in_proportion_with_a_floor():
    assert Scale().of(16) == 16 and Scale(56).of(16) == 16 and Scale(5600).of(16) == 1600
    assert Scale(20).of(8, floor=3) == 3


def test_seed_random_draws_what_random_random_draws():
    fast, plain = SeedRandom(1234), random.Random(1234)
    items = list(range(37))
    for n in range(2000):
        assert fast.randint(-n, n * 3 + 1) == plain.randint(-n, n * 3 + 1)
        assert fast.choice(items[: n % 36 + 1]) == plain.choice(items[: n % 36 + 1])
        assert fast.randrange(n + 1, 2 * n + 9) == plain.randrange(n + 1, 2 * n + 9)
        assert fast.random() == plain.random()
    for n in range(3000):  # sample: both of CPython's branches (a pool of up to 21, a set past it)
        population = items[: n % 37 + 1] if n % 2 else list(range(n % 700 + 1))
        k = n % min(7, len(population) + 1)
        assert fast.sample(population, k) == plain.sample(population, k)
    assert fast.random() == plain.random()


@pytest.mark.parametrize("alphabet", ["abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", "ab", "x",
                                      "0123456789abcdef", "ab" * 64 + "c", "é and more"])
def test_letters_draw_what_choice_draws(alphabet):
    for seed in range(60):
        fast, plain = SeedRandom(seed), random.Random(seed)
        for count in (0, 1, 12, 32, 45):
            assert letters(fast, alphabet, count) == "".join(plain.choice(alphabet) for _ in range(count))
            assert fast.getrandbits(32) == plain.getrandbits(32)  # the generator is where choice leaves it


def test_weighted_draws_what_choices_draws():
    statuses = Weighted(("ACTIVE", "DEACTIVATED", "DELETED", "TERMINATED"), (16, 2, 1, 1))
    fast, plain = SeedRandom(99), random.Random(99)
    for _ in range(3000):
        assert statuses.pick(fast) == plain.choices(statuses.population, weights=(16, 2, 1, 1))[0]
    assert fast.random() == plain.random()
    with pytest.raises(ValueError):
        Weighted(("a", "b"), (1,))


def test_new_guids_draw_what_new_guid_draws():
    for seed in range(30):
        for count in (0, 1, 2, 7, 300):
            fast, plain_rng = random.Random(seed), random.Random(seed)
            assert new_guids(fast, count) == [new_guid(plain_rng) for _ in range(count)]
            assert fast.getrandbits(32) == plain_rng.getrandbits(32)


def test_a_guid_stream_of_one_draws_when_new_guid_draws_and_a_batch_draws_ahead():
    one, plain_rng = random.Random(5), random.Random(5)
    stream_one = guid_stream(one, 1)
    for _ in range(50):  # interleaved with other draws: the same values as new_guid where it was called
        assert next(stream_one) == new_guid(plain_rng) and one.random() == plain_rng.random()
    ahead, plain_rng = random.Random(5), random.Random(5)
    batched = guid_stream(ahead, 64)
    assert [next(batched) for _ in range(150)] == [new_guid(plain_rng) for _ in range(150)]
    assert all(is_guid(g) and g[14] == "4" and g[19] in "89ab" for g in new_guids(random.Random(1), 500))


def test_a_stream_draws_deterministically_from_its_population_and_weights():
    statuses = Weighted(("ACTIVE", "DEACTIVATED"), (3, 1))
    drawn = list(islice(statuses.stream(random.Random(3), batch=100), 4000))
    assert drawn == list(islice(statuses.stream(random.Random(3), batch=100), 4000))  # across batch edges
    assert 0.7 < drawn.count("ACTIVE") / len(drawn) < 0.8
    days = list(islice(stream(random.Random(3), range(1, 5)), 4000))
    assert set(days) == {1, 2, 3, 4} and all(900 < days.count(d) < 1100 for d in range(1, 5))


def test_data_json_streams_the_bytes_the_whole_dump_would_be():
    client = create_app({"anchor": "2030-01-01T00:00:00Z", "users": 120}).test_client()
    tenant = client.application.state.store.tenants["default"]
    from emulator.admin.service import _data

    with client.application.test_request_context():
        whole = orjson.dumps(jsonstream.plain(_data(tenant)))
    resp = client.get("/_emulator/tenants/default/data.json")
    body = resp.get_data()
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert body == whole and int(resp.headers["Content-Length"]) == len(body)
    assert json.loads(body)["absorb"]["users"][0]["username"] == "admin"


def test_data_json_keeps_nothing_it_made():
    """Neither wire forms nor the pending sub-enrollments it writes: the same JSON as the dump that keeps them."""
    store = Store(all_vendors(), anchor=ANCHOR)
    world = store.create_tenant("t", users=100).world("absorb")
    world.wire_cache.clear()
    pending, lessons = len(world.pending), len(world.lesson_enrollments)
    sink = io.BytesIO()
    jsonstream.write(dump_rows(world), sink)
    assert len(world.wire_cache) == 0 and len(world.pending) == pending > 0
    assert len(world.lesson_enrollments) == lessons
    assert json.loads(sink.getvalue()) == plain(dump_world(world))  # dump_world() makes and keeps them
    assert not world.pending


def _fixture(users: int) -> dict[str, Any]:
    """An Absorb fixture naming its users, departments and courses by name: every reference is a lookup."""
    departments = [{"name": "Head Office"}] + [{"name": f"Region {n}", "parentId": "Head Office"} for n in range(20)]
    people = [{"username": "admin", "password": "admin", "admin": True}] + [
        {"username": f"learner.{n}", "password": "learner", "departmentId": f"Region {n % 20}"}
        for n in range(users - 1)]
    courses = [{"name": f"Course {n}", "chapters": [{"name": "Chapter 1", "lessons": [{"name": f"Lesson {n}.1"}]}]}
               for n in range(10)]
    enrollments = [{"userId": f"learner.{n}", "courseId": f"Course {n % 10}", "status": "NotStarted"}
                   for n in range(users - 1)]
    return {"name": "large", "absorb": {"departments": departments, "users": people, "courses": courses,
                                        "enrollments": enrollments}}


def test_a_large_fixture_resolves_its_references_through_indexes():
    fixture = _fixture(2000)
    client = create_app({"default_tenant": False}).test_client()
    resp = client.post("/_emulator/tenants", json={"fixture": fixture})
    assert resp.status_code == 201, resp.get_json()
    counts = client.get(f"/_emulator/tenants/{resp.get_json()['id']}").get_json()["counts"]["absorb"]
    assert counts["users"] == 2000 and counts["courseEnrollments"] == 1999


def test_a_fixture_too_large_for_a_plain_body_goes_gzip_encoded():
    raw = json.dumps({"fixture": _fixture(7000)}).encode()
    assert len(raw) > 1024 * 1024  # over the body limit as plain JSON
    client = create_app({"default_tenant": False}).test_client()
    assert client.post("/_emulator/tenants", data=raw, content_type="application/json").status_code == 413
    resp = client.post("/_emulator/tenants", data=gzip.compress(raw), content_type="application/json",
                       headers={"Content-Encoding": "gzip"})
    assert resp.status_code == 201, resp.get_json()
    assert client.get(f"/_emulator/tenants/{resp.get_json()['id']}").get_json()["counts"]["absorb"]["users"] == 7000


@pytest.mark.parametrize("data, encoding, status, words", [  # ids: the bodies as bytes
    (b"not gzip at all", "gzip", 400, "not valid gzip"),
    (gzip.compress(b'{"seed": 1}', mtime=0)[:-6], "gzip", 400, "truncated"),
    (b'{"seed": 1}', "br", 415, "Content-Encoding 'br' is not supported"),
])
def test_bad_encoded_bodies_get_a_clear_error(data, encoding, status, words):
    client = create_app({"default_tenant": False}).test_client()
    resp = client.post("/_emulator/tenants", data=data, content_type="application/json",
                       headers={"Content-Encoding": encoding})
    assert resp.status_code == status and words in resp.get_json()["message"], resp.get_json()


def test_a_short_scale_bench_run_prints_its_curves(tmp_path):
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(root / "bench" / "bench_scale.py"), "--sizes", "100", "--lookups", "3",
                          "--json", str(tmp_path / "scale.json")], cwd=root, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines()[0].startswith("users  start-up CPU s")
    figures = json.loads((tmp_path / "scale.json").read_text())[0]
    assert figures["users"] == 100 and figures["full_pass_pages"] == 1 and figures["startup_cpu_s"] > 0
    chart = subprocess.run([sys.executable, str(root / "tools" / "scale_chart.py"), str(tmp_path / "scale.json"),
                            str(tmp_path / "scale.svg")], cwd=root, capture_output=True, text=True, timeout=60)
    assert chart.returncode == 0 and (tmp_path / "scale.svg").read_text().startswith("<svg")
