"""iSpring Learn's wire formats: the token form and answer (snake_case, OAuth), the routes' bodies and
answers (camelCase, as the vendor's OpenAPI names them), and the fixture format. Schemas are
instantiated once, here. XML answers are the same data written by ``core.xmlwire`` from the
``xml`` entries of ``schemas/ispring/*.json``.
"""
from __future__ import annotations

from functools import partial
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from emulator.core.errors import BadRequest
from emulator.core.fixtures import DateTime, Strict, load_part
from emulator.core.wire import CamelCaseSchema, Guid, iso_z, validation_messages
from emulator.core.xmlwire import check_name
from emulator.ispring.domain import service, users
from emulator.ispring.wire.learning_fixture import (
    FixtureCourseSchema, FixtureEnrollmentSchema, FixturePointsSchema, dump_learning,
)
from emulator.core.jsonstream import Rows
from emulator.ispring.domain.models import (
    ROLES, SESSION_STATUSES, USER_STATUSES, AppraisalSession, Department, Group, ISpringWorld, Subordination, User,
)


class TokenRequestSchema(Schema):
    """``application/x-www-form-urlencoded``: all three required; only the client_credentials grant."""

    class Meta:
        unknown = EXCLUDE

    client_id = fields.String(required=True)  # the document sets no minimum length: "" is a wrong client (401)
    client_secret = fields.String(required=True)
    grant_type = fields.String(required=True, validate=validate.Equal("client_credentials"))


class TokenResponseSchema(Schema):
    access_token = fields.String(attribute="value")
    expires_in = fields.Integer()
    token_type = fields.Constant("bearer")


class UserAttributesRequestSchema(CamelCaseSchema):
    """ListAppraisalSessionUserAttributesRequest: ``userIds`` (UUIDs, no minimum); other keys, ``sessionIds``
    among them (named in the vendor document's prose), are ignored: its request body does not define them."""

    class Meta:
        unknown = EXCLUDE

    user_ids = fields.List(Guid(), required=True)


class SessionListRequestSchema(CamelCaseSchema):
    """ListAppraisalSessionsRequest: an optional ``sessionIds`` filter."""

    class Meta:
        unknown = EXCLUDE

    session_ids = fields.List(Guid(), load_default=None)


class AttributeSchema(Schema):
    key = fields.String()
    value = fields.String()
    title = fields.String()


class UserAttributesSchema(CamelCaseSchema):
    """One participant (field order of the vendor's sample)."""

    session_id = Guid()
    user_id = Guid(attribute="user.id")
    displaying_name = fields.String()
    initials = fields.String()
    department_id = Guid(attribute="department.id")
    department_name = fields.String(attribute="department.name")
    status = fields.String(attribute="user.status")
    attributes = fields.List(fields.Nested(AttributeSchema))


TOKEN_REQUEST = TokenRequestSchema()
TOKEN_RESPONSE = TokenResponseSchema()
USER_ATTRIBUTES_REQUEST = UserAttributesRequestSchema()
SESSION_LIST_REQUEST = SessionListRequestSchema()
USER_ATTRIBUTES = UserAttributesSchema()


def dump_participants(world: ISpringWorld, participants: list[Any]) -> list[dict[str, Any]]:
    """Wire forms of the answer's lines, cached under the user's id per session (a line also shows the user's
    department: a department written is announced as ``world.changed()``, every form)."""
    return [world.wire_cache.form(p.user.id, p.session_id, partial(USER_ATTRIBUTES.dump, p))
            for p in participants]


# -- the lookups' answers (field order of the vendor's OpenAPI) --------------------------------------

def dump_subordination(sub: Subordination) -> dict[str, Any]:
    out: dict[str, Any] = {"subordinationType": sub.type}
    if sub.type == "manual" and sub.supervisor_id:
        out["supervisorId"] = sub.supervisor_id
    return out


def dump_department(department: Department) -> dict[str, Any]:
    out: dict[str, Any] = {"departmentId": department.id, "name": department.name}
    if department.parent_id:
        out["parentDepartmentId"] = department.parent_id
    if department.code:
        out["code"] = department.code
    out["subordination"] = dump_subordination(department.subordination)
    out["coSubordination"] = dump_subordination(department.co_subordination)
    return out


def dump_user(world: ISpringWorld, user: User, field_list: bool = False) -> dict[str, Any]:
    """A user profile (the document's ``User``): role type and id, status code, the fields object (``field_list``:
    the live ``[{name, value}]`` of ``POST /user/list``), groups, subordination, work leave."""
    role_type, role_id = service.ROLE_TYPES[user.role], service.role_id(world, user.role)
    managed = service.manageable_departments(user)
    role: dict[str, Any] = {"roleId": role_id, "roleType": role_type}
    out: dict[str, Any] = {"userId": user.id, "role": role_type, "roleId": role_id, "departmentId": user.department_id,
                           "status": service.USER_STATUS_CODES[user.status],
                           "fields": users.field_list(user) if field_list else service.profile_fields(user),
                           "addedDate": iso_z(user.added), "lastLoginDate": iso_z(user.last_login or user.added)}
    if managed:
        out["manageableDepartmentIds"] = managed
        role["manageableDepartmentIds"] = managed
    out.update({"userRoles": [role], "groups": users.groups_of(world, user),
                "subordination": dump_subordination(user.subordination),
                "coSubordination": dump_subordination(user.co_subordination)})
    if user.work_leave is not None:
        leave = user.work_leave
        out["workLeaveStatus"] = {"workLeaveReason": leave.reason, "startDate": leave.start.isoformat(),
                                  **({"endDate": leave.end.isoformat()} if leave.end else {})}
    return out


def dump_group(world: ISpringWorld, group: Group, detailed: bool = False) -> dict[str, Any]:
    """The document's ``Group`` (``detailed``: ``DetailedGroup``, with its members)."""
    if not detailed:
        return {"groupId": group.id, "name": group.name, "isSmart": group.smart_rules is not None}
    members = users.members_of(world, group.id)
    return {"groupId": group.id, "name": group.name, "isSmart": group.smart_rules is not None,
            "usersCount": len(members), "userIds": members}


def dump_session(session: AppraisalSession) -> dict[str, Any]:
    return {"sessionId": session.id, "name": session.title, "description": session.description,
            "managerId": session.manager_id, "profileId": session.profile_id, "status": session.status,
            "startDate": iso_z(session.start), "endDate": iso_z(session.end)}


def dump_session_info(session: AppraisalSession) -> dict[str, Any]:
    """The document's ``AppraisalSessionInfo``; each employee is reviewed by themself and the session's manager."""
    return {"sessionId": session.id, "name": session.title, "description": session.description,
            "managerId": session.manager_id, "startDate": iso_z(session.start), "endDate": iso_z(session.end),
            "status": session.status, "profileId": session.profile_id, "instruction": session.instruction,
            "selfReviewInstruction": session.self_review_instruction,
            "questions": [{"id": q.id, "text": q.text, "isRequired": q.is_required, "targetRoles": list(q.target_roles)}
                          for q in session.questions],
            "employees": [{"employeeId": e, "reviewers": service.reviewers(session, e)}
                          for e in session.participant_ids],
            "permittedUserIds": list(session.permitted_user_ids)}


def load(schema: Schema, data: Any) -> dict[str, Any]:
    """A request body or form through a schema; any problem is iSpring's 400 naming the fields."""
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    try:
        return schema.load(data)
    except ValidationError as exc:
        problems = validation_messages(exc.messages)
        raise BadRequest("; ".join(problems), validations=problems) from None


# -- fixtures ------------------------------------------------------------------------------------
# {"departments": [{"id", "name"}],
#  "users":    [{"id", "login", "firstName"?, "lastName"?, "email"?, "departmentId", "status"? (ACTIVE),
#                "role"? (LEARNER), "fields"?: [{"key", "title", "value"}]}],
#  "sessions": [{"id", "title"?, "status"? (NOT_STARTED), "participantIds": [...]}],
#  "groups":   [{"id", "name", "userIds"?: [...]}]   (plain groups; users may carry "password" for login mode)
#  "clients":  [{"name", "clientId", "clientSecret", "role", "userId"?}]   (optional: see seed.apply_fixture)}

def _element_name(value: str) -> None:
    if not check_name(value.lower()):
        raise ValidationError("Must start with a letter or _, then letters, digits, _ . or - (not 'xml...').")


class FixtureDepartmentSchema(Strict):
    id = Guid(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1))
    code = fields.String(load_default=None, allow_none=True)
    parent_department_id = Guid(load_default=None, allow_none=True)


class FixtureFieldSchema(Strict):
    key = fields.String(required=True, validate=_element_name)  # it names an XML element in XML answers
    title = fields.String(required=True, validate=validate.Length(min=1))
    value = fields.String(required=True)


class FixtureUserSchema(Strict):
    id = Guid(required=True)
    login = fields.String(required=True, validate=validate.Length(min=1))
    first_name = fields.String(load_default="")
    last_name = fields.String(load_default="")
    email = fields.String(allow_none=True, load_default=None)
    department_id = Guid(required=True)
    status = fields.String(load_default="ACTIVE", validate=validate.OneOf(USER_STATUSES))
    role = fields.String(load_default="LEARNER", validate=validate.OneOf(ROLES))
    fields_ = fields.List(fields.Nested(FixtureFieldSchema), data_key="fields", attribute="fields", load_default=list)
    added_date = DateTime(load_default=None)
    last_login_date = DateTime(load_default=None)
    password = fields.String(load_default=None)  # login mode; left out: seeded


class FixtureGroupSchema(Strict):
    id = Guid(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1))
    user_ids = fields.List(Guid(), load_default=list)


class FixtureSessionSchema(Strict):
    id = Guid(required=True)
    title = fields.String(load_default="Performance review")
    status = fields.String(load_default="NOT_STARTED", validate=validate.OneOf(SESSION_STATUSES))
    participant_ids = fields.List(Guid(), load_default=list)
    description = fields.String(load_default="")
    manager_id = Guid(load_default=None, allow_none=True)
    start_date = DateTime(load_default=None)
    end_date = DateTime(load_default=None)


class FixtureClientSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1))
    client_id = fields.String(required=True, validate=validate.Length(min=1))
    client_secret = fields.String(required=True, validate=validate.Length(min=1))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    user_id = Guid(allow_none=True, load_default=None)


class FixtureSchema(Strict):
    departments = fields.List(fields.Nested(FixtureDepartmentSchema), required=True)
    users = fields.List(fields.Nested(FixtureUserSchema), load_default=list)
    sessions = fields.List(fields.Nested(FixtureSessionSchema), load_default=list)
    groups = fields.List(fields.Nested(FixtureGroupSchema), load_default=list)
    clients = fields.List(fields.Nested(FixtureClientSchema), load_default=None)
    courses = fields.List(fields.Nested(FixtureCourseSchema), load_default=list)  # learning_fixture
    enrollments = fields.List(fields.Nested(FixtureEnrollmentSchema), load_default=list)
    points = fields.List(fields.Nested(FixturePointsSchema), load_default=list)


FIXTURE = FixtureSchema()


def load_fixture(data: Any) -> dict[str, Any]:
    """The fixture's entities, or ValidationFailed naming each bad entry."""
    return load_part(FIXTURE, data, "ispring")


def dump_world(world: ISpringWorld) -> dict[str, Any]:
    """Every entity (the admin API's data.json), in the fixture format; the large arrays are ``Rows``, made as
    they are written (``core.jsonstream``)."""
    return {
        "accountUrl": world.account_url,
        "departments": Rows({"id": d.id, "name": d.name, "code": d.code, "parentDepartmentId": d.parent_id}
                            for d in world.departments.values()),
        "users": Rows({"id": u.id, "login": u.login, "firstName": u.first_name, "lastName": u.last_name,
                       "email": u.email, "departmentId": u.department_id, "status": u.status, "role": u.role,
                       "fields": [{"key": f.key, "title": f.title, "value": str(f.value)} for f in u.fields],
                       "addedDate": iso_z(u.added), "lastLoginDate": iso_z(u.last_login), "password": u.password}
                      for u in world.users.values()),
        "groups": Rows({"id": g.id, "name": g.name, "userIds": users.members_of(world, g.id)}
                       for g in world.groups.values()),
        "sessions": Rows({"id": s.id, "title": s.title, "status": s.status,
                          "participantIds": list(s.participant_ids), "description": s.description,
                          "managerId": s.manager_id, "startDate": iso_z(s.start), "endDate": iso_z(s.end)}
                         for s in world.sessions.values()),
        "clients": [{"name": c.name, "clientId": c.client_id, "clientSecret": c.client_secret, "role": c.role,
                     "userId": c.user_id} for c in world.clients.values()],
        **dump_learning(world),
    }
