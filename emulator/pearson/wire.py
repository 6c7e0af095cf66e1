"""Wire formats of the class-booking routes (PascalCase, .NET dates), field order of each help page.

Every schema dumps a typed view (``classes.ClassView``, ``bookings.BookingView``, ``people.UserState``...);
values a page names without telling them are the emulator's choice (docs/VENDOR-NOTES.md): the centers'
technology flags, the standby lists (never used: 0 and false), ``CompanyId``/``TeacherSsdsId`` (null), the
category objects (``{"Name", "Abbreviation"}``).
"""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from ..core.errors import BadRequest
from ..core.wire import DotNetDateTime, Guid, PascalCaseSchema, pascal

# -- class-based answers --------------------------------------------------------------------------


class AvailableEncounterFromClass(PascalCaseSchema):
    """AvailableEncounter (``encounters/available``): the same wire type as ``encounters``, made from a class."""

    unit_number = fields.Integer(attribute="cls.unit_number")
    id = Guid(attribute="cls.id")
    date_time = DotNetDateTime(attribute="cls.start")
    end_date = DotNetDateTime(attribute="cls.end")
    duration = fields.Integer(attribute="cls.duration")
    status = fields.String()
    is_online = fields.Boolean(attribute="online")
    center_id = Guid(attribute="center.id")
    center_name = fields.String(attribute="center.name")
    center_reference_id = fields.String(attribute="center.reference_id")


class AvailableClassDetailsSchema(PascalCaseSchema):
    """AvailableClassDetails (``v2 .../SelfBooking/availableclasses``)."""

    unit_number = fields.Integer(attribute="cls.unit_number")
    categories = fields.String(attribute="categories_text")
    description = fields.String(attribute="cls.description")
    no_of_seats_available = fields.Integer(attribute="seats_left")
    number_of_seats = fields.Integer(attribute="cls.seats")
    id = Guid(attribute="cls.id")
    date_time = DotNetDateTime(attribute="cls.start")
    end_date = DotNetDateTime(attribute="cls.end")
    duration = fields.Integer(attribute="cls.duration")
    status = fields.String()
    is_online = fields.Boolean(attribute="online")
    center_id = Guid(attribute="center.id")
    center_name = fields.String(attribute="center.name")
    center_reference_id = fields.String(attribute="center.reference_id")


class NoPreBookingClassSchema(PascalCaseSchema):
    """NoPreBookingClass (``noPreBookingClasses``)."""

    id = Guid(attribute="cls.id")
    ref_class_id = fields.String(attribute="cls.ref_class_id")
    start_date = DotNetDateTime(attribute="cls.start")
    description = fields.String(attribute="cls.description")
    number_of_seats = fields.Integer(attribute="cls.seats")
    categories = fields.String(attribute="categories_text")
    duration = fields.Integer(attribute="cls.duration")
    join_class_available = fields.Boolean(attribute="join_available")
    center_id = Guid(attribute="center.id")
    center_reference_id = fields.String(attribute="center.reference_id")
    center_name = fields.String(attribute="center.name")
    is_technology_enabled_center = fields.Constant(True)
    is_scheduled_in_online_center = fields.Boolean(attribute="center.is_online")
    is_zoom_enabled_center = fields.Boolean(attribute="zoom")


class ScheduledClassSchema(PascalCaseSchema):
    """ScheduledClassViewModel (``centers/{centerId}/rebook``)."""

    id = Guid(attribute="cls.id")
    class_id = fields.String(attribute="cls.ref_class_id")
    class_code = fields.Method("_code")
    class_type = fields.Integer(attribute="cls.class_type")
    number_of_seats = fields.Integer(attribute="cls.seats")
    number_of_students = fields.Integer(attribute="students")
    is_complete = fields.Method("_complete")
    number_of_students_on_standby_list = fields.Constant(0)
    max_number_of_students_on_standby_list = fields.Constant(0)
    is_closed = fields.Boolean(attribute="cls.closed")
    is_online = fields.Boolean(attribute="online")
    start_date = DotNetDateTime(attribute="cls.start")
    duration = fields.Integer(attribute="cls.duration")
    categories = fields.Method("_categories")
    categories_abbreviations = fields.Method("_abbreviations")
    class_description = fields.String(attribute="cls.description")
    company_id = fields.Constant(None)
    accepts_standby = fields.Constant(False)
    teacher_id = Guid(attribute="cls.teacher_id", allow_none=True)
    teacher_ssds_id = fields.Constant(None)
    is_visible_in_group = fields.Constant(True)
    is_b2_b = fields.Constant(False, data_key="IsB2B")
    is_standby_list_full = fields.Constant(False)
    center_id = Guid(attribute="center.id")
    center_name = fields.String(attribute="center.name")
    is_technology_enabled_center = fields.Constant(True)
    is_scheduled_in_online_center = fields.Boolean(attribute="center.is_online")
    is_teen = fields.Constant(False)

    def _code(self, view: Any) -> str:
        return str(view.cls.ref_class_id)

    def _complete(self, view: Any) -> bool:
        return bool(view.students >= view.cls.seats)

    def _categories(self, view: Any) -> list[dict[str, str]]:
        return [{"Name": name, "Abbreviation": _abbreviation(name)} for name in view.cls.categories]

    def _abbreviations(self, view: Any) -> str:
        return ", ".join(_abbreviation(name) for name in view.cls.categories)


class StudentUnitAggregateSchema(PascalCaseSchema):
    """StudentUnitAggregateViewModel: its fields are not published; the emulator's choice (docs/VENDOR-NOTES.md)."""

    student_id = Guid(attribute="student.id")
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String(attribute="student.email", allow_none=True)
    unit_number = fields.Integer(attribute="unit")


class ClassDetailsSchema(ScheduledClassSchema):
    """ClassDetailsViewModel (``classes/{ssdsClassId}/details``, ``.../details/refresh``, ``openapi/classes/...``):
    ScheduledClassViewModel's fields after the roster, the teacher's names and the center's."""

    booked_students = fields.List(fields.Nested(StudentUnitAggregateSchema), attribute="booked")
    standby_students = fields.List(fields.Nested(StudentUnitAggregateSchema), attribute="standby")
    teacher_first_name = fields.String(allow_none=True)
    teacher_last_name = fields.String(allow_none=True)
    is_zoom_enabled_center = fields.Boolean(attribute="zoom")


def _abbreviation(name: str) -> str:
    return "".join(word[:1] for word in name.split()).upper()


# -- bookings ---------------------------------------------------------------------------------------


class BookedClassSchema(PascalCaseSchema):
    """StudentsBookedClassWithMaterialUrl (``bookings/notEnded``; also ``classesInfo``'s BookedClasses)."""

    booking_id = Guid(attribute="booking.id")
    class_id = Guid(attribute="cls.id")
    class_type = fields.Integer(attribute="cls.class_type")
    is_online = fields.Boolean(attribute="online")
    ref_class_id = fields.String(attribute="cls.ref_class_id")
    class_unit = fields.Integer(attribute="cls.unit_number")
    start_date = DotNetDateTime(attribute="cls.start")
    duration = fields.Integer(attribute="cls.duration")
    end_date = DotNetDateTime(attribute="cls.end")
    book_mode = fields.Integer(attribute="booking.book_mode")
    class_type_name = fields.String()
    cancel_available = fields.Boolean()
    description = fields.String(attribute="cls.description")
    center_id = Guid(attribute="center.id")
    center_name = fields.String(attribute="center.name")
    materials_url = fields.String()
    is_technology_enabled_center = fields.Constant(True)
    is_zoom_enabled_center = fields.Boolean(attribute="zoom")
    is_scheduled_in_online_center = fields.Boolean(attribute="center.is_online")


class ClassesInfoSchema(PascalCaseSchema):
    """StudentClassesAggregate (``classesInfo``)."""

    last_completed_encounter_unit_number = fields.Integer()
    booked_classes = fields.List(fields.Nested(BookedClassSchema))


class ApiProxyResponseSchema(PascalCaseSchema):
    """ApiProxyResponse (``book``, ``selfBook``)."""

    code = fields.Integer()
    message = fields.String()
    fields_ = fields.String(allow_none=True, attribute="fields", data_key="Fields")


# -- people -----------------------------------------------------------------------------------------


class TerritorySchema(PascalCaseSchema):
    """TerritoryViewModel (``centers/{centerId}/territory``)."""

    id = Guid()
    reference_territory_id = fields.String(attribute="reference_id")
    name = fields.String()
    created = DotNetDateTime()


class RegistrationSchema(PascalCaseSchema):
    """NextFutureRegistrationModel (``openapi/.../contracts/future/next``), also the state's Registration items."""

    id = Guid(attribute="contract.id")
    contract_id = fields.String(attribute="contract.contract_id")
    end_date = DotNetDateTime(attribute="contract.end")
    start_date = DotNetDateTime(attribute="contract.start")
    contract_status_label = fields.String(attribute="label")


class RegistrationViewSchema(PascalCaseSchema):
    """RegistrationViewModel (the state's Registration items): the fields of the help page's sample up to
    ``SchedulePreferenceDate``, where its text breaks off."""

    id = Guid(attribute="contract.id")
    user_id = Guid(attribute="contract.student_id")
    is_current = fields.Boolean()
    center_id = Guid(allow_none=True)
    center_zone = fields.Constant(0)
    contract_id = fields.String(attribute="contract.contract_id")
    current_content_item_id = fields.Constant(None)
    end_date = DotNetDateTime(attribute="contract.end")
    start_date = DotNetDateTime(attribute="contract.start")
    schedule_preference_date = DotNetDateTime(attribute="schedule_preference")


class UserStateSchema(PascalCaseSchema):
    """UserStateViewModel (``v2/users/{id}/state``), the fields up to ``Lessons``."""

    user_id = Guid(attribute="user.id")
    is_new_user = fields.Boolean()
    user_name = fields.String()
    privacy_policy_approve = fields.Constant(True)
    server_time = DotNetDateTime()
    registration: fields.Field = fields.List(fields.Nested(RegistrationViewSchema), attribute="registrations")
    time_zone = fields.Constant(None)
    bookmarks: fields.Field = fields.Constant({})
    current_course = fields.Constant(None)
    lessons: fields.Field = fields.Constant([])


class UserStateV1Schema(UserStateSchema):
    """UserStateBackwardCompatibleViewModel (``users/{id}/state``): Registration is one RegistrationViewModel,
    the current contract (null when none runs now)."""

    registration: fields.Field = fields.Method("_current")

    def _current(self, state: Any) -> Any:
        current = next((r for r in state.registrations if r.is_current), None)
        return None if current is None else REGISTRATION_VIEW.dump(current)


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


AVAILABLE_ENCOUNTER_FROM_CLASS = AvailableEncounterFromClass()
AVAILABLE_CLASS_DETAILS = AvailableClassDetailsSchema()
NO_PRE_BOOKING_CLASS = NoPreBookingClassSchema()
SCHEDULED_CLASS = ScheduledClassSchema()
class StaffMemberProfileSchema(PascalCaseSchema):
    """StaffMemberProfileViewModel (``staffmembers/{userIdentifier}/profile``), the page's fields in its order up
    to where its text breaks off (after ``SocialNetworkId2``); a row the page leaves unnamed is not served. What
    the emulator does not keep is null (``profiles``)."""

    user_name = fields.String()
    ssds_id = fields.Constant(None)
    mobile_telephone = fields.Constant(None)
    home_telephone = fields.Constant(None)
    work_telephone = fields.Constant(None)
    city = fields.Constant(None)
    birthdate = fields.Constant(None)
    user_id = Guid(attribute="user.id")
    last_name = fields.String()
    first_name = fields.String()
    nationality_id = fields.Constant(None)
    center_id = Guid(attribute="user.center_id", allow_none=True)
    photo_uris = fields.Constant(dict[str, str]())
    gender = fields.Constant(None)
    center_name = fields.String(attribute="center.name", allow_none=True)
    center_reference_id = fields.String(attribute="center.reference_id", allow_none=True)
    work_motivation = fields.Constant(None)
    about_me = fields.Constant(None)
    nationality = fields.Constant(None)
    social_network_address1 = fields.Constant(None)
    social_network_address2 = fields.Constant(None)
    social_network_address3 = fields.Constant(None)
    social_network_address4 = fields.Constant(None)
    social_network_id1 = fields.Constant(None)
    social_network_id2 = fields.Constant(None)


CLASS_DETAILS = ClassDetailsSchema()
STAFF_MEMBER_PROFILE = StaffMemberProfileSchema()
BOOKED_CLASS = BookedClassSchema()
CLASSES_INFO = ClassesInfoSchema()
API_PROXY_RESPONSE = ApiProxyResponseSchema()
TERRITORY = TerritorySchema()
REGISTRATION = RegistrationSchema()
USER_STATE = UserStateSchema()
USER_STATE_V1 = UserStateV1Schema()
REGISTRATION_VIEW = RegistrationViewSchema()
TOKEN = TokenSchema()


# -- request bodies (ASP.NET binds JSON property names in any case; unknown properties are ignored) ---------


class BookParametersSchema(PascalCaseSchema):
    """ClassBookParameters: the fields the emulator reads; the rest are accepted and ignored."""

    class Meta:
        unknown = EXCLUDE

    student_id = Guid(required=True, allow_none=False)
    override = fields.Boolean(load_default=False, allow_none=True)
    booked_mode = fields.Integer(load_default=None, allow_none=True, strict=True)
    class_type = fields.Integer(load_default=None, allow_none=True, strict=True)


class WalkThroughSchema(PascalCaseSchema):
    """WalkThroughHistoryModel."""

    class Meta:
        unknown = EXCLUDE

    user_id = Guid(load_default=None, allow_none=True)
    walk_through_id = Guid(required=True)
    status = fields.Integer(required=True, strict=True)
    walk_through_type = fields.Integer(required=True, strict=True)


BOOK_PARAMETERS = BookParametersSchema()
WALKTHROUGH = WalkThroughSchema()


def load_body(schema: Schema, body: Any) -> dict[str, Any]:
    """The body through ``schema`` with its property names matched in any case; 400 naming each problem."""
    if not isinstance(body, dict):
        raise BadRequest("The request is invalid.", validations=["body: must be a JSON object"])
    known = {pascal(name).lower(): f.data_key or pascal(name) for name, f in schema.fields.items()}
    folded: dict[str, Any] = {known.get(str(k).lower(), str(k)) or str(k): v for k, v in body.items()}
    try:
        loaded: dict[str, Any] = schema.load(folded)
    except ValidationError as err:
        problems = [f"{k}: {'; '.join(map(str, v)) if isinstance(v, list) else v}"
                    for k, v in sorted(err.normalized_messages().items())]
        raise BadRequest("The request is invalid.", validations=problems) from None
    return loaded
