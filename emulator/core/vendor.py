"""What the core needs to know about a vendor, and nothing more.

Each vendor package exposes one ``VENDOR`` object; the app factory registers
its blueprint under ``/<name>`` and the store asks it to build worlds. Core
never imports a vendor: vendors are handed to it.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from collections.abc import Callable, Iterable

from flask import Blueprint, Response

from .errors import EmulatorError


class World(Protocol):
    """A vendor's state inside one tenant."""

    def tenant_keys(self) -> Iterable[str]:
        """Credentials that name this tenant (Absorb api key, iSpring account URL...)."""

    def credentials(self) -> dict[str, Any]:
        """What a client needs to call this vendor (printed at start, answered by the admin API)."""

    def dump(self) -> dict[str, Any]:
        """Every entity, JSON-ready (the admin API's data.json)."""

    def counts(self) -> dict[str, int]:
        """Number of entities per kind (the dashboard)."""


@dataclass(frozen=True)
class WorldContext:
    """Everything a vendor's seeder may use; the same context gives the same world."""

    tenant_id: str
    seed: int
    anchor: datetime  # seeded dates are placed relative to this instant
    rng: random.Random
    fixture: dict[str, Any] | None = None
    # Random per tenant incarnation (kept across resets and restarts, new when a tenant is created again):
    # for what must not outlive a deleted tenant, such as a token-signing secret. Not for seeded data.
    incarnation: str = ""
    # Random per build of the worlds (creation, each reset, each fixture load): for what a reset must end, such
    # as Pearson's token-signing secret (Absorb's and iSpring's tokens live in the world and end with it).
    build: str = ""


Route = tuple[Callable[..., Any], dict[str, Any]]  # a view function and its path arguments


@dataclass(frozen=True)
class Vendor:
    name: str
    title: str
    blueprint: Blueprint
    build_world: Callable[[WorldContext], Any]
    render_error: Callable[[EmulatorError], Response]
    # Tokens the vendor does not let clients obtain themselves (Pearson): the admin API
    # issues them with this hook, (world, user_id, now) -> token string.
    issue_token: Callable[[Any, str, datetime], str] | None = None
    # OpenAPI facts that are the vendor's, not a route's: security schemes, headers every call carries,
    # the error schema name, the server URL. Read by core.openapi and core.strict.
    openapi: dict[str, Any] | None = None
    # An ASP.NET service: paths, query parameter names and JSON body keys match case-insensitively
    # (``core.casefold``).
    case_insensitive: bool = False
    # Other bases the vendor serves every route under, after its prefix (iSpring: ``/api/v2`` and
    # ``/index.php/api/v2`` on the account host): ``core.casefold.StripBases`` removes them before routing.
    base_paths: tuple[str, ...] = ()
    # The rate limit the vendor documents, (requests per second, burst); tenants opt in (``core.ratelimit``).
    rate_limit: tuple[float, int] | None = None
    # Whether an answer body (its first bytes, up to 64 KB) is a secret as a whole, so the journal masks it
    # whatever the request looked like (Absorb's /authenticate answers its token as a bare JSON string).
    secret_answer: Callable[[bytes], bool] | None = None
    # OAuth 2.0 clients registered through the admin API (Absorb's portal settings): (world, body, now) -> the
    # client's id, secret and redirect URIs; and (world, client id) -> whether a client was revoked. The client id
    # becomes one more key of the tenant (``World.tenant_keys`` lists it).
    register_client: Callable[[Any, dict[str, Any], datetime], dict[str, Any]] | None = None
    revoke_client: Callable[[Any, str], bool] | None = None

    @property
    def prefix(self) -> str:
        return "/" + self.name
