"""iSpring Learn routes: thin handlers (parse, call the service, dump)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..core.errors import BadRequest
from ..core.http import json_body
from ..core.openapi import documented
from ..core.pagecache import MAX_CACHED_BODY
from ..core.persistence import read_only
from . import service
from .auth import grant_token, ispring_call
from .models import ApiClient, ISpringWorld
from .schemas import TOKEN_RESPONSE, USER_ATTRIBUTES_REQUEST, dump_participants, load

bp = Blueprint("ispring", __name__)


@bp.post("/api/v3/token")
@documented("Get an access token (client credentials)", body="token-request",
            body_media="application/x-www-form-urlencoded", auth=False,
            responses={200: "token-response", 400: None, 401: None})
def get_token() -> Response:
    """Client credentials grant -> {access_token, expires_in, token_type}."""
    _world, token = grant_token()
    return jsonify(TOKEN_RESPONSE.dump({"value": token.value,
                                        "expires_in": int(service.TOKEN_LIFETIME.total_seconds())}))


@bp.post("/performance-management/appraisal/session/<session_id>/user/attributes/list")
@read_only  # a query sent as POST
@documented("Getting User Information in Session", body="user-attributes-request",
            query=(), responses={200: "user-attributes-list", 400: None, 401: None, 403: None, 404: None})
@ispring_call
def list_session_user_attributes(session_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient) -> Response:
    """Getting User Information in Session (the answer from the world's page cache for a body seen before)."""
    session_id = service.check_session_id(session_id)

    def compute() -> list[dict[str, Any]]:
        body = load(USER_ATTRIBUTES_REQUEST, json_body(request, unsupported=BadRequest))
        service.require_permission(client)
        return dump_participants(world, service.session_user_attributes(world, session_id, body["user_ids"]))

    size = request.content_length
    if size is None or size > MAX_CACHED_BODY:  # not a key: compute() reads (or refuses) the body itself
        return jsonify(compute())
    key = (request.path, request.content_type, request.get_data(cache=True), client.client_id)
    return Response(world.pages.answer(key, compute), mimetype="application/json")
