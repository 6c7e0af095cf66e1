"""Department writes: ``POST /create-department`` (the vendor's Departments page). The reads are in ``users``.

Rules (the emulator's choices where the vendor is silent, in ``CHOICES`` and docs/VENDOR-NOTES.md): ``name`` is
required; ``parentId``, when given, must name an existing department (422 otherwise; null or left out makes a
root); ``currencyId`` is kept as given; names need not be unique (the admin interface allows two departments of
one name under different parents). The new department shows at once in ``departments`` and ``departments/{id}``,
may be a user's ``departmentId`` and an availability rule's department.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core.errors import Unprocessable
from ..core.wire import new_guid
from .models import AbsorbWorld, Department

SETTABLE = ("use_department_contact_details", "company_name", "phone_number", "email_address", "external_id",
            "currency_id")


def create_department(world: AbsorbWorld, body: dict[str, Any], *, at: datetime) -> Department:
    parent_id = body.get("parent_id")
    if parent_id is not None and parent_id not in world.departments:
        raise Unprocessable("The department could not be created.",
                            validations=[f"parentId: department '{parent_id}' was not found"])
    department = Department(new_guid(world.rng), body["name"], at, at, parent_id=parent_id)
    for name in SETTABLE:
        if body.get(name) is not None:
            setattr(department, name, body[name])
    world.departments[department.id] = department
    world.changed(department)
    return department
