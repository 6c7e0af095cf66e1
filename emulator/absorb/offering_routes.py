"""Routes of what a portal sells and defines: course bundles, coupons, e-commerce transactions, enrollment keys,
the for-sale lists, custom-field and competency definitions, question banks, self-assessments, external
training, and ``POST /create-department``. Thin handlers; the rules are ``commerce``'s, ``definitions``' and
``departments``'. Paged lists use the v2 envelope and the deprecated ``limit``/``offset``; default order: id.

Who may call: an administrator, except the for-sale lists (a learner's storefront reads them too).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response, jsonify, request

from ..core.http import json_body
from ..core.openapi import documented
from . import commerce, definitions, departments
from .auth import absorb_call
from .bodies import DEPARTMENT_BODY, load
from .catalogue_schemas import CURRICULA, CURRICULUM
from .models import AbsorbWorld, User
from .offering_schemas import (
    COMPETENCY_DEFINITION, COUPON, COUPONS, COURSE_BUNDLE, COURSE_BUNDLES, CUSTOM_FIELD_DEFINITION,
    CUSTOM_FIELD_DEFINITIONS, ENROLLMENT_KEY, ENROLLMENT_KEYS, EXTERNAL_TRAINING_SUBMISSION,
    EXTERNAL_TRAINING_SUBMISSIONS, EXTERNAL_TRAINING_TEMPLATE, EXTERNAL_TRAINING_TEMPLATES, QUESTION_BANK,
    QUESTION_BANKS, SELF_ASSESSMENT, TRANSACTION, TRANSACTIONS,
)
from .routes import (
    BODY_ERRORS, CALL_ERRORS, GET_ERRORS, LEGACY_PAGING, LIST_ERRORS, PAGED, Listing, _created, bp, paged, wire,
)
from .schemas import COURSE, COURSES, DEPARTMENT, dump

LIST = PAGED + LEGACY_PAGING


def _listing(items: list[Any], resource: Any, dump_one: Callable[[Any], Any], key: str) -> Listing:
    return Listing(items, resource, dump_one, key=key, deprecated=False, legacy_paging=True)


def _key_wire(world: AbsorbWorld) -> Callable[[commerce.EnrollmentKey], dict[str, Any]]:
    """An enrollment key's wire form with its ``timesUsed`` counted now."""
    return lambda key: ENROLLMENT_KEY.dump(key) | {"timesUsed": commerce.times_used(world, key)}


# -- for sale ----------------------------------------------------------------------------------------------------

@bp.get("/courses/for-sale")
@documented("List courses for sale: the active courses with a price. Default order: id.", query=LIST,
            responses={200: "course-page", **LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_courses_for_sale(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(commerce.courses_for_sale(world), COURSES, wire(world, COURSE), "courses")


@bp.get("/course-bundles/for-sale")
@documented("List course bundles for sale: the active bundles with a price. Default order: id.", query=LIST,
            responses={200: "course-bundle-page", **LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_course_bundles_for_sale(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(commerce.bundles_for_sale(world), COURSE_BUNDLES, COURSE_BUNDLE.dump, "courseBundles")


@bp.get("/curriculums/for-sale")
@documented("List curricula for sale: the active curricula with a price. Default order: id.", query=LIST,
            responses={200: "curriculum-page", **LIST_ERRORS})
@absorb_call(admin=False)
@paged
def list_curricula_for_sale(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(commerce.curricula_for_sale(world), CURRICULA, CURRICULUM.dump, "curriculums")


# -- course bundles, coupons, transactions, enrollment keys -------------------------------------------------------

@bp.get("/course-bundles")
@documented("List course bundles. Default order: id.", query=LIST, responses={200: "course-bundle-page", **LIST_ERRORS})
@absorb_call()
@paged
def list_course_bundles(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    bundles = list(commerce.commerce_of(world).course_bundles.values())
    return _listing(bundles, COURSE_BUNDLES, COURSE_BUNDLE.dump, "courseBundles")


@bp.get("/course-bundles/<guid:course_bundle_id>")
@documented("Get course bundle", responses={200: "course-bundle", **GET_ERRORS})
@absorb_call()
def get_course_bundle(course_bundle_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(COURSE_BUNDLE.dump(commerce.get_course_bundle(world, course_bundle_id)))


@bp.get("/coupons")
@documented("List coupons. Default order: id.", query=LIST, responses={200: "coupon-page", **LIST_ERRORS})
@absorb_call()
@paged
def list_coupons(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return _listing(list(commerce.commerce_of(world).coupons.values()), COUPONS, COUPON.dump, "coupons")


@bp.get("/coupons/<guid:coupon_id>")
@documented("Get coupon", responses={200: "coupon", **GET_ERRORS})
@absorb_call()
def get_coupon(coupon_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(COUPON.dump(commerce.get_coupon(world, coupon_id)))


@bp.get("/e-commerce/transactions")
@documented("List e-commerce transactions. Default order: id.", query=LIST,
            responses={200: "transaction-page", **LIST_ERRORS})
@absorb_call()
@paged
def list_transactions(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    transactions = list(commerce.commerce_of(world).transactions.values())
    return _listing(transactions, TRANSACTIONS, TRANSACTION.dump, "transactions")


@bp.get("/e-commerce/transactions/<guid:transaction_id>")
@documented("Get e-commerce transaction", responses={200: "transaction", **GET_ERRORS})
@absorb_call()
def get_transaction(transaction_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(TRANSACTION.dump(commerce.get_transaction(world, transaction_id)))


@bp.get("/enrollment-keys")
@documented("List enrollment keys. Default order: id.", query=LIST,
            responses={200: "enrollment-key-page", **LIST_ERRORS})
@absorb_call()
@paged
def list_enrollment_keys(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    keys = list(commerce.commerce_of(world).enrollment_keys.values())
    return _listing(keys, ENROLLMENT_KEYS, _key_wire(world), "enrollmentKeys")


@bp.get("/enrollment-keys/<guid:enrollment_key_id>")
@documented("Get enrollment key", responses={200: "enrollment-key", **GET_ERRORS})
@absorb_call()
def get_enrollment_key(enrollment_key_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(_key_wire(world)(commerce.get_enrollment_key(world, enrollment_key_id)))


# -- definitions ----------------------------------------------------------------------------------------------

@bp.get("/custom-field-definitions")
@documented("List custom fields and their definitions (a bare array)",
            responses={200: "custom-field-definition-list", **LIST_ERRORS})
@absorb_call()
@paged
def list_custom_field_definitions(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    found = list(definitions.definitions_of(world).custom_field_definitions.values())
    return Listing(found, CUSTOM_FIELD_DEFINITIONS, CUSTOM_FIELD_DEFINITION.dump, bare=True, deprecated=False)


@bp.get("/custom-field-definitions/<guid:custom_field_definition_id>")
@documented("Get custom field definition", responses={200: "custom-field-definition", **GET_ERRORS})
@absorb_call()
def get_custom_field_definition(custom_field_definition_id: str, *, world: AbsorbWorld, now: datetime,
                                user: User) -> Response:
    found = definitions.get_custom_field_definition(world, custom_field_definition_id)
    return jsonify(CUSTOM_FIELD_DEFINITION.dump(found))


@bp.get("/competency-definitions/<guid:competency_definition_id>")
@documented("Get competency definition", responses={200: "competency-definition", **GET_ERRORS})
@absorb_call()
def get_competency_definition(competency_definition_id: str, *, world: AbsorbWorld, now: datetime,
                              user: User) -> Response:
    found = definitions.get_competency_definition(world, competency_definition_id)
    return jsonify(COMPETENCY_DEFINITION.dump(found))


@bp.get("/question-banks")
@documented("List question banks. Default order: id.", query=LIST,
            responses={200: "question-bank-page", **LIST_ERRORS})
@absorb_call()
@paged
def list_question_banks(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    banks = list(definitions.definitions_of(world).question_banks.values())
    return _listing(banks, QUESTION_BANKS, QUESTION_BANK.dump, "questionBanks")


@bp.get("/question-banks/<guid:question_bank_id>")
@documented("Get question bank", responses={200: "question-bank", **GET_ERRORS})
@absorb_call()
def get_question_bank(question_bank_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(QUESTION_BANK.dump(definitions.get_question_bank(world, question_bank_id)))


@bp.get("/self-assessments/<guid:self_assessment_id>")
@documented("Get self-assessment", responses={200: "self-assessment", **GET_ERRORS})
@absorb_call()
def get_self_assessment(self_assessment_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(SELF_ASSESSMENT.dump(definitions.get_self_assessment(world, self_assessment_id)))


# -- external training ----------------------------------------------------------------------------------------

@bp.get("/external-training/templates")
@documented("List external training templates. Default order: id.", query=LIST,
            responses={200: "external-training-template-page", **LIST_ERRORS})
@absorb_call()
@paged
def list_external_training_templates(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    templates = list(definitions.definitions_of(world).external_training_templates.values())
    return _listing(templates, EXTERNAL_TRAINING_TEMPLATES, EXTERNAL_TRAINING_TEMPLATE.dump, "templates")


@bp.get("/external-training/templates/<guid:template_id>")
@documented("Get external training template", responses={200: "external-training-template", **GET_ERRORS})
@absorb_call()
def get_external_training_template(template_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(EXTERNAL_TRAINING_TEMPLATE.dump(definitions.get_external_training_template(world, template_id)))


@bp.get("/external-training/submissions")
@documented("List external training submissions. Default order: id.", query=LIST,
            responses={200: "external-training-submission-page", **LIST_ERRORS})
@absorb_call()
@paged
def list_external_training_submissions(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    found = list(definitions.definitions_of(world).external_training_submissions.values())
    return _listing(found, EXTERNAL_TRAINING_SUBMISSIONS, EXTERNAL_TRAINING_SUBMISSION.dump, "submissions")


@bp.get("/external-training/submissions/<guid:submission_id>")
@documented("Get external training submission", responses={200: "external-training-submission", **GET_ERRORS})
@absorb_call()
def get_external_training_submission(submission_id: str, *, world: AbsorbWorld, now: datetime,
                                     user: User) -> Response:
    found = definitions.get_external_training_submission(world, submission_id)
    return jsonify(EXTERNAL_TRAINING_SUBMISSION.dump(found))


# -- department writes ----------------------------------------------------------------------------------------

@bp.post("/create-department")
@documented("Create department", body="department-request",
            responses={201: "department", **CALL_ERRORS, **BODY_ERRORS})
@absorb_call()
def create_department(*, world: AbsorbWorld, now: datetime, user: User) -> Response:
    body = load(DEPARTMENT_BODY, json_body(request))
    return _created(dump(world, DEPARTMENT, departments.create_department(world, body, at=now)))
