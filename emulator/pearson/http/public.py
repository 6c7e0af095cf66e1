"""``GET api/Class?ssdsClassId=&source=``: a class's details, a route its page calls public (no token asked).

The answer is the ClassDetailsViewModel of ``classes/{ssdsClassId}/details``. ``source`` (ApiCallerSource) is
required; its values are not published, so any number or name is accepted and changes nothing (the emulator's
choice, docs/VENDOR-NOTES.md).
"""
from __future__ import annotations

import re
from datetime import datetime

from flask import Response, jsonify, request

from emulator.core.errors import BadRequest
from emulator.core.openapi import Param, documented
from emulator.pearson.domain import classes
from emulator.pearson.http.auth import public_call
from emulator.pearson.domain.models import PearsonWorld
from emulator.pearson.http.routes import bp
from emulator.pearson.wire.bookings import CLASS_DETAILS

INVALID = "The request is invalid."
_SOURCE = re.compile(r"\d{1,9}|[A-Za-z][A-Za-z0-9_]{0,63}")


@bp.get("/api/Class")
@documented("Gets a class's details (public: no token)",
            query=(Param("ssdsClassId", {"type": "string"}, "The class (its RefClassId or GUID).", required=True),
                   Param("source", {"type": "string"}, "ApiCallerSource: a number or a name (values not "
                                                       "published; any is accepted).", required=True)),
            responses={200: "class-details", 400: "error", 401: "error", 404: "error"}, auth=False)
@public_call
def get_api_class(*, world: PearsonWorld, now: datetime) -> Response:
    ssds_class_id = request.args.get("ssdsClassId", "").strip()
    source = request.args.get("source", "").strip()
    problems = ([] if ssds_class_id else ["ssdsClassId: required"]) + \
        ([] if _SOURCE.fullmatch(source) else [f"source: '{source}' is not an ApiCallerSource" if source
                                               else "source: required"])
    if problems:
        raise BadRequest(INVALID, validations=problems)
    cls = classes.get_class(world, ssds_class_id)
    return jsonify(CLASS_DETAILS.dump(classes.class_details(world, cls, now)))
