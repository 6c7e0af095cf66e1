"""Routes of certificates (a user's, a course's, one by id) and of a manager's direct reports. Thin handlers; the
rules are ``certificates``' and ``users``'. Lists answer the usual envelope, honour the deprecated ``limit`` and
``offset``, and are ordered by id.
"""
from __future__ import annotations

from datetime import datetime

from flask import Response, jsonify

from emulator.core.openapi import documented
from emulator.absorb.domain import certificates, managers
from emulator.absorb.http.auth import absorb_call
from emulator.absorb.wire.catalogue import CERTIFICATE, CERTIFICATES, DIRECT_REPORT, DIRECT_REPORTS
from emulator.absorb.domain.models import AbsorbWorld, User
from emulator.absorb.http.routes import GET_ERRORS, LEGACY_PAGING, PAGED, Listing, bp, paged

LIST = PAGED + LEGACY_PAGING
NESTED_LIST_ERRORS = {**GET_ERRORS, 422: None}


@bp.get("/users/<guid:user_id>/certificates")
@documented("List a user's certificates. Default order: id.", query=LIST,
            responses={200: "certificate-page", **NESTED_LIST_ERRORS})
@absorb_call()
@paged
def list_user_certificates(user_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(certificates.list_user_certificates(world, user_id), CERTIFICATES, CERTIFICATE.dump,
                   key="certificates", deprecated=False, legacy_paging=True)


@bp.get("/courses/<guid:course_id>/certificates")
@documented("List a course's certificates. Default order: id.", query=LIST,
            responses={200: "certificate-page", **NESTED_LIST_ERRORS})
@absorb_call()
@paged
def list_course_certificates(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(certificates.list_course_certificates(world, course_id), CERTIFICATES, CERTIFICATE.dump,
                   key="certificates", deprecated=False, legacy_paging=True)


@bp.get("/certificates/<guid:certificate_id>")
@documented("Get a certificate", responses={200: "certificate", **GET_ERRORS})
@absorb_call()
def get_certificate(certificate_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(CERTIFICATE.dump(certificates.get_certificate(world, certificate_id)))


@bp.get("/managers/<guid:manager_id>")
@documented("List a manager's direct reports (the users whose supervisor they are). Default order: id.",
            query=LIST, responses={200: "direct-report-page", **NESTED_LIST_ERRORS})
@absorb_call()
@paged
def list_direct_reports(manager_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return Listing(managers.direct_reports(world, manager_id), DIRECT_REPORTS, DIRECT_REPORT.dump,
                   key="directReports", deprecated=False, legacy_paging=True)
