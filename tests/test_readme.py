"""The README's default-world ids are real: a newcomer's curl walkthrough works as written."""
from __future__ import annotations

import re
from pathlib import Path

from emulator.app import create_app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _value(name: str) -> str:
    match = re.search(rf"^{name}=(\S+)$", README, re.M)
    assert match, f"README has no {name}=..."
    return match.group(1)


def test_readme_absorb_walkthrough_ids_exist_in_the_seed_42_world():
    world = create_app({"seed": 42}).extensions["lms_emulator"]["store"].tenants["default"].world("absorb")
    assert _value("KEY") == world.api_key
    learner, course = _value("LEARNER"), _value("COURSE")
    assert learner in world.users and course in world.courses
    assert not world.courses[course].is_ilc and (learner, course) not in world.active  # enrolling gives 201


def test_readme_ispring_and_pearson_ids_exist_in_the_seed_42_world():
    tenant = create_app({"seed": 42}).extensions["lms_emulator"]["store"].tenants["default"]
    ispring = tenant.world("ispring").credentials()
    owner = next(c for c in ispring["clients"] if c["name"] == "owner")
    assert owner["clientId"] in README and owner["clientSecret"] in README
    assert ispring["sessions"][0] in README and ispring["accountUrl"] in README
    assert _value("SESSION") == ispring["sessions"][0]
    assert "shared/" not in README  # the project's docs stand alone
    pearson = {u["id"]: u for u in tenant.world("pearson").credentials()["users"]}
    for user_id in re.findall(r"/users/([0-9a-f-]{36})/(?:sessions|encounters)", README):
        assert user_id in pearson
