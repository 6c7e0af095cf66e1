"""schemas/fixture.schema.json: what tools/fixture_schema.py makes of the loaders' schemas, and it agrees with
them on the shipped fixtures and on mistakes."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "fixture.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
SHIPPED = sorted((ROOT / "fixtures").glob("*.json"))


def test_the_file_is_what_the_loaders_schemas_say():
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "fixture_schema.py"), "--check"], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_fixture_is_valid(path, new_tenant):
    fixture = json.loads(path.read_text(encoding="utf-8"))
    assert not list(VALIDATOR.iter_errors(fixture))
    assert new_tenant(fixture={**fixture, "$schema": "../schemas/fixture.schema.json"})["id"]  # editors' key loads


def _mid_course() -> dict:
    return json.loads((ROOT / "fixtures" / "learner-mid-course.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("mistake", [
    lambda f: f["absorb"]["users"][0].update(nickname="x"),  # an unknown key
    lambda f: f["absorb"]["users"][0].pop("username"),  # a required one missing
    lambda f: f["absorb"]["courses"][0].update(type="Webinar"),  # not one of the course types
    lambda f: f["absorb"]["enrollments"][0].update(progress=101),  # out of range
    lambda f: f["absorb"]["users"][0].update(id="not-a-guid"),
    lambda f: f.update(extra={}),  # an unknown part
], ids=["unknown key", "missing key", "enum", "range", "guid", "unknown part"])
def test_schema_and_loader_refuse_the_same_mistakes(mistake, client):
    fixture = copy.deepcopy(_mid_course())
    mistake(fixture)
    assert list(VALIDATOR.iter_errors(fixture))
    assert client.post("/_emulator/tenants", json={"fixture": fixture}).status_code == 400
