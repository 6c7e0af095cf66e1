"""iSpring fixtures: the default tenant's world (seed 42), its credentials, and callers built on ``ISpringApi``."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from emulator.core.store import Tenant
from emulator.ispring.domain.models import ISpringWorld
from tests.vendor_api import ISpringApi


@pytest.fixture
def world(tenant: Tenant) -> ISpringWorld:
    return tenant.world("ispring")


@pytest.fixture
def creds(world: ISpringWorld) -> dict[str, Any]:
    return world.credentials()


@pytest.fixture
def ispring(client: FlaskClient, creds: dict[str, Any]) -> ISpringApi:
    return ISpringApi(client, creds)


@pytest.fixture
def token(ispring: ISpringApi) -> Callable[..., str]:
    """token("owner" | "administrator" | "learner", on=other credentials) -> an access token from POST /api/v3/token."""
    return ispring.token


@pytest.fixture
def call(ispring: ISpringApi) -> Callable[..., Any]:
    """call(session_id, body, who="owner", raw=bytes, header overrides; a None value drops a header) -> the checked
    response of POST .../user/attributes/list (XML answers are checked by tests/ispring/test_xml.py)."""
    return ispring.attributes
