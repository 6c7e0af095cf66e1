"""iSpring Learn enrollment routes: thin handlers over ``enrollments`` (paths and answers of the vendor's
OpenAPI, tag "enrollment")."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, request

from emulator.core.openapi import Param
from emulator.core.http import no_content
from emulator.core.persistence import read_only
from emulator.ispring.domain import enrollments, lookups, service
from emulator.ispring.http import queries
from emulator.ispring.domain.access import require
from emulator.ispring.wire.learning import (
    DELETE_ENROLLMENTS, LIST_ENROLLMENTS, NEW_ENROLLMENT, UPDATE_ENROLLMENT, dump_enrollment,
)
from emulator.ispring.domain.models import ApiClient, Enrollment, ISpringWorld
from emulator.ispring.http.routes import ERRORS, PAGING, UUIDS, answer, learn, permitted_body

FILTERS = (Param("courseIds[]", UUIDS), Param("learnerIds[]", UUIDS), Param("enrollmentIds[]", UUIDS))


def _filters() -> dict[str, list[str]]:
    """learnerIds[], courseIds[], enrollmentIds[] (any spelling of a list, ``queries.values``)."""
    return {"learner_ids": queries.uuids("learnerIds"), "course_ids": queries.uuids("courseIds"),
            "enrollment_ids": queries.uuids("enrollmentIds")}


def _page(world: ISpringWorld, found: list[Enrollment], size: int | None, token: str | None,
          media: str) -> Response:
    items, next_token = queries.page(found, lambda e: e.id, size, token)
    data: dict[str, Any] = {"enrollments": [dump_enrollment(world, e) for e in items]}
    if next_token:
        data["nextPageToken"] = next_token
    return answer(data, "enrollment-page", media)


@learn.get("/enrollment", "Get enrollment list", query=FILTERS, responses={200: "enrollment-list", **ERRORS})
def get_enrollments(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    filters = _filters()
    require(client, "enrollments")
    found = enrollments.find(world, **filters)
    return answer({"enrollments": [dump_enrollment(world, e) for e in found]}, "enrollment-list", media)


@learn.post("/enrollment", "Create new enrollments", body="enrollment-request", responses={201: None, **ERRORS})
def enroll_learners(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    data = permitted_body(NEW_ENROLLMENT, client, "enrollments")
    enrollments.enroll(world, data["learner_ids"], data["course_ids"], due_type=data["due_date_type"],
                       due=data["due_date"], period=data["due_period"], access=data["access_date"],
                       lock=data["lock_after_due_date"], now=now)
    return Response(status=201)


@learn.get("/enrollments", "List enrollments", query=(*PAGING, *FILTERS), responses={200: "enrollment-page", **ERRORS})
def list_enrollments(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    size, filters = service.page_size(request.args.get("pageSize")), _filters()
    require(client, "enrollments")
    return _page(world, enrollments.find(world, **filters), size, request.args.get("pageToken"), media)


@read_only  # a query sent as POST
@learn.post("/enrollments", "List enrollments (filters in the body)", body="enrollments-request",
            responses={200: "enrollment-page", **ERRORS})
def list_enrollments_by_post(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    data = permitted_body(LIST_ENROLLMENTS, client, "enrollments")
    found = enrollments.find(world, learner_ids=data["learner_ids"], course_ids=data["course_ids"],
                             enrollment_ids=data["enrollment_ids"])
    token = data["page_token"]
    return _page(world, found, data["page_size"], None if token is None else str(token), media)


@learn.get("/enrollment/<enrollment_id>", "Get enrollment details", responses={200: "enrollment", **ERRORS, 404: None})
def get_enrollment(enrollment_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                   media: str) -> Response:
    enrollment_id = lookups.check_uuid("enrollmentId", enrollment_id)
    require(client, "enrollments")
    data = dump_enrollment(world, enrollments.get_enrollment(world, enrollment_id))
    if media == "application/xml":  # the document wraps the XML form: <response><enrollment>...
        return answer({"enrollment": data}, "enrollment-info", media)
    return answer(data, "enrollment", media)


@learn.post("/enrollment/<enrollment_id>",
            "Update enrollment", body="enrollment-update", responses={200: None, **ERRORS, 404: None})
def change_enrollment(enrollment_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                      media: str) -> Response:
    enrollment_id = lookups.check_uuid("enrollmentId", enrollment_id)
    data = permitted_body(UPDATE_ENROLLMENT, client, "enrollments")
    enrollments.update(world, enrollment_id, access=data["access_date"], due_type=data["due_date_type"],
                       due=data["due_date"], period=data["due_period"], lock=data["lock_after_due_date"])
    return Response(status=200)


@learn.post("/enrollment/<enrollment_id>/reenroll",
            "Reenroll learner", body="enrollment-update", responses={200: None, **ERRORS, 404: None})
def reenroll(enrollment_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    enrollment_id = lookups.check_uuid("enrollmentId", enrollment_id)
    data = permitted_body(UPDATE_ENROLLMENT, client, "enrollments")
    enrollments.reenroll(world, enrollment_id, access=data["access_date"], due_type=data["due_date_type"],
                         due=data["due_date"], period=data["due_period"], lock=data["lock_after_due_date"], now=now)
    return Response(status=200)


@learn.post("/enrollment/delete", "Delete enrollments", body="enrollment-delete", responses={204: None, **ERRORS})
def unenroll(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    data = permitted_body(DELETE_ENROLLMENTS, client, "enrollments")
    enrollments.delete(world, data["enrollment_ids"])
    return no_content()
