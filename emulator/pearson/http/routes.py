"""Pearson English Learning Services routes: thin handlers (authorize, call the service, dump).

``userIdentifier`` is matched by the ``guid`` converter: anything else is no route (404).
"""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, jsonify

from emulator.core.openapi import documented
from emulator.pearson.domain import service
from emulator.pearson.http.auth import pearson_call
from emulator.pearson.domain.models import PearsonWorld, User
from emulator.pearson.wire.schemas import AVAILABLE_ENCOUNTER, TEACHER_SESSION, dump

bp = Blueprint("pearson", __name__)
ERRORS = {401: None, 403: None, 404: None}  # no or bad token; not allowed; unknown user


@bp.get("/users/<guid:user_identifier>/sessions")
@documented("Gets the user sessions (the current or next teacher session, or null)",
            responses={200: "teacher-session", **ERRORS})
@pearson_call("sessions")
def get_user_sessions(user_identifier: str, *, world: PearsonWorld, now: datetime, user: User) -> Response:
    """Gets the user sessions asynchronous: ONE TeacherSessionViewModel (current or next), or null."""
    session = service.get_user_sessions(world, user.id, now)
    return jsonify(None if session is None else dump(world, TEACHER_SESSION, session))


@bp.get("/users/<guid:user_identifier>/encounters")
@documented("Gets the user's available encounters", responses={200: "available-encounter-list", **ERRORS})
@pearson_call("encounters")
def get_user_encounters(user_identifier: str, *, world: PearsonWorld, now: datetime, user: User) -> Response:
    """Collection of AvailableEncounter."""
    return jsonify([dump(world, AVAILABLE_ENCOUNTER, e) for e in service.get_user_encounters(world, user.id, now)])
