"""iSpring fixtures: an app with the default tenant (seed 42), its account, tokens per client, and a caller."""
from __future__ import annotations

from typing import Any, Callable

import pytest
from flask.testing import FlaskClient

from emulator.core import contract
from emulator.core.store import Tenant
from emulator.ispring.models import ISpringWorld

URL = "/ispring/performance-management/appraisal/session/{}/user/attributes/list"


@pytest.fixture
def world(tenant: Tenant) -> ISpringWorld:
    return tenant.world("ispring")


@pytest.fixture
def creds(world: ISpringWorld) -> dict[str, Any]:
    return world.credentials()


@pytest.fixture
def token(client: FlaskClient, creds: dict[str, Any]) -> Callable[..., str]:
    """token("owner" | "administrator" | "learner") -> an access token from POST /api/v3/token."""

    def make(name: str = "owner", on: dict[str, Any] | None = None) -> str:
        chosen = next(c for c in (on or creds)["clients"] if c["name"] == name)
        response = client.post("/ispring/api/v3/token", data={
            "client_id": chosen["clientId"], "client_secret": chosen["clientSecret"], "grant_type": "client_credentials"})
        assert response.status_code == 200, response.get_json()
        contract.validate("ispring", "token-response", response.get_json())
        return response.get_json()["access_token"]

    return make


@pytest.fixture
def call(client: FlaskClient, creds: dict[str, Any], token: Callable[..., str]) -> Callable[..., Any]:
    """call(session_id, body, who="owner", headers overrides; a None value drops a header) -> validated response."""

    def post(session_id: str, body: Any = None, who: str | None = "owner", *, raw: bytes | None = None,
             **overrides: str | None) -> Any:
        headers: dict[str, str | None] = {"X-Auth-Account-Url": creds["accountUrl"], "Accept": "application/json",
                                          "Content-Type": "application/json",
                                          "Authorization": f"Bearer {token(who)}" if who else None}
        headers.update({k.replace("_", "-"): v for k, v in overrides.items()})
        sent = {k: v for k, v in headers.items() if v is not None}
        import json as _json

        data = raw if raw is not None else (b"" if body is None else _json.dumps(body).encode())
        response = client.post(URL.format(session_id), data=data, headers=sent)
        if response.mimetype == "application/json":  # XML answers are checked by tests/ispring/test_ispring_xml.py
            contract.validate("ispring", "user-attributes-list" if response.status_code == 200 else "error",
                              response.get_json())
        return response

    return post
