"""``/_emulator/``: tenants, reset, fixtures, tokens, data.json, clock, journal and faults (thin handlers)."""
from __future__ import annotations

import tempfile

from flask import Blueprint, Response, jsonify, request
from werkzeug.wsgi import wrap_file

from ..core import faults as fault_rules
from ..core import resources
from ..core.exchange import current
from ..core.http import no_content
from ..core.outbound import deliveries_of
from ..core.store import Tenant
from . import fixtures as fixture_files
from ..core.journal import journal_of
from ..core.persistence import read_only
from . import service
from ..core import errors

bp = Blueprint("lms_admin", __name__)
DASHBOARD_FILES = frozenset({"dashboard.css", "dashboard.js"})
# The page talks to this origin only: no CDN, no inline script, no third-party anything.
DASHBOARD_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
                 "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def _tenant(tenant_id: str) -> Tenant:
    tenant = service.store().get(tenant_id)  # 404 for an unknown tenant
    current().admin_tenant = tenant
    return tenant


def _created(body: object) -> Response:
    response = jsonify(body)
    response.status_code = 201
    return response


def wants_dashboard() -> bool:
    """A browser asking for ``/_emulator/`` (``text/html`` preferred over JSON) gets the dashboard page."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes["text/html"] > request.accept_mimetypes["application/json"]


def _dashboard_file(name: str, mimetype: str) -> Response:
    response = Response(resources.shipped("static", "dashboard", name).read_bytes(), mimetype=mimetype)
    response.add_etag()
    response.make_conditional(request)
    response.headers["Content-Security-Policy"] = DASHBOARD_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/static/<name>")
def dashboard_asset(name: str) -> Response:
    if name not in DASHBOARD_FILES:
        raise errors.NotFound(f"no dashboard asset '{name}'")
    return _dashboard_file(name, "text/css" if name.endswith(".css") else "text/javascript")


@bp.get("/")
def index() -> Response:
    if wants_dashboard():
        response = _dashboard_file("index.html", "text/html")
        response.vary.add("Accept")
        return response
    base = request.host_url.rstrip("/") + "/_emulator"
    response = jsonify({"tenants": base + "/tenants", "fixtures": base + "/fixtures",
                        "vendors": sorted(service.vendors())})
    response.vary.add("Accept")
    return response


@bp.get("/fixtures")
def list_fixtures() -> Response:
    return jsonify({"fixtures": fixture_files.available(service.settings().fixtures)})


# -- tenants --------------------------------------------------------------------------------------

@bp.post("/tenants")
def create_tenant() -> Response:
    tenant = service.create_tenant(service.body_object(optional=True))
    current().admin_tenant = tenant
    return _created(service.tenant_info(tenant))


@bp.get("/tenants")
def list_tenants() -> Response:
    return jsonify({"tenants": [service.tenant_summary(t) for t in list(service.store().tenants.values())]})


@bp.get("/tenants/<tenant_id>")
def get_tenant(tenant_id: str) -> Response:
    return jsonify(service.tenant_info(_tenant(tenant_id), counts=True))


@bp.delete("/tenants/<tenant_id>")
def delete_tenant(tenant_id: str) -> Response:
    _tenant(tenant_id)
    service.store().delete(tenant_id)
    return no_content()


@bp.post("/tenants/<tenant_id>/reset")
def reset_tenant(tenant_id: str) -> Response:
    tenant = service.store().reset(_tenant(tenant_id).id)
    return jsonify(service.tenant_info(tenant, counts=True))


@bp.post("/tenants/<tenant_id>/fixture")
def load_fixture(tenant_id: str) -> Response:
    tenant = service.load_fixture(_tenant(tenant_id), service.body_object())
    return jsonify(service.tenant_info(tenant, counts=True))


@bp.get("/tenants/<tenant_id>/data.json")
def get_data(tenant_id: str) -> Response:
    """Written to a temporary file an entity at a time, then sent from it: flat memory at any world size."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response (wrap_file) once sent
    try:
        service.write_data(_tenant(tenant_id), out)
    except BaseException:
        out.close()
        raise
    size = out.tell()
    out.seek(0)
    return Response(wrap_file(request.environ, out), mimetype="application/json", direct_passthrough=True,
                    headers={"Content-Length": str(size)})


@bp.post("/tenants/<tenant_id>/<vendor>/tokens")
@read_only  # Pearson's tokens are signed, not stored
def issue_token(tenant_id: str, vendor: str) -> Response:
    return _created(service.issue_token(_tenant(tenant_id), vendor, service.body_object()))


@bp.post("/tenants/<tenant_id>/<vendor>/oauth-clients")
def register_oauth_client(tenant_id: str, vendor: str) -> Response:
    return _created(service.register_client(_tenant(tenant_id), vendor, service.body_object()))


@bp.post("/tenants/<tenant_id>/<vendor>/oauth-clients/<client_id>/revoke")
def revoke_oauth_client(tenant_id: str, vendor: str, client_id: str) -> Response:
    service.revoke_client(_tenant(tenant_id), vendor, client_id)
    return no_content()


# -- clock ------------------------------------------------------------------------------------------

@bp.get("/tenants/<tenant_id>/clock")
def get_clock(tenant_id: str) -> Response:
    return jsonify(_tenant(tenant_id).clock.state())


@bp.post("/tenants/<tenant_id>/clock/freeze")
def freeze_clock(tenant_id: str) -> Response:
    return jsonify(service.freeze_clock(_tenant(tenant_id), service.body_object(optional=True)))


@bp.post("/tenants/<tenant_id>/clock/advance")
def advance_clock(tenant_id: str) -> Response:
    return jsonify(service.advance_clock(_tenant(tenant_id), service.body_object()))


@bp.post("/tenants/<tenant_id>/clock/unfreeze")
def unfreeze_clock(tenant_id: str) -> Response:
    tenant = _tenant(tenant_id)
    tenant.clock.unfreeze()
    return jsonify(tenant.clock.state())


# -- journal ------------------------------------------------------------------------------------------

@bp.get("/tenants/<tenant_id>/journal")
def get_journal(tenant_id: str) -> Response:
    entries, total = journal_of(_tenant(tenant_id)).page(request.args)
    # count: entries in this answer; total: entries the journal holds that match the filters (before limit)
    return jsonify({"count": len(entries), "total": total, "entries": entries})


@bp.delete("/tenants/<tenant_id>/journal")
def clear_journal(tenant_id: str) -> Response:
    journal_of(_tenant(tenant_id)).clear()
    return no_content()


# -- webhook deliveries (core.outbound) -----------------------------------------------------------------

@bp.get("/tenants/<tenant_id>/webhooks")
def get_webhook_deliveries(tenant_id: str) -> Response:
    """Each attempt to deliver a webhook, oldest first. ``wait=N`` (with ``timeout`` seconds, default 10, at
    most 60) first waits until N deliveries have finished (delivered or given up): a test's way to wait."""
    deliveries = deliveries_of(_tenant(tenant_id))
    finished = True
    if request.args.get("wait") is not None:
        count, timeout = service.wait_arguments(request.args.get("wait"), request.args.get("timeout"))
        finished = deliveries.wait(count, timeout)
    records = deliveries.list()
    return jsonify({"count": len(records), "finished": deliveries.finished, "waited": finished,
                    "deliveries": records})


@bp.delete("/tenants/<tenant_id>/webhooks")
def clear_webhook_deliveries(tenant_id: str) -> Response:
    deliveries_of(_tenant(tenant_id)).clear()
    return no_content()


# -- faults ---------------------------------------------------------------------------------------------

@bp.post("/tenants/<tenant_id>/faults")
def add_fault(tenant_id: str) -> Response:
    faults = fault_rules.faults_of(_tenant(tenant_id), create=True)
    rule = faults.add(service.body_object(), service.vendors())  # type: ignore[union-attr]
    return _created(rule.wire())


@bp.get("/tenants/<tenant_id>/faults")
def list_faults(tenant_id: str) -> Response:
    faults = fault_rules.faults_of(_tenant(tenant_id))
    return jsonify({"faults": [r.wire() for r in (faults.rules if faults else [])]})


@bp.delete("/tenants/<tenant_id>/faults")
def clear_faults(tenant_id: str) -> Response:
    faults = fault_rules.faults_of(_tenant(tenant_id))
    if faults is not None:
        faults.clear()
    return no_content()


@bp.delete("/tenants/<tenant_id>/faults/<fault_id>")
def delete_fault(tenant_id: str, fault_id: str) -> Response:
    faults = fault_rules.faults_of(_tenant(tenant_id), create=True)
    faults.remove(fault_id)  # type: ignore[union-attr]
    return no_content()


# -- rate limits ------------------------------------------------------------------------------------------

@bp.get("/tenants/<tenant_id>/rate-limit")
def get_rate_limit(tenant_id: str) -> Response:
    return jsonify(service.get_rate_limit(_tenant(tenant_id)))


@bp.post("/tenants/<tenant_id>/rate-limit")
def set_rate_limit(tenant_id: str) -> Response:
    return jsonify(service.set_rate_limit(_tenant(tenant_id), service.body_object(optional=True)))


@bp.delete("/tenants/<tenant_id>/rate-limit")
def clear_rate_limit(tenant_id: str) -> Response:
    """Off for every vendor, or for ``?vendor=absorb`` only."""
    service.clear_rate_limit(_tenant(tenant_id), request.args.get("vendor"))
    return no_content()
