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

from emulator.core.http import json_body
from emulator.core.openapi import documented
from emulator.absorb.domain import commerce, definitions, departments
from emulator.absorb.http.auth import absorb_call
from emulator.absorb.wire.bodies import DEPARTMENT_BODY, load
from emulator.absorb.wire.catalogue import CURRICULA, CURRICULUM
from emulator.absorb.domain.models import AbsorbWorld, User
from emulator.absorb.wire.offerings import (
    COMPETENCY_DEFINITION, COUPON, COUPONS, COURSE_BUNDLE, COURSE_BUNDLES, CUSTOM_FIELD_DEFINITION,
    CUSTOM_FIELD_DEFINITIONS, ENROLLMENT_KEY, ENROLLMENT_KEYS, EXTERNAL_TRAINING_SUBMISSION,
    EXTERNAL_TRAINING_SUBMISSIONS, EXTERNAL_TRAINING_TEMPLATE, EXTERNAL_TRAINING_TEMPLATES, QUESTION_BANK,
    QUESTION_BANKS, SELF_ASSESSMENT, TRANSACTION, TRANSACTIONS,
)
from emulator.absorb.http.routes import (
    BODY_ERRORS, CALL_ERRORS, LEGACY_LIST, Listing, _created, bp, legacy_listing, read, read_list, wire,
)

from emulator.absorb.wire.schemas import COURSE, COURSES, DEPARTMENT, dump


def _key_wire(world: AbsorbWorld) -> Callable[[commerce.EnrollmentKey], dict[str, Any]]:
    """An enrollment key's wire form with its ``timesUsed`` counted now."""
    return lambda key: ENROLLMENT_KEY.dump(key) | {"timesUsed": commerce.times_used(world, key)}


# -- for sale ----------------------------------------------------------------------------------------------------

@read_list("/courses/for-sale", "List courses for sale: the active courses with a price. Default order: id.",
           "course-page", query=LEGACY_LIST, admin=False)
def list_courses_for_sale(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(commerce.courses_for_sale(world), COURSES, wire(world, COURSE), "courses")


@read_list("/course-bundles/for-sale",
           "List course bundles for sale: the active bundles with a price. Default order: id.",
           "course-bundle-page", query=LEGACY_LIST, admin=False)
def list_course_bundles_for_sale(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(commerce.bundles_for_sale(world), COURSE_BUNDLES, COURSE_BUNDLE.dump, "courseBundles")


@read_list("/curriculums/for-sale", "List curricula for sale: the active curricula with a price. Default order: id.",
           "curriculum-page", query=LEGACY_LIST, admin=False)
def list_curricula_for_sale(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(commerce.curricula_for_sale(world), CURRICULA, CURRICULUM.dump, "curriculums")


# -- course bundles, coupons, transactions, enrollment keys -------------------------------------------------------

@read_list("/course-bundles", "List course bundles. Default order: id.", "course-bundle-page", query=LEGACY_LIST)
def list_course_bundles(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    bundles = list(commerce.commerce_of(world).course_bundles.values())
    return legacy_listing(bundles, COURSE_BUNDLES, COURSE_BUNDLE.dump, "courseBundles")


@read("/course-bundles/<guid:course_bundle_id>", "Get course bundle", "course-bundle")
def get_course_bundle(course_bundle_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(COURSE_BUNDLE.dump(commerce.get_course_bundle(world, course_bundle_id)))


@read_list("/coupons", "List coupons. Default order: id.", "coupon-page", query=LEGACY_LIST)
def list_coupons(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(list(commerce.commerce_of(world).coupons.values()), COUPONS, COUPON.dump, "coupons")


@read("/coupons/<guid:coupon_id>", "Get coupon", "coupon")
def get_coupon(coupon_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(COUPON.dump(commerce.get_coupon(world, coupon_id)))


@read_list("/e-commerce/transactions", "List e-commerce transactions. Default order: id.",
           "transaction-page", query=LEGACY_LIST)
def list_transactions(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    transactions = list(commerce.commerce_of(world).transactions.values())
    return legacy_listing(transactions, TRANSACTIONS, TRANSACTION.dump, "transactions")


@read("/e-commerce/transactions/<guid:transaction_id>", "Get e-commerce transaction", "transaction")
def get_transaction(transaction_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(TRANSACTION.dump(commerce.get_transaction(world, transaction_id)))


@read_list("/enrollment-keys", "List enrollment keys. Default order: id.", "enrollment-key-page", query=LEGACY_LIST)
def list_enrollment_keys(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    keys = list(commerce.commerce_of(world).enrollment_keys.values())
    return legacy_listing(keys, ENROLLMENT_KEYS, _key_wire(world), "enrollmentKeys")


@read("/enrollment-keys/<guid:enrollment_key_id>", "Get enrollment key", "enrollment-key")
def get_enrollment_key(enrollment_key_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(_key_wire(world)(commerce.get_enrollment_key(world, enrollment_key_id)))


# -- definitions ----------------------------------------------------------------------------------------------

@read_list("/custom-field-definitions", "List custom fields and their definitions (a bare array)",
           "custom-field-definition-list", query=())
def list_custom_field_definitions(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    found = list(definitions.definitions_of(world).custom_field_definitions.values())
    return Listing(found, CUSTOM_FIELD_DEFINITIONS, CUSTOM_FIELD_DEFINITION.dump, bare=True, deprecated=False)


@read("/custom-field-definitions/<guid:custom_field_definition_id>", "Get custom field definition",
      "custom-field-definition")
def get_custom_field_definition(custom_field_definition_id: str, *, world: AbsorbWorld, now: datetime,
                                user: User) -> Response:
    found = definitions.get_custom_field_definition(world, custom_field_definition_id)
    return jsonify(CUSTOM_FIELD_DEFINITION.dump(found))


@read("/competency-definitions/<guid:competency_definition_id>", "Get competency definition",
      "competency-definition")
def get_competency_definition(competency_definition_id: str, *, world: AbsorbWorld, now: datetime,
                              user: User) -> Response:
    found = definitions.get_competency_definition(world, competency_definition_id)
    return jsonify(COMPETENCY_DEFINITION.dump(found))


@read_list("/question-banks", "List question banks. Default order: id.", "question-bank-page", query=LEGACY_LIST)
def list_question_banks(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    banks = list(definitions.definitions_of(world).question_banks.values())
    return legacy_listing(banks, QUESTION_BANKS, QUESTION_BANK.dump, "questionBanks")


@read("/question-banks/<guid:question_bank_id>", "Get question bank", "question-bank")
def get_question_bank(question_bank_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(QUESTION_BANK.dump(definitions.get_question_bank(world, question_bank_id)))


@read("/self-assessments/<guid:self_assessment_id>", "Get self-assessment", "self-assessment")
def get_self_assessment(self_assessment_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(SELF_ASSESSMENT.dump(definitions.get_self_assessment(world, self_assessment_id)))


# -- external training ----------------------------------------------------------------------------------------

@read_list("/external-training/templates", "List external training templates. Default order: id.",
           "external-training-template-page", query=LEGACY_LIST)
def list_external_training_templates(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    templates = list(definitions.definitions_of(world).external_training_templates.values())
    return legacy_listing(templates, EXTERNAL_TRAINING_TEMPLATES, EXTERNAL_TRAINING_TEMPLATE.dump, "templates")


@read("/external-training/templates/<guid:template_id>", "Get external training template",
      "external-training-template")
def get_external_training_template(template_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(EXTERNAL_TRAINING_TEMPLATE.dump(definitions.get_external_training_template(world, template_id)))


@read_list("/external-training/submissions", "List external training submissions. Default order: id.",
           "external-training-submission-page", query=LEGACY_LIST)
def list_external_training_submissions(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    found = list(definitions.definitions_of(world).external_training_submissions.values())
    return legacy_listing(found, EXTERNAL_TRAINING_SUBMISSIONS, EXTERNAL_TRAINING_SUBMISSION.dump, "submissions")


@read("/external-training/submissions/<guid:submission_id>", "Get external training submission",
      "external-training-submission")
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
