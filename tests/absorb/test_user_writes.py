"""A user write applies every writable field it carries, wherever the read-only ones stand among them.

Clients PUT back the user they read (``id``, dates and role flags included) with a few fields changed: the
read-only fields are ignored, each other field is written. The rule is the domain function's, not the body
schema's field order (which today happens to list the read-only fields last)."""
from __future__ import annotations

from emulator.absorb.domain import users


def test_a_read_only_field_before_writable_ones_is_skipped_and_the_rest_are_written(api, tenant):
    world, learner = api.world, api.learners()[0]
    added, admin = learner.date_added, learner.is_admin
    body = {"id": "00000000-0000-4000-8000-000000000001", "is_admin": True, "date_added": None,
            "job_title": "Auditor", "first_name": "Renamed", "city": "Leeds"}
    users.update_user(world, learner, body, at=tenant.clock.now())
    assert (learner.job_title, learner.first_name, learner.city) == ("Auditor", "Renamed", "Leeds")
    assert learner.date_added == added and learner.is_admin is admin and learner.id in world.users
    wire = api.get(f"/users/{learner.id}", "user", status=200).body
    assert wire["jobTitle"] == "Auditor" and wire["firstName"] == "Renamed" and wire["id"] == learner.id


def test_a_put_of_the_user_as_read_with_one_field_changed_writes_that_field(api):
    learner = api.learners()[2]
    read = api.get(f"/users/{learner.id}", "user", status=200).body
    written = api.put(f"/users/{learner.id}", "user", status=200, json=dict(read, jobTitle="Night Auditor")).body
    assert written["jobTitle"] == "Night Auditor"
    assert {k: v for k, v in written.items() if k not in ("jobTitle", "dateEdited")} == \
        {k: v for k, v in read.items() if k not in ("jobTitle", "dateEdited")}
