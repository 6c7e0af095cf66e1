"""What the admin routes do, as plain functions over the store (the routes only parse and answer)."""
from __future__ import annotations

import base64
import json
import math
import re
import zlib
from datetime import datetime, timezone
from typing import IO, Any

from flask import request

from ..config import Settings
from ..core import errors, jsonstream, ratelimit
from ..core.jsonstream import plain
from ..core.clock import ClockError, check_anchor, parse_duration
from ..core.scale import check_users
from ..core.state import app_state
from ..core.store import Store, Tenant
from ..core.vendor import Vendor
from ..core.wire import NOT_TEXT, invalid_text, iso_z, loads_json, parse_iso_datetime
from . import fixtures as fixture_files
from datetime import timedelta

TENANT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
CREATE_KEYS = {"id", "seed", "fixture", "anchor", "users"}


def store() -> Store:
    return app_state().store


def vendors() -> dict[str, Vendor]:
    return app_state().vendors


def settings() -> Settings:
    return app_state().settings


# A gzip-encoded admin body (``Content-Encoding: gzip``: a large inline fixture) may unpack to this much; the body
# as sent stays within the 1 MiB every request has (core.http.MAX_BODY_BYTES). Emulator's choice: 64 MiB of JSON
# holds a fixture of some 50,000 users.
MAX_INFLATED_BYTES = 64 * 1024 * 1024


def body_object(*, optional: bool = False) -> dict[str, Any]:
    """The admin request's JSON object (``{}`` for an empty body when ``optional``); gzip-encoded or plain."""
    raw = _inflated(request.get_data(cache=True), request.headers.get("Content-Encoding", ""))
    if not raw.strip():
        if optional:
            return {}
        raise errors.BadRequest("A JSON object body is required.")
    if request.mimetype and request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise errors.UnsupportedMediaType(f"Content-Type must be application/json (got {request.mimetype}).")
    try:
        body = loads_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.BadRequest(f"The body is not valid JSON ({exc}).") from None
    if not isinstance(body, dict):
        raise errors.BadRequest("The body must be a JSON object.")
    bad_text = invalid_text(body)
    if bad_text is not None:
        raise errors.BadRequest(f"{bad_text}: {NOT_TEXT}.")
    return body


def _build_errors(call: Any, fixture: Any = True) -> Any:
    """Run a world build; a vendor failing on a fixture part (or on the tenant's settings, when no fixture was
    given) is a 400, not a 500."""
    try:
        return call()
    except errors.EmulatorError:
        raise
    except Exception as exc:  # noqa: BLE001 - a vendor builder choking on a fixture part
        what = "the fixture could not be applied" if fixture else "the tenant could not be built"
        raise errors.BadRequest(f"{what}: {type(exc).__name__}: {exc}") from exc


def _inflated(raw: bytes, encoding: str) -> bytes:
    """``raw`` unpacked per its ``Content-Encoding`` (gzip or none), at most MAX_INFLATED_BYTES."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "x-gzip"):
        raise errors.UnsupportedMediaType(f"Content-Encoding '{encoding}' is not supported (gzip or none).")
    unpack = zlib.decompressobj(wbits=31)
    try:
        body = unpack.decompress(raw, MAX_INFLATED_BYTES)
        if unpack.unconsumed_tail or not unpack.eof:
            if unpack.unconsumed_tail:
                raise errors.PayloadTooLarge(f"The gzip body unpacks to more than {MAX_INFLATED_BYTES} bytes.")
            raise errors.BadRequest("The gzip body is truncated.")
    except zlib.error as exc:
        raise errors.BadRequest(f"The body is not valid gzip ({exc}).") from None
    return body


# -- tenants ------------------------------------------------------------------------------------

def create_tenant(body: dict[str, Any]) -> Tenant:
    unknown = sorted(set(body) - CREATE_KEYS)
    if unknown:
        raise errors.BadRequest(f"Unknown field(s): {', '.join(unknown)}. Allowed: id, seed, fixture, anchor, users.")
    tenant_id = body.get("id")
    if tenant_id is not None and (not isinstance(tenant_id, str) or not TENANT_ID_RE.match(tenant_id)):
        raise errors.BadRequest("id: a tenant id is 1-63 letters, digits, '_' or '-', starting with a letter or digit.")
    seed = body.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
        raise errors.BadRequest("seed: must be a non-negative integer.")
    anchor = body.get("anchor")
    if anchor is not None:
        anchor = _instant("anchor", anchor)
        try:
            check_anchor(anchor)
        except ValueError as exc:
            raise errors.BadRequest(f"anchor: {exc}.") from None
    try:
        users = check_users(body.get("users"))
    except ValueError as exc:
        raise errors.BadRequest(f"users: {exc}.") from None
    if users is not None and body.get("fixture") is not None:
        raise errors.BadRequest("users: a fixture holds its own world; give users or fixture, not both.")
    if tenant_id is not None and tenant_id in store().tenants:
        raise errors.Conflict(f"tenant '{tenant_id}' already exists")
    fixture = fixture_files.resolve(body.get("fixture"), settings().fixtures, vendors())
    return _build_errors(lambda: store().create_tenant(tenant_id, seed=seed, fixture=fixture, anchor=anchor,
                                                             users=users),
                         fixture)


def _instant(field: str, value: Any) -> datetime:
    try:
        return parse_iso_datetime(value)
    except (ValueError, TypeError):
        raise errors.BadRequest(f"{field}: '{value}' is not an ISO 8601 date-time "
                                "(e.g. 2030-01-01T00:00:00Z).") from None


def load_fixture(tenant: Tenant, body: dict[str, Any]) -> Tenant:
    """Rebuild the tenant with a fixture: ``{"fixture": name | object | null}`` or the fixture object itself."""
    value = body["fixture"] if set(body) == {"fixture"} else body
    fixture = fixture_files.resolve(value, settings().fixtures, vendors())
    return _build_errors(lambda: store().reset(tenant.id, fixture=fixture))


def tenant_info(tenant: Tenant, *, counts: bool = False) -> dict[str, Any]:
    base = request.host_url.rstrip("/")
    info: dict[str, Any] = {"id": tenant.id, "seed": tenant.seed, "anchor": iso_z(tenant.anchor),
                            "users": tenant.users,
                            "baseUrls": {name: base + v.prefix for name, v in vendors().items()},
                            "admin": f"{base}/_emulator/tenants/{tenant.id}",
                            "fixture": (tenant.fixture or {}).get("name") if tenant.fixture else None,
                            "createdAt": iso_z(tenant.created_at), "clock": tenant.clock.state(),
                            "rateLimits": get_rate_limit(tenant)}
    with tenant.lock:
        for name, world in tenant.worlds.items():
            info[name] = world.credentials()
        if counts:
            info["counts"] = {name: world.counts() for name, world in tenant.worlds.items()}
    return info


def tenant_summary(tenant: Tenant) -> dict[str, Any]:
    return {"id": tenant.id, "seed": tenant.seed, "createdAt": iso_z(tenant.created_at),
            "fixture": (tenant.fixture or {}).get("name") if tenant.fixture else None}


def get_data(tenant: Tenant) -> dict[str, Any]:
    """The tenant's data.json as one dict (``write_data`` writes the same JSON piece by piece)."""
    return plain(_data(tenant))


def write_data(tenant: Tenant, out: IO[bytes]) -> None:
    """The tenant's data.json into ``out``, an entity at a time under the tenant's lock: memory stays flat
    however large the world (issue 32: the 50k-user world's was 1 GB of JSON, held whole twice over)."""
    with tenant.lock:
        jsonstream.write(_data(tenant), out)


def _data(tenant: Tenant) -> dict[str, Any]:
    return {"id": tenant.id, "seed": tenant.seed, "anchor": iso_z(tenant.anchor), "clock": tenant.clock.state(),
            **{name: vendors()[name].dump_world(world) for name, world in tenant.worlds.items()}}


# -- tokens -------------------------------------------------------------------------------------

def issue_token(tenant: Tenant, vendor_name: str, body: dict[str, Any]) -> dict[str, Any]:
    vendor = vendors().get(vendor_name)
    if vendor is None or vendor.issue_token is None:
        raise errors.NotFound(f"vendor '{vendor_name}' has no admin-issued tokens"
                              + ("" if vendor is None else " (its clients authenticate themselves)"))
    user_id = body.get("userId")
    if not isinstance(user_id, str) or not user_id.strip():
        raise errors.BadRequest("userId: required (the id of one of the tenant's users).")
    with tenant.lock:
        token = vendor.issue_token(tenant.world(vendor_name), user_id.strip(), tenant.clock.now())
    return {"token": token, "expiresAt": _jwt_expiry(token)}


def _oauth_vendor(vendor_name: str) -> Vendor:
    vendor = vendors().get(vendor_name)
    if vendor is None or vendor.register_client is None or vendor.revoke_client is None:
        raise errors.NotFound(f"vendor '{vendor_name}' has no OAuth clients")
    return vendor


def register_client(tenant: Tenant, vendor_name: str, body: dict[str, Any]) -> dict[str, Any]:
    """An OAuth 2.0 client of the tenant's portal; its id names the tenant from then on (``Store.add_key``)."""
    vendor = _oauth_vendor(vendor_name)
    with tenant.lock:
        client = vendor.register_client(tenant.world(vendor_name), body, tenant.clock.now())  # type: ignore[misc]
    store().add_key(vendor_name, client["clientId"], tenant)  # after the tenant's lock: never both at once
    return client


def revoke_client(tenant: Tenant, vendor_name: str, client_id: str) -> None:
    vendor = _oauth_vendor(vendor_name)
    with tenant.lock:
        revoked = vendor.revoke_client(tenant.world(vendor_name), client_id)  # type: ignore[misc]
    if not revoked:
        raise errors.NotFound(f"no OAuth client '{client_id}'")
    store().drop_key(vendor_name, client_id)


def _jwt_expiry(token: str) -> str | None:
    """``exp`` of a JWT-shaped token, as an ISO instant (None when the token carries none)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return iso_z(datetime.fromtimestamp(int(claims["exp"]), tz=timezone.utc))
    except Exception:  # noqa: BLE001 - not a JWT: no expiry to report
        return None


# -- clock --------------------------------------------------------------------------------------

def freeze_clock(tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    at = body.get("at")
    instant = None if at is None else _instant("at", at)
    _clock_move(lambda: tenant.clock.freeze(instant))
    return tenant.clock.state()


def advance_clock(tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    if ("seconds" in body) == ("duration" in body):
        raise errors.BadRequest("Give exactly one of 'seconds' (a number) or 'duration' ('PT2H' or '2h').")
    if "seconds" in body:
        seconds = body["seconds"]
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not math.isfinite(seconds) \
                or abs(seconds) > 100 * 365 * 86400:
            raise errors.BadRequest(f"seconds: must be a finite number of seconds (got {seconds!r}).")

        delta = timedelta(seconds=seconds)
    else:
        delta = _clock_move(lambda: parse_duration(body["duration"]))
    _clock_move(lambda: tenant.clock.advance(delta))
    return tenant.clock.state()


def _clock_move(call: Any) -> Any:
    try:
        return call()
    except ClockError as exc:
        raise errors.BadRequest(str(exc)) from None
    except OverflowError:
        raise errors.BadRequest("the clock cannot move that far.") from None


# -- rate limits ----------------------------------------------------------------------------------

RATE_LIMIT_KEYS = {"vendor", "enabled", "requestsPerSecond", "burst"}


def documented_limits() -> dict[str, tuple[float, int]]:
    return {name: v.rate_limit for name, v in vendors().items() if v.rate_limit is not None}


def get_rate_limit(tenant: Tenant) -> dict[str, Any]:
    return ratelimit.describe(tenant, documented_limits())


def set_rate_limit(tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    """``{"vendor"?, "enabled"?, "requestsPerSecond"?, "burst"?}``: on with the vendor's documented figures unless
    given; ``enabled: false`` switches it off. Without ``vendor``: every vendor that documents a limit."""
    unknown = sorted(set(body) - RATE_LIMIT_KEYS)
    if unknown:
        raise errors.BadRequest(f"Unknown field(s): {', '.join(unknown)}. "
                                f"Allowed: {', '.join(sorted(RATE_LIMIT_KEYS))}.")
    limits = documented_limits()
    vendor = body.get("vendor")
    if vendor is not None and vendor not in limits:
        raise errors.BadRequest(f"vendor: '{vendor}' documents no rate limit "
                                f"(those that do: {', '.join(sorted(limits))}).")
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        raise errors.BadRequest("enabled: must be true or false.")
    for name in [vendor] if vendor else sorted(limits):
        if not enabled:
            ratelimit.disable(tenant, name)
            continue
        rate, burst = limits[name]
        ratelimit.enable(tenant, name, body.get("requestsPerSecond", rate), body.get("burst", burst))
    return get_rate_limit(tenant)


def clear_rate_limit(tenant: Tenant, vendor: str | None) -> None:
    if vendor is not None and vendor not in documented_limits():
        raise errors.NotFound(f"vendor '{vendor}' documents no rate limit")
    ratelimit.disable(tenant, vendor)


WAIT_LIMIT = 60.0  # seconds an admin call may wait for webhook deliveries


def wait_arguments(wait: str | None, timeout: str | None) -> tuple[int, float]:
    """``GET .../webhooks?wait=N&timeout=S``: how many deliveries to wait for, and for how long (400 if bad)."""
    if wait is None or not (wait.isascii() and wait.isdigit()) or len(wait) > 9:
        raise errors.BadRequest(f"wait must be a number of deliveries (got '{wait}').")
    try:
        seconds = 10.0 if timeout is None else float(timeout)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= WAIT_LIMIT or math.isnan(seconds):
        raise errors.BadRequest(f"timeout must be a number of seconds from 0 to {WAIT_LIMIT:g} (got '{timeout}').")
    return int(wait), seconds
