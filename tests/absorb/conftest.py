"""Absorb fixtures: ``api`` (logged in as admin) and ``anon`` (no token yet), ``AbsorbApi``s on the default tenant."""
from __future__ import annotations

from typing import Any

import pytest

from tests.vendor_api import AbsorbApi


@pytest.fixture
def api(app: Any, tenant: Any) -> AbsorbApi:
    return AbsorbApi.of_tenant(app, tenant).login("admin")


@pytest.fixture
def anon(app: Any, tenant: Any) -> AbsorbApi:
    return AbsorbApi.of_tenant(app, tenant)
