"""Absorb Integration API v2 routes: thin handlers (parse, call the service, dump).

Paths are the vendor's (the evidence in ``docs/VENDOR-NOTES.md``); each handler is named after the
seed's operation. This module holds the blueprint, what every Absorb route shares (query parameters,
error statuses, paging) and the routes of authentication, users, departments and courses; a learner's
enrollments are in ``enrollment_routes``, the reference data in ``lookup_routes``.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial, wraps
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from emulator.core import paging
from emulator.core.http import datetime_arg, int_arg, json_body
from emulator.core.errors import ValidationFailed
from emulator.core.openapi import Param, documented
from emulator.absorb.domain import lookups, users
from emulator.absorb.domain.choices import CHOICES
from emulator.absorb.http.auth import absorb_call, resolve_portal
from emulator.absorb.domain.tokens import authenticate as authenticate_user
from emulator.absorb.domain.models import AbsorbWorld, User
from emulator.absorb.wire.bodies import AUTHENTICATE, USER_BODY, load
from emulator.absorb.wire.schemas import COURSE, COURSES, DEFAULT_SORT, DEPARTMENT, DEPARTMENTS, USER, USERS, dump
from emulator.core.tenantcall import bind_tenant
from emulator.core.pagecache import order_key
from emulator.core.pagecache import request_page_key

bp = Blueprint("absorb", __name__)
STATUSES = range(13)

# What core.paging accepts, as patterns (the OpenAPI document is as strict as the server): digits with an
# optional '+', leading zeros and surrounding spaces or tabs (the server strips any whitespace: the
# document names the two a client sends); _limit 1-1000, _offset 0-65535 ('-0' is 0).
LIMIT_PATTERN = r"^[ \t]*\+?0*([1-9][0-9]{0,2}|1000)[ \t]*$"
OFFSET_PATTERN = (r"^[ \t]*([+-]?0+|\+?0*([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]"
                  r"|6553[0-5]))[ \t]*$")
# Query parameters as the seed documents them, for the OpenAPI document and strict mode.
PAGED = (
    Param("_filter", {"type": "string"}, "OData filter over the resource's fields."),
    Param("_sort", {"type": "string"}, "Comma-separated fields; '-' prefix for descending. Default: the vendor's "
          "documented default sort (courseName for user course enrollments, username for users), else the key (id); "
          "ties are broken by id."),
    Param("_limit", {"type": "string", "pattern": LIMIT_PATTERN}, "Page size (default 20, 1 to 1000)."),
    Param("_offset", {"type": "string", "pattern": OFFSET_PATTERN}, "Page number, 0 first (max 65535)."),
)
# The error statuses a route declares (``responses``): each answers Absorb's error body.
CALL_ERRORS = {400: None, 401: None, 403: None}  # every call with a token: bad input, no token, not allowed
GET_ERRORS = {**CALL_ERRORS, 404: None}  # ... naming a resource in its path
LIST_ERRORS = {**CALL_ERRORS, 422: None}  # a paged list: a _filter or _sort that cannot be applied
BODY_ERRORS = {413: None, 415: None, 422: None}  # a JSON body: too large, not JSON, not valid


def _created(body: dict[str, Any]) -> Response:
    """A 201 with ``body`` as JSON: the app's JSON provider (``app.json``, as ``jsonify``) with the status given
    at once (a second ``status_code`` set parses the status again)."""
    return Response(current_app.json.dumps(body), status=201, content_type="application/json")


def _filters(items: list[Any], args: Mapping[str, str]) -> list[Any]:
    """The ``status`` and ``modifiedSince`` query parameters."""
    if "status" not in args and "modifiedSince" not in args:
        return items
    return lookups.changed_since(items, int_arg(args, "status", choices=STATUSES), datetime_arg(args, "modifiedSince"))


@dataclass(slots=True)
class Listing:
    """What a list route answers before paging: its items, how to dump one, and the shape of its page."""

    items: list[Any]
    resource: Any
    dump: Callable[[Any], Any]
    key: str = "enrollments"  # the envelope's collection
    deprecated: bool = True  # the deprecated ``status``, ``modifiedSince``, ``limit``, ``offset`` too
    bare: bool = False  # a bare array (``paging.query_array``), not an envelope
    legacy_paging: bool = False  # the deprecated ``limit`` and ``offset`` alone (lists without a status)
    max_limit: int | None = None  # a route's own page cap below ``paging.MAX_LIMIT`` (my-catalog's)
    extra: dict[str, Any] | None = None  # members added to the envelope (my-courses' ``curriculumEnrollment``)
    index: paging.Index | None = None  # candidates for a ``_filter`` of ``field eq 'value'`` (all items listed)
    # the one entity class the page shows, nothing derived from any other (``core.pagecache``: a write of another
    # class keeps the page); None: any write may change it
    shows: type | None = None

    def build(self, args: Mapping[str, str], remember: paging.Remember | None = None) -> Any:
        """The page's content (the envelope or bare array) for the query ``args``; ``remember`` keeps the list's
        order between pages (``core.pagecache.OrderCache``)."""
        if self.max_limit is not None:
            paging.check_limit(args, self.max_limit, deprecated=self.deprecated or self.legacy_paging)
        if self.bare:
            return paging.query_array(self.items, self.resource, args, dump=self.dump)
        page = paging.query_list(_filters(self.items, args) if self.deprecated else self.items, self.resource, args,
                                 key=self.key, dump=self.dump, default_sort=DEFAULT_SORT.get(self.resource.name),
                                 deprecated=self.deprecated or self.legacy_paging, index=self.index,
                                 remember=remember)
        return page if self.extra is None else page | self.extra


class PagedList:
    """A list route's answer, from the world's page cache until the next write (``core.pagecache``).

    ``listing(**path arguments, world=, now=, user=)`` (and ``args=``, the query, if it takes it) gives the
    route's ``Listing``. Flask calls ``page`` through ``absorb_call`` (``paged``); the pipeline's fast path
    calls it without Flask, under the same lock, with the query parsed and folded alike (``auth.page``)."""

    def __init__(self, listing: Callable[..., Listing]) -> None:
        self.listing = listing
        self.takes_args = "args" in inspect.signature(listing).parameters

    def page(self, path_args: dict[str, Any], args: Mapping[str, str], key: Hashable, *,
             world: AbsorbWorld, now: datetime, user: User) -> bytes:
        extra = {"args": args} if self.takes_args else {}
        shows: list[type | None] = [None]  # the listing's, known once it is made (on a miss)

        def build() -> Any:
            listing = self.listing(**path_args, world=world, now=now, user=user, **extra)
            shows[0] = listing.shows

            def remember(ordered: Callable[[], list[Any]]) -> list[Any]:
                return world.orders.ordered(order_key(key, args), ordered, listing.shows)

            return listing.build(args, remember)

        return world.pages.page(key, build, lambda: shows[0])


def wire(world: AbsorbWorld, schema: Any) -> Callable[[Any], Any]:
    """An entity's wire form through ``schema`` for a list page, from the world's wire cache: encoded once,
    so that a page copies its items' bytes (``WireCache.encoded``)."""
    return partial(world.wire_cache.encoded, schema)


def paged(listing: Callable[..., Listing]) -> Callable[..., Response]:
    """Decorator, under ``absorb_call``: a view returning a ``Listing`` answers its page (``PagedList``)."""
    spec = PagedList(listing)

    @wraps(listing)
    def view(*, world: AbsorbWorld, now: datetime, user: User, **path_args: Any) -> Response:
        body = spec.page(path_args, request.args, request_page_key(user.id), world=world, now=now, user=user)
        return Response(body, mimetype="application/json")

    view.__dict__["paged"] = spec
    return view


Route = Callable[[Callable[..., Any]], Callable[..., Any]]


def read_list(path: str, summary: str, page: str, *, query: tuple[Param, ...] = PAGED,
              errors: Mapping[int, str | None] = LIST_ERRORS, admin: bool = True) -> Route:
    """A paged list's decorators in one: ``@bp.get(path)``, ``@documented`` (``page``: the 200's schema),
    ``@absorb_call(admin=admin)``, ``@paged``. The view returns its ``Listing``."""
    def register(listing: Callable[..., Listing]) -> Callable[..., Any]:
        view = absorb_call(admin=admin)(paged(listing))
        return bp.get(path)(documented(summary, query=query, responses={200: page, **errors})(view))
    return register


def read(path: str, summary: str, item: str, *, query: tuple[Param, ...] = (), admin: bool = True) -> Route:
    """An unpaged read of what the path names (one resource, or a short list of it) in one decorator:
    ``@bp.get(path)``, ``@documented`` (``item``: the 200's schema; 404 for an unknown id),
    ``@absorb_call(admin=admin)``."""
    def register(view: Callable[..., Response]) -> Callable[..., Any]:
        operation = documented(summary, query=query, responses={200: item, **GET_ERRORS})
        return bp.get(path)(operation(absorb_call(admin=admin)(view)))
    return register


# -- authentication ---------------------------------------------------------------------------

@bp.post("/authenticate")
@documented("Authenticate and get a token", body="authenticate-request", auth=False,
            responses={200: "token", 400: None, 401: None, 413: None, 415: None})
def authenticate() -> Response:
    tenant = resolve_portal()
    bind_tenant(tenant, "absorb")  # the journal and fault rules find the request's tenant here
    body = load(AUTHENTICATE, json_body(request))
    with tenant.lock:
        token = authenticate_user(AbsorbWorld.of(tenant), username=body["username"], password=body["password"],
                                  private_key=body["private_key"], api_key=request.headers["x-api-key"],
                                  now=tenant.clock.now())
    return jsonify(token)


# -- users ------------------------------------------------------------------------------------------

LEGACY_PAGING = (
    Param("limit", {"type": "string", "pattern": "^[0-9]+$"}, "(Deprecated) The page size; _limit wins."),
    Param("offset", {"type": "string", "pattern": "^[0-9]+$"}, "(Deprecated) The page number; _offset wins."),
)
# The lists of the resources the vendor's v2 pages add (catalogue, offerings, learning, resources...): paging and the
# deprecated limit/offset, no status/modifiedSince (``legacy_listing``); a nested one answers 404 for its parent.
LEGACY_LIST = PAGED + LEGACY_PAGING
NESTED_LIST_ERRORS = {**GET_ERRORS, 422: None}


def legacy_listing(items: list[Any], resource: Any, dump_one: Callable[[Any], Any], key: str) -> Listing:
    """The ``Listing`` of a list that honours the deprecated ``limit``/``offset`` but has no status filter."""
    return Listing(items, resource, dump_one, key=key, deprecated=False, legacy_paging=True)
SEARCH = Param("_search", {"type": "string"}, "Text the user's name fields contain (first, middle, last, full name, "
               "username), case-insensitively.")


@read_list("/users", "List users (default sort: username)", "user-page", query=PAGED + LEGACY_PAGING + (SEARCH,))
def list_users(*, world: AbsorbWorld, now: datetime, user: User, args: Mapping[str, str]) -> Listing:
    search = args.get("_search")
    if (search or "").strip():
        found: Any = users.search_users(world, search)
        index = None
    else:  # every user: a filter of username, email, external id or department eq '...' has an index
        found, index = world.users.values(), partial(world.user_index.candidates, world)
    return Listing(found, USERS, wire(world, USER), key="users", deprecated=False, legacy_paging=True, index=index,
                   shows=User)


@read("/users/<guid:user_id>", "Get user", "user")
def get_user(user_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(dump(world, USER, users.get_user(world, user_id)))


@bp.put("/users/<guid:user_id>")
@documented("Update user", body="user-request", responses={200: "user", **GET_ERRORS, **BODY_ERRORS})
@absorb_call()
def update_user(user_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    target = users.get_user(world, user_id)
    body = load(USER_BODY, json_body(request))
    return jsonify(dump(world, USER, users.update_user(world, target, body, at=now)))


@bp.post("/users")
@documented("Create or update user (matched by username)", body="user-request",
            responses={200: "user", 201: "user", **CALL_ERRORS, **BODY_ERRORS})
@absorb_call()
def save_user(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    body = load(USER_BODY, json_body(request))
    saved, created = users.save_user(world, body, at=now)
    response = jsonify(dump(world, USER, saved))
    response.status_code = CHOICES.user_created_status if created else 200
    return response


@bp.post("/users/upload")
@documented("Upload users (create or update up to 200, matched by username; also at /users/upload/)",
            body="user-upload-request", responses={200: "user-upload-result", **CALL_ERRORS, **BODY_ERRORS})
@absorb_call()
def upload_users(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    raw = json_body(request)
    if not isinstance(raw, list):
        raise ValidationFailed("The body must be an array of users.", validations=["body: expected an array"])
    users.check_upload_size(len(raw))  # an oversized batch is refused whole, before any of it is read
    bodies = [load(USER_BODY, item, f"[{n}]") for n, item in enumerate(raw)]
    saved = users.upload_users(world, bodies, at=now)
    return jsonify([{"key": u.id, "value": u.username} for u in saved])


# -- departments and courses (read-only) ---------------------------------------------------------------

DEPARTMENT_QUERY = PAGED + (Param("departmentName", {"type": "string"}, "Departments with this name."),
                            Param("externalId", {"type": "string"}, "Departments with this external id."))


@read_list("/departments", "List departments", "department-page", query=DEPARTMENT_QUERY)
def list_departments(*, world: AbsorbWorld, now: datetime, user: User, args: Mapping[str, str]) -> Listing:
    found = users.list_departments(world, args.get("departmentName"), args.get("externalId"))
    return Listing(found, DEPARTMENTS, wire(world, DEPARTMENT), key="departments", deprecated=False)


@read("/departments/<guid:department_id>", "Get department", "department")
def get_department(department_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(dump(world, DEPARTMENT, users.get_department(world, department_id)))


@read_list("/courses", "List courses", "course-page")
def list_courses(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(list(world.courses.values()), COURSES, wire(world, COURSE), key="courses", deprecated=False)


@read("/courses/<guid:course_id>", "Get course", "course")
def get_course(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(dump(world, COURSE, lookups.get_course(world, course_id)))
