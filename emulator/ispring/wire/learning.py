"""The learning routes' request bodies (content, enrollments, statistics, webhooks), as the vendor's OpenAPI
names them, and the wire forms of their entities. Schemas are instantiated once, here; ``schemas.load``
turns a problem into iSpring's 400 naming the fields."""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from emulator.core.errors import BadRequest
from emulator.core.wire import CamelCaseSchema, Guid, iso_z
from emulator.ispring.domain import content, enrollments
from emulator.ispring.domain.models import ContentItem, CourseModule, Enrollment, ISpringWorld


class _Body(CamelCaseSchema):
    class Meta:
        unknown = EXCLUDE  # keys the document does not define are ignored, as by the other routes


class Day(fields.Field):
    """A date (``yyyy-mm-dd``); a date-time is taken as its date (Pipedream sends ISO date-times)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise ValidationError("Not a date (yyyy-mm-dd).")
        try:
            return enrollments.parse_day(attr or "date", value)
        except BadRequest:  # reported here as this field's problem
            raise ValidationError("Not a date (yyyy-mm-dd).") from None


class NewEnrollmentSchema(_Body):
    course_ids = fields.List(Guid(), required=True)
    learner_ids = fields.List(Guid(), required=True)
    due_date_type = fields.String(load_default="unlimited", validate=validate.OneOf(enrollments.DUE_DATE_TYPES))
    due_date = Day(load_default=None, allow_none=True)
    due_period = fields.Integer(load_default=None, allow_none=True, strict=False)
    access_date = Day(load_default=None, allow_none=True)
    lock_after_due_date = fields.Boolean(load_default=False)


class UpdateEnrollmentSchema(_Body):
    access_date = Day(required=True)
    due_date_type = fields.String(required=True, validate=validate.OneOf(enrollments.DUE_DATE_TYPES))
    due_date = Day(load_default=None, allow_none=True)
    due_period = fields.Integer(load_default=None, allow_none=True)
    lock_after_due_date = fields.Boolean(load_default=None, allow_none=True)


class DeleteEnrollmentsSchema(_Body):
    enrollment_ids = fields.List(Guid(), required=True)


class ListEnrollmentsSchema(_Body):
    page_size = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    page_token = fields.Raw(load_default=None, allow_none=True)  # the document: integer; the GET route: string
    course_ids = fields.List(Guid(), load_default=list)
    learner_ids = fields.List(Guid(), load_default=list)
    enrollment_ids = fields.List(Guid(), load_default=list)


class CourseStatusSchema(_Body):
    course_id = Guid(required=True)
    enrollment_ids = fields.List(Guid(), required=True)
    status = fields.String(required=True)
    date = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=None)
    reason = fields.String(load_default="")
    awarded_score = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0, max=100))


class ModuleStatusSchema(_Body):
    content_item_id = Guid(required=True)
    date = fields.AwareDateTime(load_default=None, allow_none=True)
    reason = fields.String(load_default="")
    status = fields.String(required=True)
    awarded_score = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0, max=100))


class ModuleStatusesSchema(_Body):
    enrollment_ids = fields.List(Guid(), required=True)
    course_id = Guid(required=True)
    module_statuses = fields.List(fields.Nested(ModuleStatusSchema), required=True)


class CreateCourseSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    folder_id = Guid(required=True)
    title = fields.String(required=True)


class PointsSchema(_Body):
    """AwardGamificationPoints and WithdrawGamificationPoints (the same fields)."""

    user_id = Guid(required=True)
    amount = fields.Float(required=True, allow_nan=False)
    reason = fields.String(required=True)


class UpdateDaySchema(_Body):
    url = fields.String(required=True)


class AttendanceRowSchema(_Body):
    participant_id = Guid(required=True)
    is_attended = fields.Boolean(required=True)
    duration = fields.Integer(load_default=None, allow_none=True)


class AttendanceSchema(_Body):
    participants_attendance = fields.List(fields.Nested(AttendanceRowSchema), required=True)


class SubscriberSchema(_Body):
    """SubscriberRequest; ``Secret`` as Pipedream's source sends it is the same field (the help page spells
    it so too)."""

    subscriber_name = fields.String(required=True)
    callback_url = fields.String(required=True)
    secret = fields.String(load_default=None, allow_none=True)

    @pre_load
    def _secret_spelling(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and "secret" not in data and "Secret" in data:
            data = {**data, "secret": data["Secret"]}
        return data


class SubscriberNameSchema(_Body):
    subscriber_name = fields.String(required=True)


class ConfirmSchema(_Body):
    subscriber_name = fields.String(required=True)
    code = fields.String(required=True)


class ParamSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True)
    value = fields.String(required=True)


class SubscriptionSchema(_Body):
    subscription_type = fields.String(required=True)
    params = fields.List(fields.Nested(ParamSchema), load_default=list)


class SubscribeSchema(_Body):
    subscriber_name = fields.String(required=True)
    subscription = fields.Nested(SubscriptionSchema, required=True)


class UnsubscribeSchema(_Body):
    subscriber_name = fields.String(required=True)
    subscription_type = fields.String(required=True)


NEW_ENROLLMENT = NewEnrollmentSchema()
UPDATE_ENROLLMENT = UpdateEnrollmentSchema()
DELETE_ENROLLMENTS = DeleteEnrollmentsSchema()
LIST_ENROLLMENTS = ListEnrollmentsSchema()
COURSE_STATUS = CourseStatusSchema()
MODULE_STATUSES = ModuleStatusesSchema()
CREATE_COURSE = CreateCourseSchema()
POINTS = PointsSchema()
UPDATE_DAY = UpdateDaySchema()
ATTENDANCE = AttendanceSchema()
SUBSCRIBER = SubscriberSchema()
SUBSCRIBER_NAME = SubscriberNameSchema()
CONFIRM = ConfirmSchema()
SUBSCRIBE = SubscribeSchema()
UNSUBSCRIBE = UnsubscribeSchema()


# -- wire forms (field order of the vendor's OpenAPI) ---------------------------------------------------

def dump_enrollment(world: ISpringWorld, e: Enrollment) -> dict[str, Any]:
    out: dict[str, Any] = {"enrollmentId": e.id, "courseId": e.course_id, "learnerId": e.learner_id,
                           "accessDate": e.access.isoformat()}
    due = enrollments.due_date(world, e)
    if due is not None:
        out["dueDate"] = due.isoformat()
    out["shouldLockAfterDueDate"] = e.lock_after_due
    if e.certificate_id is not None and e.certificate_issued is not None:
        out["certificate"] = {"issuedCertificateId": e.certificate_id, "issueDate": e.certificate_issued.isoformat()}
    out["enrollmentTypeGroup"] = e.type_group
    return out


def dump_content_item(world: ISpringWorld, item: ContentItem) -> dict[str, Any]:
    return {"contentItemId": item.id, "title": item.title, "subtitle": item.subtitle,
            "description": item.description, "userId": item.author_id, "addedDate": iso_z(item.added),
            "viewUrl": content.view_url(world, item.id), "type": item.content_type,
            "contentItemType": item.content_type,
            "courseFields": [{"fieldId": k, "fieldValue": v} for k, v in item.field_values.items()]}


def dump_courses_module(world: ISpringWorld, module: CourseModule) -> dict[str, Any]:
    """The document's CoursesModule (GET /courses/modules, GET /course/{courseId}/modules)."""
    return {"moduleId": module.id, "contentItemId": module.item_id, "courseId": module.course_id,
            "title": module.title, "description": module.description, "authorId": module.author_id,
            "addedDate": iso_z(module.added), "viewUrl": content.view_url(world, module.item_id)}


def dump_tree_item(world: ISpringWorld, item: ContentItem) -> dict[str, Any]:
    return {"contentItemId": item.id, "title": item.title, "type": item.content_type,
            "description": item.description, "addedDate": iso_z(item.added),
            "viewUrl": content.view_url(world, item.id), "parentId": content.parent_of(world, item),
            "isShared": item.is_shared}
