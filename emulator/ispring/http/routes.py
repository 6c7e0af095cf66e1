"""iSpring Learn routes: thin handlers (parse, call the service, answer in the negotiated media type).

Paths, bodies, status codes and answers follow the vendor's OpenAPI ("Learn Rest Api" 3.0). Every
answer is JSON or XML (``auth.negotiate``); the XML is the same data (``core.xmlwire``).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, request

from emulator.core.errors import BadRequest
from emulator.core.http import json_body
from emulator.core.openapi import Param, documented
from emulator.core.pagecache import MAX_CACHED_BODY
from emulator.core.persistence import read_only
from emulator.core.wire import encode_json
from emulator.core.xmlwire import encode_xml
from emulator.ispring.domain import lookups, service, users
from emulator.ispring.domain.access import require
from emulator.ispring.http.auth import check_json_body, grant_token, ispring_call
from emulator.ispring.domain.models import ApiClient, ISpringWorld
from emulator.core.exchange import current
from emulator.ispring.wire.schemas import (
    SESSION_LIST_REQUEST, TOKEN_RESPONSE, USER_ATTRIBUTES_REQUEST, dump_department, dump_participants, dump_session,
    dump_session_info, dump_user, load,
)

bp = Blueprint("ispring", __name__)
Route = Callable[[Callable[..., Any]], Callable[..., Any]]


class LearnRoutes:
    """An iSpring Learn route's decorators in one, named as Flask's: ``@learn.post(path, summary, body=...,
    responses=...)`` is ``@bp.post(path)`` + ``@documented(summary, ...)`` (``core.openapi``: the OpenAPI document
    and strict mode) + ``@ispring_call`` (the view gets ``world``, ``now``, ``client`` and ``media``). A POST that
    changes nothing is marked ``@read_only`` above it, as before."""

    def __init__(self, blueprint: Blueprint) -> None:
        self.blueprint = blueprint

    def route(self, path: str, summary: str, *, methods: list[str], **operation: Any) -> Route:
        """``operation``: ``documented``'s keywords (``responses``, ``query``, ``body``, ``body_media``,
        ``body_required``)."""
        contract = documented(summary, **operation)

        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            return self.blueprint.route(path, methods=methods)(contract(ispring_call(view)))
        return register

    def get(self, path: str, summary: str, **operation: Any) -> Route:
        return self.route(path, summary, methods=["GET"], **operation)

    def post(self, path: str, summary: str, **operation: Any) -> Route:
        return self.route(path, summary, methods=["POST"], **operation)

    def put(self, path: str, summary: str, **operation: Any) -> Route:
        return self.route(path, summary, methods=["PUT"], **operation)

    def delete(self, path: str, summary: str, **operation: Any) -> Route:
        return self.route(path, summary, methods=["DELETE"], **operation)


learn = LearnRoutes(bp)
XML = "application/xml"
ERRORS = {400: None, 401: None, 403: None, 406: None}  # every call can meet these (406: Accept allows neither)
UUIDS = {"type": "array", "items": {"type": "string", "format": "uuid"}}
STRINGS = {"type": "array", "items": {"type": "string"}}


def answer(data: Any, schema: str, media: str, body: bytes | None = None) -> Response:
    """``data`` as JSON (``body``: already encoded) or as XML shaped by ``schemas/ispring/<schema>.json``."""
    if media == XML:
        response = Response(encode_xml("ispring", schema, data), mimetype=XML)
    else:
        response = Response(body if body is not None else encode_json(data), mimetype="application/json")
    response.vary.add("Accept")
    return response


def json_request() -> Any:
    """The request's JSON body (Content-Type must say JSON)."""
    check_json_body()
    return json_body(request, unsupported=BadRequest)


def permitted_body(schema: Any, client: ApiClient, permission: str) -> dict[str, Any]:
    """A learning route's JSON body loaded with ``schema``, then the client's ``permission`` (``access.require``):
    a bad body is answered (400) before a missing permission (403)."""
    data = load(schema, json_request())
    require(client, permission)
    return data


def _optional_json_body() -> Any:
    """The body of a route whose body the document makes optional: none (or empty) is ``{}``."""
    if not request.get_data(cache=True).strip():
        return {}
    return json_request()


# -- token ---------------------------------------------------------------------------------------

@bp.post("/api/v3/token")
@documented("Get an access token (client credentials)", body="token-request",
            body_media="application/x-www-form-urlencoded", auth=False,
            responses={200: "token-response", **ERRORS})
def get_token() -> Response:
    """Client credentials grant -> {access_token, expires_in, token_type}."""
    _world, token = grant_token()
    data = TOKEN_RESPONSE.dump({"value": token.value, "expires_in": int(service.TOKEN_LIFETIME.total_seconds())})
    return answer(data, "token-response", current().media or service.MEDIA_TYPES[0])


# -- appraisal sessions --------------------------------------------------------------------------

@read_only  # a query sent as POST
@learn.post("/performance-management/appraisal/session/list",
            "List appraisal sessions", body="appraisal-session-list-request", body_required=False,
            responses={200: "appraisal-session-list", **ERRORS, 404: None})
def list_sessions(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    body = load(SESSION_LIST_REQUEST, _optional_json_body())
    service.require_permission(client, "sessions")
    sessions = service.list_sessions(world, body["session_ids"])
    return answer([dump_session(s) for s in sessions], "appraisal-session-list", media)


@read_only
@learn.route("/performance-management/appraisal/session/<session_id>/info",
             "Getting the appraisal session full info (GET in the document; POST in the help page)",
             responses={200: "appraisal-session-info", **ERRORS, 404: None}, methods=["GET", "POST"])
def get_session_info(session_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                     media: str) -> Response:
    session_id = lookups.check_uuid("sessionId", session_id)
    service.require_permission(client, "sessions")
    return answer(dump_session_info(service.get_session_info(world, session_id)), "appraisal-session-info", media)


@read_only  # a query sent as POST
@learn.post("/performance-management/appraisal/session/<session_id>/user/attributes/list",
            "List appraisal session user attributes", body="user-attributes-request",
            responses={200: "user-attributes-list", **ERRORS, 404: None})
def list_session_user_attributes(session_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                                 media: str) -> Response:
    """The JSON answer comes from the world's page cache for a body seen before."""
    session_id = lookups.check_uuid("sessionId", session_id)

    def compute() -> list[dict[str, Any]]:
        body = load(USER_ATTRIBUTES_REQUEST, json_request())
        service.require_permission(client, "sessions")
        return dump_participants(world, service.list_session_user_attributes(world, session_id, body["user_ids"]))

    size = request.content_length
    if media == XML or size is None or size > MAX_CACHED_BODY:  # not a key: compute() reads (or refuses) the body
        return answer(compute(), "user-attributes-list", media)
    key = (request.path, request.content_type, request.get_data(cache=True), client.client_id)
    return answer(None, "user-attributes-list", media, body=world.pages.page(key, compute))


# -- users ---------------------------------------------------------------------------------------

def uuid_list(name: str) -> list[str]:
    """``name``'s values as ``/user`` reads them (repeated ``name``, here ``departments[]``), each a UUID."""
    return lookups.check_uuids(name, request.args.getlist(name))


USER_QUERY = (Param("departments[]", UUIDS), Param("groups[]", UUIDS), Param("logins[]", STRINGS),
              Param("emails[]", STRINGS))


@learn.get("/user", "Get user list", query=USER_QUERY, responses={200: "user-list", **ERRORS})
def get_users(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    wanted = users.UserFilter.of(departments=uuid_list("departments[]"), groups=uuid_list("groups[]"),
                                 logins=request.args.getlist("logins[]"), emails=request.args.getlist("emails[]"))
    service.require_permission(client, "users")
    return answer([dump_user(world, u) for u in users.listed(world, client, wanted)], "user-list", media)


@learn.get("/user/<user_id>", "Get user profile", responses={200: "user-profile", **ERRORS, 404: None})
def get_user(user_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    service.require_permission(client, "users")
    return answer({"response": dump_user(world, service.get_user(world, client, user_id))}, "user-profile", media)


# -- departments ---------------------------------------------------------------------------------

# The paging query of every iSpring list that pages by token (pageSize from 1; the server refuses 0).
PAGING = (Param("pageSize", {"type": "integer", "minimum": 1}), Param("pageToken", {"type": "string"}))


@learn.get("/departments", "List departments", query=PAGING, responses={200: "department-page", **ERRORS})
def list_departments(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    size = service.page_size(request.args.get("pageSize"))
    service.require_permission(client, "departments")
    page, next_token = service.list_departments(world, client, size, request.args.get("pageToken"))
    data: dict[str, Any] = {"departments": [dump_department(d) for d in page]}
    if next_token:
        data["nextPageToken"] = next_token
    return answer(data, "department-page", media)


@learn.get("/department/<department_id>",
           "Get department info", responses={200: "department-info", **ERRORS, 404: None})
def get_department(department_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                   media: str) -> Response:
    service.require_permission(client, "departments")
    department = service.get_department(world, client, department_id)
    return answer({"response": dump_department(department)}, "department-info", media)
