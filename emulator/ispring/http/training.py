"""iSpring Learn trainings (tag "training" of the vendor's OpenAPI): thin handlers over ``training``."""
from __future__ import annotations

from datetime import datetime

from flask import Response, request

from emulator.ispring.http import queries
from emulator.ispring.domain import lookups, service, training
from emulator.ispring.domain.access import require
from emulator.ispring.wire.learning import ATTENDANCE, UPDATE_DAY
from emulator.ispring.domain.models import ApiClient, ISpringWorld
from emulator.ispring.http.routes import ERRORS, PAGING, answer, learn, permitted_body

FOUND = {**ERRORS, 404: None}


@learn.get("/training/<training_id>", "Training information", responses={200: "training-info", **FOUND})
def get_training(training_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    training_id = lookups.check_uuid("trainingId", training_id)
    require(client, "training")
    return answer({"response": training.dump_training(training.get_training(world, training_id))}, "training-info",
                  media)


@learn.get("/training/<training_id>/sessions",
           "A training's sessions", responses={200: "training-session-list", **FOUND})
def list_training_sessions(training_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                           media: str) -> Response:
    training_id = lookups.check_uuid("trainingId", training_id)
    require(client, "training")
    sessions = [world.training_sessions[s] for s in training.get_training(world, training_id).session_ids]
    return answer([training.dump_session(world, s) for s in sessions], "training-session-list", media)


@learn.get("/training/session/<session_id>",
           "Training session information", responses={200: "training-session-info", **FOUND})
def get_training_session(session_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                         media: str) -> Response:
    session_id = lookups.check_uuid("trainingSessionId", session_id)
    require(client, "training")
    session = training.get_session(world, session_id)
    return answer({"response": training.dump_session(world, session)}, "training-session-info", media)


@learn.get("/training/session/participants/<session_id>",
           "A training session's participants", query=PAGING, responses={200: "training-participants", **FOUND})
def list_session_participants(session_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                              media: str) -> Response:
    session_id = lookups.check_uuid("sessionId", session_id)
    size = service.page_size(request.args.get("pageSize"))
    require(client, "training")
    ids = training.get_session(world, session_id).participant_ids
    page, _next = queries.page(ids, lambda i: i, size, request.args.get("pageToken"))
    return answer(page, "training-participants", media)


@learn.get("/training/day/<day_id>", "Session day information", responses={200: "training-day-info", **FOUND})
def get_training_day(day_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    day_id = lookups.check_uuid("dayId", day_id)
    require(client, "training")
    return answer({"response": training.dump_day(training.get_day(world, day_id))}, "training-day-info", media)


@learn.post("/training/day/<day_id>", "Update a day's URL", body="training-day-update", responses={200: None, **FOUND})
def update_training_day(day_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                        media: str) -> Response:
    day_id = lookups.check_uuid("dayId", day_id)
    data = permitted_body(UPDATE_DAY, client, "training")
    training.update_day_url(world, day_id, data["url"])
    return Response(status=200)


@learn.post("/training/day/<day_id>/participants/attendance/update",
            "Update participants' attendance of a day", body="attendance-request", responses={200: None, **FOUND})
def update_attendance(day_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    day_id = lookups.check_uuid("dayId", day_id)
    data = permitted_body(ATTENDANCE, client, "training")
    rows = [(r["participant_id"], r["is_attended"], r["duration"]) for r in data["participants_attendance"]]
    training.update_attendance(world, day_id, rows)
    return Response(status=200)
