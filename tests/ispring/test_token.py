"""POST /ispring/api/v3/token: the client credentials grant and its failures."""
from __future__ import annotations

import pytest

from emulator.core import contract
from tests.vendor_api import ISpringApi


def _post(client, data, **headers):
    return ISpringApi(client, {}).post("/api/v3/token", "token-response", data=data,
                                       headers={"Accept": None, **headers})


@pytest.mark.parametrize("name", ["owner", "administrator", "learner"])
def test_every_client_gets_a_token(client, creds, name):
    chosen = next(c for c in creds["clients"] if c["name"] == name)
    body = _post(client, {"client_id": chosen["clientId"], "client_secret": chosen["clientSecret"],
                          "grant_type": "client_credentials"}).get_json()
    assert body["expires_in"] == 1800 and body["token_type"] == "bearer" and len(body["access_token"]) > 20


@pytest.mark.parametrize("drop", ["client_id", "client_secret", "grant_type"])
def test_missing_field_is_400(client, creds, drop):
    owner = creds["clients"][0]
    data = {"client_id": owner["clientId"], "client_secret": owner["clientSecret"], "grant_type": "client_credentials"}
    del data[drop]
    response = _post(client, data)
    assert response.status_code == 400 and response.get_json()["code"] == 400 and drop in response.get_json()["message"]


def test_wrong_grant_type_is_400(client, creds):
    owner = creds["clients"][0]
    response = _post(client, {"client_id": owner["clientId"], "client_secret": owner["clientSecret"],
                              "grant_type": "password"})
    assert response.status_code == 400


def test_json_body_is_400(client, creds):
    owner = creds["clients"][0]
    response = client.post("/ispring/api/v3/token", json={"client_id": owner["clientId"]})
    assert response.status_code == 400
    contract.validate("ispring", "error", response.get_json())


def test_wrong_secret_or_unknown_client_is_401(client, creds):
    owner = creds["clients"][0]
    assert _post(client, {"client_id": owner["clientId"], "client_secret": "nope",
                          "grant_type": "client_credentials"}).status_code == 401
    response = _post(client, {"client_id": "00000000-0000-4000-8000-000000000000", "client_secret": "x",
                              "grant_type": "client_credentials"})
    assert response.status_code == 401
    assert response.get_json() == {"code": 401, "message": "Invalid client credentials."}


def test_account_header_on_token_endpoint(client, creds, store):
    owner = creds["clients"][0]
    data = {"client_id": owner["clientId"], "client_secret": owner["clientSecret"], "grant_type": "client_credentials"}
    assert _post(client, data, **{"X-Auth-Account-Url": creds["accountUrl"] + "/"}).status_code == 200
    other = store.create_tenant("other").world("ispring").account_url
    assert _post(client, data, **{"X-Auth-Account-Url": other}).status_code == 401
    assert _post(client, data, **{"X-Auth-Account-Url": "https://nowhere.ispringlearn.local"}).status_code == 401


def test_empty_client_id_or_secret_is_a_wrong_client_401(client, creds):
    """The document sets no minimum length: an empty value is a client that does not exist (not a 400)."""
    owner = creds["clients"][0]
    for data in ({"client_id": "", "client_secret": owner["clientSecret"]},
                 {"client_id": owner["clientId"], "client_secret": ""}):
        assert _post(client, {**data, "grant_type": "client_credentials"}).status_code == 401


def test_accept_allowing_neither_json_nor_xml_is_406(client, creds):
    owner = creds["clients"][0]
    data = {"client_id": owner["clientId"], "client_secret": owner["clientSecret"], "grant_type": "client_credentials"}
    assert _post(client, data, Accept="text/html").status_code == 406
    assert _post(client, data, Accept="text/html, */*;q=0.1").status_code == 200


def test_a_token_names_its_account_without_the_header(client, creds, store):
    """Two accounts; each one's token reads its own sessions, no X-Auth-Account-Url sent."""
    other = store.create_tenant("other").world("ispring")
    for account in (creds, other.credentials()):
        owner = account["clients"][0]
        bearer = _post(client, {"client_id": owner["clientId"], "client_secret": owner["clientSecret"],
                                "grant_type": "client_credentials"}).get_json()["access_token"]
        listed = client.post("/ispring/performance-management/appraisal/session/list",
                             headers={"Authorization": f"Bearer {bearer}", "Accept": "application/json"}).get_json()
        assert [s["sessionId"] for s in listed][:3] == account["sessions"]


def test_expired_tokens_stop_naming_the_account_once_purged(client, creds, store, tenant):
    from datetime import timedelta

    owner = creds["clients"][0]
    data = {"client_id": owner["clientId"], "client_secret": owner["clientSecret"], "grant_type": "client_credentials"}
    old = _post(client, data).get_json()["access_token"]
    assert store.tenant_for("ispring", old) is tenant
    tenant.clock.advance(timedelta(seconds=1801))
    new = _post(client, data).get_json()["access_token"]  # issuing purges the expired ones
    assert store.tenant_for("ispring", old) is None and store.tenant_for("ispring", new) is tenant
