"""Fixtures for the admin API tests: an app, its test client, tenants and Absorb credentials."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app


@pytest.fixture
def app() -> Flask:
    return create_app({})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def new_tenant(client: FlaskClient) -> Callable[..., dict[str, Any]]:
    def make(**body: Any) -> dict[str, Any]:
        resp = client.post("/_emulator/tenants", json=body)
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()
    return make


@pytest.fixture
def tenant(new_tenant: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return new_tenant()
