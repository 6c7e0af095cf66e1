"""Wire forms of what a portal sells and defines (``absorb.commerce``, ``absorb.definitions``): marshmallow schemas
and their OData field tables.

Field names are the vendor's where its pages list them (enrollment keys, e-commerce transactions, custom-field
definitions); elsewhere the emulator's choice in the vendor's conventions, listed in docs/VENDOR-NOTES.md and in
each ``schemas/absorb/*.json``'s ``$comment``.
"""
from __future__ import annotations

from marshmallow import fields

from ..core.wire import CamelCaseSchema, Guid, IsoDateTime, resource_for


class PriceSchema(CamelCaseSchema):
    id = Guid()
    department_id = Guid(allow_none=True)
    currency = fields.String()
    amount = fields.Float()


class CourseBundleSchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()
    description = fields.String(allow_none=True)
    external_id = fields.String(allow_none=True)
    active_status = fields.Integer()
    course_ids = fields.List(Guid())
    prices = fields.List(fields.Nested(PriceSchema))
    date_added = IsoDateTime()
    date_edited = IsoDateTime()


class CouponSchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()
    description = fields.String(allow_none=True)
    code = fields.String()
    discount_type = fields.Integer()
    discount = fields.Float()
    max_uses = fields.Integer(allow_none=True)
    times_used = fields.Integer()
    expiry_date = IsoDateTime(allow_none=True)
    course_ids = fields.List(Guid())
    course_bundle_ids = fields.List(Guid())
    date_added = IsoDateTime()
    date_edited = IsoDateTime()


class TransactionDetailSchema(CamelCaseSchema):
    item_id = Guid()
    item_type = fields.String()
    name = fields.String()
    quantity = fields.Integer()
    unit_price = fields.Float()


class TransactionSchema(CamelCaseSchema):
    """EcommerceTransactionResource: the vendor's E-commerce page lists these fields."""

    id = Guid()
    payment_gateway_transaction_id = fields.String(allow_none=True)
    transaction_date = IsoDateTime()
    transaction_completed_date = IsoDateTime(allow_none=True)
    status = fields.String()
    transaction_details = fields.List(fields.Nested(TransactionDetailSchema), attribute="details")
    payment_method = fields.Integer()
    card_type = fields.String(allow_none=True)
    masked_card_number = fields.String(allow_none=True)
    user_id = Guid()
    billing_first_name = fields.String()
    billing_last_name = fields.String()
    billing_address = fields.String(allow_none=True)
    billing_email_address = fields.String(allow_none=True)
    learner_email_address = fields.String(allow_none=True)
    learner_first_name = fields.String()
    learner_last_name = fields.String()
    reference_number = fields.String()
    coupon_code = fields.String(allow_none=True)
    province_tax_label = fields.String(allow_none=True)
    province_tax = fields.Float()
    country_tax_label = fields.String(allow_none=True)
    country_tax = fields.Float()
    discount = fields.Float()
    sub_total = fields.Float()
    total = fields.Float()
    currency = fields.String()


class EnrollmentKeyCourseSchema(CamelCaseSchema):
    course_id = Guid(allow_none=True)
    session_id = Guid(allow_none=True)
    course_collection_id = Guid(allow_none=True)


class EnrollmentKeySchema(CamelCaseSchema):
    """EnrollmentKeyResource: the vendor's Enrollment keys page lists these fields (``timesUsed`` is filled by the
    route: ``commerce.times_used``)."""

    id = Guid()
    name = fields.String()
    key_name = fields.String()
    department_id = Guid(allow_none=True)
    username_type = fields.Integer()
    max_uses = fields.Integer(allow_none=True)
    times_used = fields.Integer(attribute="seeded_uses")
    date_added = IsoDateTime()
    date_edited = IsoDateTime()
    start_date = IsoDateTime(allow_none=True)
    expiry_date = IsoDateTime(allow_none=True)
    language_id = fields.Integer()
    send_new_user_message_on_enrollment = fields.Boolean()
    external_id = fields.String(allow_none=True)
    courses = fields.List(fields.Nested(EnrollmentKeyCourseSchema))
    signup_fields = fields.List(fields.Dict())


class PossibleValueSchema(CamelCaseSchema):
    id = Guid()
    custom_field_definition_id = Guid()
    name = fields.String()


class CustomFieldDefinitionSchema(CamelCaseSchema):
    """CustomFieldDefinitionResource: the vendor's Custom field definitions page lists these fields."""

    id = Guid()
    name = fields.String()
    custom_field = fields.String()
    type = fields.Integer()
    behavior = fields.Integer()
    possible_values = fields.List(fields.Nested(PossibleValueSchema))
    is_private = fields.Boolean()


class CompetencyDefinitionSchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()
    description = fields.String(allow_none=True)
    category_name = fields.String(allow_none=True)
    levels = fields.List(fields.String())
    date_added = IsoDateTime()
    date_edited = IsoDateTime()


class QuestionSchema(CamelCaseSchema):
    id = Guid()
    text = fields.String()
    type = fields.String()
    options = fields.List(fields.String())
    points = fields.Float()


class QuestionBankSchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()
    description = fields.String(allow_none=True)
    course_ids = fields.List(Guid())
    questions = fields.List(fields.Nested(QuestionSchema))
    date_added = IsoDateTime()
    date_edited = IsoDateTime()


class SelfAssessmentQuestionSchema(CamelCaseSchema):
    id = Guid()
    text = fields.String()
    competency_definition_id = Guid(allow_none=True)
    scale_max = fields.Integer()


class SelfAssessmentSchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()
    description = fields.String(allow_none=True)
    active_status = fields.Integer()
    questions = fields.List(fields.Nested(SelfAssessmentQuestionSchema))
    date_added = IsoDateTime()
    date_edited = IsoDateTime()


class ExternalTrainingTemplateSchema(CamelCaseSchema):
    id = Guid()
    name = fields.String()
    description = fields.String(allow_none=True)
    requires_approval = fields.Boolean()
    credits = fields.Float(allow_none=True)
    active_status = fields.Integer()
    date_added = IsoDateTime()
    date_edited = IsoDateTime()


class ExternalTrainingSubmissionSchema(CamelCaseSchema):
    id = Guid()
    template_id = Guid()
    user_id = Guid()
    full_name = fields.String()
    name = fields.String()
    provider = fields.String(allow_none=True)
    date_completed = IsoDateTime()
    hours = fields.Float(allow_none=True)
    credits = fields.Float(allow_none=True)
    status = fields.Integer()
    date_submitted = IsoDateTime()
    date_edited = IsoDateTime()


COURSE_BUNDLE, COUPON, TRANSACTION, ENROLLMENT_KEY = (CourseBundleSchema(), CouponSchema(), TransactionSchema(),
                                                      EnrollmentKeySchema())
CUSTOM_FIELD_DEFINITION, COMPETENCY_DEFINITION = CustomFieldDefinitionSchema(), CompetencyDefinitionSchema()
QUESTION_BANK, SELF_ASSESSMENT = QuestionBankSchema(), SelfAssessmentSchema()
EXTERNAL_TRAINING_TEMPLATE = ExternalTrainingTemplateSchema()
EXTERNAL_TRAINING_SUBMISSION = ExternalTrainingSubmissionSchema()

COURSE_BUNDLES = resource_for(COURSE_BUNDLE, "CourseBundleResource")
COUPONS = resource_for(COUPON, "CouponResource")
TRANSACTIONS = resource_for(TRANSACTION, "EcommerceTransactionResource")
ENROLLMENT_KEYS = resource_for(ENROLLMENT_KEY, "EnrollmentKeyResource", not_filterable=("timesUsed",))
CUSTOM_FIELD_DEFINITIONS = resource_for(CUSTOM_FIELD_DEFINITION, "CustomFieldDefinitionResource")
QUESTION_BANKS = resource_for(QUESTION_BANK, "QuestionBankResource")
EXTERNAL_TRAINING_TEMPLATES = resource_for(EXTERNAL_TRAINING_TEMPLATE, "ExternalTrainingTemplateResource")
EXTERNAL_TRAINING_SUBMISSIONS = resource_for(EXTERNAL_TRAINING_SUBMISSION, "ExternalTrainingSubmissionResource")
