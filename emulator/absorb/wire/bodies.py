"""Absorb's request bodies: the marshmallow schemas of what comes in, and ``load``, which turns a bad body into
Absorb's 400 with ``validations``. Schemas are instantiated once, here.
"""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, ValidationError, fields, validate

from emulator.core.errors import ValidationFailed
from emulator.core.wire import CamelCaseSchema, Guid, IsoDateTime, validation_messages
from emulator.absorb.domain.models import GENDERS
from emulator.absorb.wire.schemas import CustomFieldsSchema, Number

STATUS = validate.OneOf(range(13))
INT32_MAX = 2**31 - 1


def _optional_text() -> fields.String:
    """A nullable text field of at most 255 characters (a new field each call: a schema owns its fields)."""
    return fields.String(allow_none=True, validate=validate.Length(max=255))


class UserBodySchema(CamelCaseSchema):
    """A user written by PUT /users/{userId}, POST /users and POST /users/upload: the UserResource's fields
    (``password`` besides). Every field is optional here; a field left out keeps its value (the emulator's
    choice), and creating needs ``username``, ``firstName``, ``lastName`` and ``departmentId``
    (``users.REQUIRED_TO_CREATE``). Read-only fields (``id``, dates, ``hasUsername``, the ``is...`` role flags) are
    accepted and ignored."""

    class Meta:
        unknown = EXCLUDE

    username = fields.String(validate=validate.Length(min=1, max=255))
    password = fields.String(allow_none=True, validate=validate.Length(min=1, max=255))
    department_id = Guid()
    first_name = fields.String(validate=validate.Length(min=1, max=255))
    middle_name = _optional_text()
    last_name = fields.String(validate=validate.Length(min=1, max=255))
    email_address = _optional_text()
    external_id = _optional_text()
    cc_email_addresses = fields.List(fields.String(validate=validate.Length(max=255)), allow_none=True,
                                     validate=validate.Length(max=5))
    language_id = fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, INT32_MAX))
    gender = fields.Integer(strict=True, validate=validate.OneOf(GENDERS))
    address = _optional_text()
    address2 = _optional_text()
    city = _optional_text()
    province_id = Guid(allow_none=True)
    country_id = Guid(allow_none=True)
    postal_code = _optional_text()
    phone = _optional_text()
    employee_number = _optional_text()
    location = _optional_text()
    job_title = _optional_text()
    reference_number = _optional_text()
    date_hired = IsoDateTime(allow_none=True)
    date_terminated = IsoDateTime(allow_none=True)
    notes = fields.String(allow_none=True, validate=validate.Length(max=4000))
    custom_fields = fields.Nested(CustomFieldsSchema, allow_none=True, unknown="raise")
    role_ids = fields.List(Guid(), allow_none=True)
    active_status = fields.Integer(strict=True, validate=validate.OneOf([0, 1]))
    supervisor_id = Guid(allow_none=True)
    # read-only (derived by the vendor): validated for type, then ignored
    is_learner = fields.Boolean(allow_none=True)
    is_admin = fields.Boolean(allow_none=True)
    is_instructor = fields.Boolean(allow_none=True)
    is_manager = fields.Boolean(allow_none=True)
    id = Guid(allow_none=True)
    date_edited = IsoDateTime(allow_none=True)
    date_added = IsoDateTime(allow_none=True)
    last_login_date = IsoDateTime(allow_none=True)
    has_username = fields.Boolean(allow_none=True)


class DepartmentBodySchema(CamelCaseSchema):
    """POST /create-department: the DepartmentResource's settable fields; read-only ones (``id``, dates) are
    accepted and ignored."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    parent_id = Guid(allow_none=True)
    use_department_contact_details = fields.Boolean(allow_none=True)
    company_name = _optional_text()
    phone_number = _optional_text()
    email_address = _optional_text()
    external_id = _optional_text()
    currency_id = Guid(allow_none=True)
    id = Guid(allow_none=True)
    date_added = IsoDateTime(allow_none=True)
    date_edited = IsoDateTime(allow_none=True)


class AuthenticateSchema(CamelCaseSchema):
    class Meta:
        unknown = EXCLUDE

    username = fields.String(required=True, validate=validate.Length(min=1))
    password = fields.String(required=True, validate=validate.Length(min=1))
    private_key = fields.String(required=True, validate=validate.Length(min=1))


class CreditTypeCreditsSchema(CamelCaseSchema):
    class Meta:
        unknown = EXCLUDE

    credit_type_id = Guid(required=True)
    credits = Number(required=True)


class CourseEnrollmentUpsertSchema(CamelCaseSchema):
    """The create-or-update body. Settable: status, dateCompleted, dateExpires, courseVersionId,
    acceptedTermsAndConditions, enrollmentKeyId, credits, score; the other documented properties
    are accepted and ignored, as the vendor's model binder does."""

    class Meta:
        unknown = EXCLUDE

    course_id = Guid(required=True)
    status = fields.Integer(strict=True, validate=STATUS)
    date_completed = IsoDateTime(allow_none=True)
    date_expires = IsoDateTime(allow_none=True)
    course_version_id = Guid(allow_none=True)
    accepted_terms_and_conditions = fields.Boolean()
    enrollment_key_id = Guid(allow_none=True)
    credits = Number(allow_none=True)
    score = Number(allow_none=True)
    # documented, not settable: validated for type, then ignored
    id = Guid(allow_none=True)
    course_name = fields.String(allow_none=True)
    progress = Number(allow_none=True)
    full_name = fields.String(allow_none=True)
    job_title = fields.String(allow_none=True)
    user_id = Guid(allow_none=True)
    date_started = IsoDateTime(allow_none=True)
    certificate_id = Guid(allow_none=True)
    is_active = fields.Boolean(allow_none=True)
    course_collection_id = Guid(allow_none=True)
    access_date = IsoDateTime(allow_none=True)
    date_due = IsoDateTime(allow_none=True)
    avatar = fields.String(allow_none=True)
    credit_type_credits = fields.List(fields.Nested(CreditTypeCreditsSchema), allow_none=True)


class AttemptFinishSchema(CamelCaseSchema):
    class Meta:
        unknown = EXCLUDE

    status = fields.Integer(required=True, strict=True, validate=validate.OneOf([1, 3, 5]))
    score = Number(allow_none=True, validate=validate.Range(0, 100))
    start_date = IsoDateTime(allow_none=True)
    completion_date = IsoDateTime(allow_none=True)


class MyEnrollmentSchema(CamelCaseSchema):
    """POST /my-enrollments: the course to enroll the caller in, and for an instructor-led course the session."""

    class Meta:
        unknown = EXCLUDE

    course_id = Guid(required=True)
    session_id = Guid(allow_none=True)


AUTHENTICATE = AuthenticateSchema()
MY_ENROLLMENT = MyEnrollmentSchema()
COURSE_ENROLLMENT_UPSERT = CourseEnrollmentUpsertSchema()
ATTEMPT_FINISH = AttemptFinishSchema()
USER_BODY = UserBodySchema()
DEPARTMENT_BODY = DepartmentBodySchema()


def load(schema: Any, data: Any, where: str = "") -> dict[str, Any]:
    """Validate a body with a schema; errors become Absorb's 400 with ``validations`` (``where`` prefixes them).

    Property names arrive in the documented spelling whatever the client sent: ``core.casefold`` renamed them
    (at any depth) before the route ran, as ASP.NET's binder matches them case-insensitively.
    """
    if schema.many is False and not isinstance(data, dict):
        raise ValidationFailed("The request body must be a JSON object.",
                               validations=[f"{where or 'body'}: expected an object"])
    bad_text = _lone_surrogate(data, where or "body")
    if bad_text:
        raise ValidationFailed("The request body has text that is not valid Unicode.",
                               validations=[f"{bad_text}: a lone UTF-16 surrogate is not valid text"])
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed("One or more validation errors occurred.",
                               validations=validation_messages(exc.messages, where)) from None


def _lone_surrogate(data: Any, path: str) -> str | None:
    """The path of the first string (key or value) holding a lone surrogate (JSON allows ``"\\ud800"``; no
    answer could carry it), else None."""
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        step = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"
        found = _lone_surrogate(key, path) if isinstance(key, str) else None
        found = found or _lone_surrogate(value, step)
        if found:
            return found
    return None
