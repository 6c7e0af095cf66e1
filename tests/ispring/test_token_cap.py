"""Issue 31, item 7: iSpring keeps a bounded number of tokens per client (``MAX_TOKENS_PER_CLIENT``): one more ends
that client's oldest, the others' tokens are untouched."""
from __future__ import annotations

from typing import Any

from emulator.ispring.domain.service import MAX_TOKENS_PER_CLIENT


def test_a_client_keeps_its_latest_tokens_only(client: Any, world: Any, token: Any, store: Any):
    other = token("administrator")
    mine = [token("owner") for _ in range(MAX_TOKENS_PER_CLIENT + 1)]
    owner_id = next(c.client_id for c in world.clients.values() if c.name == "owner")
    assert sum(t.client_id == owner_id for t in world.tokens.values()) == MAX_TOKENS_PER_CLIENT
    assert mine[0] not in world.tokens and store.tenant_for("ispring", mine[0]) is None
    assert all(t in world.tokens for t in mine[1:]) and other in world.tokens
    def status(bearer: str) -> int:
        headers = {"X-Auth-Account-Url": world.account_url, "Accept": "application/json",
                   "Authorization": f"Bearer {bearer}"}
        return client.get("/ispring/departments", headers=headers).status_code

    assert status(mine[0]) == 401 and status(mine[1]) == 200
