"""``/_emulator/tenants/{id}/stubs``: a tenant's answers for vendor calls the emulator does not emulate
(``core.stubs``): add (POST), list (GET), remove one or all (DELETE)."""
from __future__ import annotations

from flask import Response, jsonify

from ..core.exchange import current
from ..core.http import no_content
from ..core.store import Tenant
from ..core.stubs import stubs_of
from . import service
from .routes import bp


def _tenant(tenant_id: str) -> Tenant:
    tenant = service.store().get(tenant_id)  # 404 for an unknown tenant
    current().admin_tenant = tenant
    return tenant


@bp.post("/tenants/<tenant_id>/stubs")
def add_stub(tenant_id: str) -> Response:
    stub = stubs_of(_tenant(tenant_id), service.vendors()).add(service.body_object(), service.vendors())
    response = jsonify(stub.wire())
    response.status_code = 201
    return response


@bp.get("/tenants/<tenant_id>/stubs")
def list_stubs(tenant_id: str) -> Response:
    return jsonify({"stubs": [s.wire() for s in stubs_of(_tenant(tenant_id), service.vendors()).stubs]})


@bp.delete("/tenants/<tenant_id>/stubs")
def clear_stubs(tenant_id: str) -> Response:
    stubs_of(_tenant(tenant_id), service.vendors()).clear()
    return no_content()


@bp.delete("/tenants/<tenant_id>/stubs/<stub_id>")
def delete_stub(tenant_id: str, stub_id: str) -> Response:
    stubs_of(_tenant(tenant_id), service.vendors()).remove(stub_id)
    return no_content()
