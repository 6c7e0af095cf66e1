"""Pearson fixtures: the default tenant's world (seed 42), tokens, people, and a caller built on ``PearsonApi``."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from emulator.core.store import Tenant
from emulator.pearson.domain.signing import issue_token
from emulator.pearson.domain.models import STAFF_MEMBER, STUDENT, PearsonWorld, User
from tests.vendor_api import PearsonApi


@pytest.fixture
def world(tenant: Tenant) -> PearsonWorld:
    return tenant.world("pearson")


@pytest.fixture
def token(tenant: Tenant) -> Callable[..., str]:
    """token(user) -> a fresh Bearer token issued on the tenant's clock (as the admin API would)."""

    def make(user: User | str, on: Tenant | None = None) -> str:
        owner = on or tenant
        return issue_token(owner.world("pearson"), user if isinstance(user, str) else user.id, owner.clock.now())

    return make


@pytest.fixture
def people(world: PearsonWorld) -> dict[str, User]:
    """A student with sessions, a staff member of the same center, one of another center, one of each other role."""
    users = list(world.users.values())
    student = next(u for u in users if STUDENT in u.roles and world.sessions_by_user.get(u.id))
    found = {
        "student": student,
        "classmate": next(u for u in users
                          if STUDENT in u.roles and u.center_id == student.center_id and u is not student),
        "staff": next(u for u in users if STAFF_MEMBER in u.roles and u.center_id == student.center_id),
        "other_staff": next(u for u in users if STAFF_MEMBER in u.roles and u.center_id != student.center_id),
    }
    for role in ("Administrator", "ProspectWithTrial", "User", "QA", "ISUSTeacher", "FocusTool"):
        found[role] = next(u for u in users if role in u.roles)
    return found


@pytest.fixture
def pearson(client: FlaskClient) -> PearsonApi:
    return PearsonApi(client)


@pytest.fixture
def get(pearson: PearsonApi) -> Callable[..., Any]:
    """get(path, bearer, via=another client) -> the response; every body is validated (PearsonApi)."""

    def call(path: str, bearer: str | None = None, *, via: FlaskClient | None = None) -> Any:
        return (PearsonApi(via) if via is not None else pearson).get(path, bearer)

    return call


@pytest.fixture
def cast(world: PearsonWorld, people: dict[str, User]) -> dict[str, User]:
    """``people`` plus a student with no booking (and their center's staff), and the online center's staff."""
    student = next(u for u in world.users.values() if STUDENT in u.roles and not world.bookings_by_student.get(u.id))
    online = next(c for c in world.centers.values() if c.is_online)
    return {**people, "free": student,
            "free_staff": next(u for u in world.users.values()
                               if STAFF_MEMBER in u.roles and u.center_id == student.center_id),
            "far_staff": next(u for u in world.users.values() if STAFF_MEMBER in u.roles
                              and u.center_id not in (student.center_id, online.id)),
            "online_staff": next(u for u in world.users.values() if u.center_id == online.id)}


@pytest.fixture
def call(pearson: PearsonApi, token: Callable[..., str]) -> Callable[..., Any]:
    def send(method: str, path: str, who: User | None, **kw: Any) -> Any:
        return pearson.send(method, path, token(who) if who is not None else None, **kw)

    return send
