"""iSpring Learn gamification points and issued certificates (tags "gamification", "certificate" of the vendor's
OpenAPI); thin handlers over ``gamification``."""
from __future__ import annotations

from datetime import datetime

from flask import Response

from emulator.core.openapi import Param
from emulator.ispring.domain import gamification, lookups
from emulator.ispring.http import queries
from emulator.ispring.domain.access import require
from emulator.ispring.wire.learning import POINTS
from emulator.ispring.domain.models import ApiClient, ISpringWorld
from emulator.ispring.http.routes import ERRORS, UUIDS, answer, learn, permitted_body


@learn.get("/gamification/points", "Users and their gamification points", query=(Param("userIds[]", UUIDS),),
           responses={200: "user-points-list", **ERRORS})
def get_points(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    user_ids = queries.uuids("userIds")
    require(client, "gamification")
    return answer(gamification.list_points(world, user_ids), "user-points-list", media)


def _change_points(world: ISpringWorld, client: ApiClient, now: datetime, *, withdraw: bool) -> Response:
    """Award and withdraw (PointsRequest): the body, then the permission, then the change; 200 with no body."""
    data = permitted_body(POINTS, client, "gamification")
    gamification.change_points(world, data["user_id"], data["amount"], data["reason"], now, withdraw=withdraw)
    return Response(status=200)


@learn.post("/gamification/points/award",
            "Award points to a user", body="points-request", responses={200: None, **ERRORS})
def award_points(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    return _change_points(world, client, now, withdraw=False)


@learn.post("/gamification/points/withdraw",
            "Withdraw points from a user", body="points-request", responses={200: None, **ERRORS})
def withdraw_points(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    return _change_points(world, client, now, withdraw=True)


@learn.get("/certificate/<certificate_id>",
           "Issued certificate (its download URL)", responses={200: "issued-certificate", **ERRORS, 404: None})
def get_issued_certificate(certificate_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                           media: str) -> Response:
    certificate_id = lookups.check_uuid("issuedCertificateId", certificate_id)
    require(client, "results")
    return answer({"url": gamification.certificate_url(world, certificate_id)}, "issued-certificate", media)
