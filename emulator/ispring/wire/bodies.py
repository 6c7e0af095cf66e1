"""iSpring Learn request bodies of the people and organisation routes (the document's request schemas),
instantiated once. Unknown keys are ignored, as the vendor's PHP service does; a body from XML arrives
with its numbers and booleans as text, which these fields read too."""
from __future__ import annotations

from marshmallow import EXCLUDE, fields, validate

from emulator.core.wire import CamelCaseSchema, Guid
from emulator.ispring.domain.models import WORK_LEAVE_REASONS

SUBORDINATION_TYPES = ("manual", "inherit", "no_supervisor")


class Body(CamelCaseSchema):
    class Meta:
        unknown = EXCLUDE


def _ids(required: bool = False) -> fields.List:
    return fields.List(Guid(), required=required, load_default=None)


def _strings() -> fields.List:
    return fields.List(fields.String(), load_default=list)


class ProfileFieldFilter(Body):
    name = fields.String(required=True)
    values = fields.List(fields.String(), required=True)


class ProfileFieldRange(Body):
    name = fields.String(required=True)
    from_ = fields.Date(data_key="from", attribute="low", load_default=None)
    to = fields.Date(attribute="high", load_default=None)


class PagedUsersListRequest(Body):
    """GetPagedUsersListRequest, and the ``page``/``pageSize`` every public client of the route sends."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=None, validate=validate.Range(min=1))
    groups = fields.List(Guid(), load_default=list)
    departments = fields.List(Guid(), load_default=list)
    logins = _strings()
    emails = _strings()
    profile_fields = fields.List(fields.Nested(ProfileFieldFilter), load_default=list)
    profile_fields_date_range = fields.List(fields.Nested(ProfileFieldRange), load_default=list)


class UsersByPostRequest(Body):
    """POST /users/v2: the query filters of GET /users/v2 in the body."""

    groups = fields.List(Guid(), load_default=list)
    departments = fields.List(Guid(), load_default=list)
    logins = _strings()
    emails = _strings()
    user_ids = fields.List(Guid(), load_default=list)


class UserRole(Body):
    role_id = Guid(load_default=None)
    role_type = fields.String(load_default=None)
    manageable_department_ids = fields.List(fields.String(), load_default=None)


class NewUser(Body):
    """NewUser; ``login``/``email`` beside ``fields`` and ``groups`` for ``groupIds`` (the Laravel package)."""

    department_id = fields.String(required=True)
    fields_ = fields.Raw(data_key="fields", attribute="fields", required=True)
    login = fields.String(load_default=None)
    email = fields.String(load_default=None, allow_none=True)
    password = fields.String(load_default=None, allow_none=True)
    role = fields.String(load_default=None, allow_none=True)
    role_id = fields.String(load_default=None, allow_none=True)
    manageable_department_ids = fields.List(fields.String(), load_default=None, allow_none=True)
    group_ids = fields.List(fields.String(), load_default=None, allow_none=True)
    groups = fields.List(fields.String(), load_default=None, allow_none=True)
    roles = fields.List(fields.Nested(UserRole), load_default=None, allow_none=True)
    send_login_email = fields.Boolean(load_default=False, allow_none=True)


class UpdateUser(Body):
    department_id = fields.String(load_default=None)
    fields_ = fields.Raw(data_key="fields", attribute="fields", load_default=None)
    role = fields.String(load_default=None)
    role_id = fields.String(load_default=None)
    roles = fields.List(fields.Nested(UserRole), load_default=None)
    group_ids = fields.List(fields.String(), load_default=None)
    manageable_department_ids = fields.List(fields.String(), load_default=None)


class Password(Body):
    password = fields.String(required=True, validate=validate.Length(min=1))


class Status(Body):
    status = fields.Raw(required=True)


class Subordination(Body):
    subordination_type = fields.String(required=True, validate=validate.OneOf(SUBORDINATION_TYPES))
    supervisor_id = fields.String(load_default=None, allow_none=True)


class ChangeSubordination(Body):
    subordination = fields.Nested(Subordination, load_default=None)
    co_subordination = fields.Nested(Subordination, load_default=None)


class ScheduledDate(Body):
    date = fields.Date(required=True)


class UserIds(Body):
    user_ids = fields.List(Guid(), required=True)


class GroupIds(Body):
    group_ids = fields.List(Guid(), required=True)


class DepartmentIds(Body):
    """MoveDepartments (the document's ``required`` misspells it ``departmnetIds``; either is read)."""

    department_ids = fields.List(Guid(), load_default=None)
    departmnet_ids = fields.List(Guid(), data_key="departmnetIds", load_default=None)


class WorkLeaveData(Body):
    user_id = Guid(required=True)
    work_leave_reason = fields.String(required=True, validate=validate.OneOf(WORK_LEAVE_REASONS))
    start_date = fields.Date(load_default=None)
    end_date = fields.Date(load_default=None)


class WorkLeaveStatuses(Body):
    work_leave_statuses = fields.List(fields.Nested(WorkLeaveData), required=True)


class NewDepartment(Body):
    name = fields.String(required=True)
    parent_department_id = fields.String(required=True)
    code = fields.String(load_default=None, allow_none=True)


class UpdateDepartment(Body):
    name = fields.String(load_default=None)
    parent_department_id = fields.String(load_default=None)
    code = fields.String(load_default=None, allow_none=True)


class NewGroup(Body):
    name = fields.String(required=True)
    user_ids = fields.List(Guid(), load_default=None)


class UpdateGroup(Body):
    name = fields.String(required=True)


class SmartRule(Body):
    attribute_type = fields.Integer(required=True, validate=validate.OneOf((1, 2, 3)))
    attribute_id = fields.String(load_default=None, allow_none=True)
    operator = fields.Integer(required=True, validate=validate.OneOf((1, 2)))
    value = fields.String(required=True)


class OrNode(Body):
    rule = fields.Nested(SmartRule, required=True)


class AndNode(Body):
    or_ = fields.List(fields.Nested(OrNode), data_key="or", attribute="or", required=True)


class RuleNodes(Body):
    and_ = fields.List(fields.Nested(AndNode), data_key="and", attribute="and", required=True)


class NewSmartGroup(Body):
    name = fields.String(required=True)
    rules = fields.Nested(RuleNodes, required=True)


class UpdateSmartGroup(Body):
    name = fields.String(load_default=None)
    rules = fields.Nested(RuleNodes, required=True)


PAGED_USERS_LIST = PagedUsersListRequest()
USERS_BY_POST = UsersByPostRequest()
NEW_USER = NewUser()
UPDATE_USER = UpdateUser()
PASSWORD = Password()
STATUS = Status()
CHANGE_SUBORDINATION = ChangeSubordination()
SCHEDULED_DATE = ScheduledDate()
USER_IDS = UserIds()
GROUP_IDS = GroupIds()
DEPARTMENT_IDS = DepartmentIds()
WORK_LEAVE_STATUSES = WorkLeaveStatuses()
NEW_DEPARTMENT = NewDepartment()
UPDATE_DEPARTMENT = UpdateDepartment()
NEW_GROUP = NewGroup()
UPDATE_GROUP = UpdateGroup()
NEW_SMART_GROUP = NewSmartGroup()
UPDATE_SMART_GROUP = UpdateSmartGroup()
