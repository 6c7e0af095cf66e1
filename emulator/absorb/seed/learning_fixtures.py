"""The ``creditTypes`` and ``messages`` parts of an Absorb fixture (``absorb.fixtures``)::

    "creditTypes"?: [{"id"?, "name", "default"?: bool}],
    "messages"?: [{"id"?, "from": user, "to": [user, ...], "subject"?, "body"?, "sentDaysAgo"?: n,
                   "conversationId"?}]

Users are named by id or username, as elsewhere in the fixture. Without ``creditTypes`` the portal gets the
seeded ones; with them, exactly those (the first is the default unless one says ``"default": true``; at most
one may). Without ``messages`` the portal gets seeded conversations about its enrollments; with them (even
``[]``), exactly those.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from marshmallow import fields, validate

from emulator.core.fixtures import Boolean, Number, Strict
from emulator.core.wire import Guid, new_guid
from emulator.absorb.seed.fixture_plan import Plan
from emulator.absorb.domain.learning_state import CreditType, Message, learning_of
from emulator.absorb.domain.models import AbsorbWorld

NOT_EMPTY = validate.Length(min=1, error="Must not be empty.")


class CreditTypeFixture(Strict):
    id = Guid()
    name = fields.String(required=True, validate=NOT_EMPTY)
    default = Boolean()


class MessageFixture(Strict):
    id = Guid()
    from_ = fields.String(required=True, data_key="from", validate=NOT_EMPTY)
    to = fields.List(fields.String(validate=NOT_EMPTY), required=True, validate=NOT_EMPTY)
    subject = fields.String(allow_none=True)
    body = fields.String(allow_none=True)
    sent_days_ago = Number(validate=validate.Range(0, 3650))
    conversation_id = Guid()


def read(plan: Plan, doc: dict[str, Any]) -> dict[str, Any]:
    """The parts checked against the plan's users (problems go to the plan); what ``apply`` builds from."""
    types = [dict(raw, _id=plan.take_id(raw.get("id"), f"creditTypes[{n}]"))
             for n, raw in enumerate(doc.get("credit_types") or [])]
    if sum(1 for t in types if t.get("default")) > 1:
        plan.fail("creditTypes", "at most one credit type may be the default")
    messages = []
    for n, raw in enumerate(doc.get("messages") or []):
        where = f"messages[{n}]"
        sender = plan.find(plan.users, raw["from_"], f"{where}.from", "user")
        to = [plan.find(plan.users, ref, f"{where}.to[{k}]", "user") for k, ref in enumerate(raw["to"])]
        messages.append(dict(raw, _id=plan.take_id(raw.get("id"), where), _from=sender[0] if sender else None,
                             _to=[found[0] for found in to if found is not None]))
    return {"credit_types": types if "credit_types" in doc else None,
            "messages": messages if "messages" in doc else None}


def apply(world: AbsorbWorld, parts: dict[str, Any], anchor: datetime) -> None:
    """Put the fixture's credit types and messages in place (a part the fixture leaves out is seeded later)."""
    state = learning_of(world)
    if parts["credit_types"] is not None:
        state.credit_types.clear()
        default = next((t["_id"] for t in parts["credit_types"] if t.get("default")), None)
        for n, raw in enumerate(parts["credit_types"]):
            added = anchor - timedelta(days=365)
            is_default = raw["_id"] == default if default else n == 0
            state.credit_types[raw["_id"]] = CreditType(raw["_id"], raw["name"], None, is_default, added, added)
        state.fixed_credit_types = True
    if parts["messages"] is not None:
        state.messages.clear()
        for raw in parts["messages"]:
            sent = anchor - timedelta(days=raw.get("sent_days_ago", 1))
            state.messages[raw["_id"]] = Message(raw["_id"], sent, raw.get("subject"), raw.get("body"), raw["_from"],
                                                 raw["_to"], raw.get("conversation_id") or new_guid(world.rng))
        state.fixed_messages = True
