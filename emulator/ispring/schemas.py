"""iSpring Learn's wire formats: the token form and answer (snake_case, OAuth), the route's body and
answer (camelCase), and the fixture format. Schemas are instantiated once, here.
"""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from ..core.errors import BadRequest
from ..core.wire import CamelCaseSchema, Guid, load_fixture_part, validation_messages
from .models import ROLES, SESSION_STATUSES, USER_STATUSES, ISpringWorld


class TokenRequestSchema(Schema):
    """``application/x-www-form-urlencoded``: all three required; only the client_credentials grant."""

    class Meta:
        unknown = EXCLUDE

    client_id = fields.String(required=True, validate=validate.Length(min=1))
    client_secret = fields.String(required=True, validate=validate.Length(min=1))
    grant_type = fields.String(required=True, validate=validate.Equal("client_credentials"))


class TokenResponseSchema(Schema):
    access_token = fields.String(attribute="value")
    expires_in = fields.Integer()
    token_type = fields.Constant("bearer")


class UserAttributesRequestSchema(CamelCaseSchema):
    class Meta:
        unknown = EXCLUDE  # unknown keys are ignored (schemas/ispring/user-attributes-request.json)

    user_ids = fields.List(Guid(), required=True, validate=validate.Length(min=1))
    session_ids = fields.List(Guid(), load_default=list)


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
USER_ATTRIBUTES = UserAttributesSchema()


def dump_participants(world: ISpringWorld, participants: list[Any]) -> list[dict[str, Any]]:
    """Wire forms of the answer's lines, cached per (session, user) in the world."""
    out = []
    for participant in participants:
        key = (participant.session_id, participant.user.id)
        wire = world.wire_cache.get(key)
        if wire is None:
            wire = world.wire_cache[key] = USER_ATTRIBUTES.dump(participant)
        out.append(wire)
    return out


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
#  "clients":  [{"name", "clientId", "clientSecret", "role", "userId"?}]   (optional: see seed.apply_fixture)}

class _Strict(CamelCaseSchema):
    class Meta:
        unknown = RAISE


class FixtureDepartmentSchema(_Strict):
    id = Guid(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1))


class FixtureFieldSchema(_Strict):
    key = fields.String(required=True, validate=validate.Length(min=1))
    title = fields.String(required=True, validate=validate.Length(min=1))
    value = fields.String(required=True)


class FixtureUserSchema(_Strict):
    id = Guid(required=True)
    login = fields.String(required=True, validate=validate.Length(min=1))
    first_name = fields.String(load_default="")
    last_name = fields.String(load_default="")
    email = fields.String(allow_none=True, load_default=None)
    department_id = Guid(required=True)
    status = fields.String(load_default="ACTIVE", validate=validate.OneOf(USER_STATUSES))
    role = fields.String(load_default="LEARNER", validate=validate.OneOf(ROLES))
    fields_ = fields.List(fields.Nested(FixtureFieldSchema), data_key="fields", attribute="fields", load_default=list)


class FixtureSessionSchema(_Strict):
    id = Guid(required=True)
    title = fields.String(load_default="Performance review")
    status = fields.String(load_default="NOT_STARTED", validate=validate.OneOf(SESSION_STATUSES))
    participant_ids = fields.List(Guid(), load_default=list)


class FixtureClientSchema(_Strict):
    name = fields.String(required=True, validate=validate.Length(min=1))
    client_id = fields.String(required=True, validate=validate.Length(min=1))
    client_secret = fields.String(required=True, validate=validate.Length(min=1))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    user_id = Guid(allow_none=True, load_default=None)


class FixtureSchema(_Strict):
    departments = fields.List(fields.Nested(FixtureDepartmentSchema), required=True)
    users = fields.List(fields.Nested(FixtureUserSchema), load_default=list)
    sessions = fields.List(fields.Nested(FixtureSessionSchema), load_default=list)
    clients = fields.List(fields.Nested(FixtureClientSchema), load_default=None)


FIXTURE = FixtureSchema()


def load_fixture(data: Any) -> dict[str, Any]:
    """The fixture's entities, or ValidationFailed naming each bad entry."""
    return load_fixture_part(FIXTURE, data, "ispring")


def dump_world(world: ISpringWorld) -> dict[str, Any]:
    """Every entity (the admin API's data.json), in the fixture format."""
    return {
        "accountUrl": world.account_url,
        "departments": [{"id": d.id, "name": d.name} for d in world.departments.values()],
        "users": [{"id": u.id, "login": u.login, "firstName": u.first_name, "lastName": u.last_name, "email": u.email,
                   "departmentId": u.department_id, "status": u.status, "role": u.role,
                   "fields": [{"key": f.key, "title": f.title, "value": str(f.value)} for f in u.fields]}
                  for u in world.users.values()],
        "sessions": [{"id": s.id, "title": s.title, "status": s.status, "participantIds": list(s.participant_ids)}
                     for s in world.sessions.values()],
        "clients": [{"name": c.name, "clientId": c.client_id, "clientSecret": c.client_secret, "role": c.role,
                     "userId": c.user_id} for c in world.clients.values()],
    }
