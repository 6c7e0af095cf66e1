"""iSpring's token endpoint, rules a client relies on: the token request belongs to the account of the client
that asked (its journal and fault rules), not to the default tenant. Mutation testing (tools/mutation.py)
showed it could break with every other test green."""
from __future__ import annotations

from emulator.core import contract


def _journal(client, tenant_id):
    response = client.get(f"/_emulator/tenants/{tenant_id}/journal")
    assert response.status_code == 200
    return response.get_json()["entries"]


def test_a_token_request_is_journalled_in_the_clients_own_account(client, store):
    other = store.create_tenant("acme")
    chosen = next(c for c in other.world("ispring").credentials()["clients"] if c["name"] == "owner")
    granted = client.post("/ispring/api/v3/token", data={"client_id": chosen["clientId"],
                                                         "client_secret": chosen["clientSecret"],
                                                         "grant_type": "client_credentials"})
    assert granted.status_code == 200
    contract.validate("ispring", "token-response", granted.get_json())
    assert [e["path"] for e in _journal(client, "acme")] == ["/ispring/api/v3/token"]
    assert _journal(client, "acme")[0]["tenant"] == "acme"
    assert all(e["path"] != "/ispring/api/v3/token" for e in _journal(client, "default"))
