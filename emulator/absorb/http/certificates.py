"""Routes of certificates (a user's, a course's, one by id) and of a manager's direct reports. Thin handlers; the
rules are ``certificates``' and ``users``'. Lists answer the usual envelope, honour the deprecated ``limit`` and
``offset``, and are ordered by id.
"""
from __future__ import annotations

from datetime import datetime

from flask import Response, jsonify

from emulator.absorb.domain import certificates, managers
from emulator.absorb.wire.catalogue import CERTIFICATE, CERTIFICATES, DIRECT_REPORT, DIRECT_REPORTS
from emulator.absorb.domain.models import AbsorbWorld, User
from emulator.absorb.http.routes import LEGACY_LIST, NESTED_LIST_ERRORS, Listing, legacy_listing, read, read_list


@read_list("/users/<guid:user_id>/certificates", "List a user's certificates. Default order: id.",
           "certificate-page", query=LEGACY_LIST, errors=NESTED_LIST_ERRORS)
def list_user_certificates(user_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(certificates.list_user_certificates(world, user_id),
                          CERTIFICATES, CERTIFICATE.dump, "certificates")


@read_list("/courses/<guid:course_id>/certificates", "List a course's certificates. Default order: id.",
           "certificate-page", query=LEGACY_LIST, errors=NESTED_LIST_ERRORS)
def list_course_certificates(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(certificates.list_course_certificates(world, course_id),
                          CERTIFICATES, CERTIFICATE.dump, "certificates")


@read("/certificates/<guid:certificate_id>", "Get a certificate", "certificate")
def get_certificate(certificate_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(CERTIFICATE.dump(certificates.get_certificate(world, certificate_id)))


@read_list("/managers/<guid:manager_id>",
           "List a manager's direct reports (the users whose supervisor they are). Default order: id.",
           "direct-report-page", query=LEGACY_LIST, errors=NESTED_LIST_ERRORS)
def list_direct_reports(manager_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(managers.direct_reports(world, manager_id),
                          DIRECT_REPORTS, DIRECT_REPORT.dump, "directReports")
