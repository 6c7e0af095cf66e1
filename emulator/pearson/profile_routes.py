"""``GET staffmembers/{userIdentifier}/profile``: a staff member's profile, with its page's rule."""
from __future__ import annotations

from datetime import datetime

from flask import Response, jsonify

from ..core.errors import Forbidden
from ..core.openapi import documented
from . import profiles
from .access import DENIED, RULES, Caller, related, user_call
from .models import PearsonWorld
from .routes import bp
from .wire import STAFF_MEMBER_PROFILE


@bp.get("/staffmembers/<guid:user_identifier>/profile")
@documented("Gets a staff member's profile (the staff member, or staff of the same center)",
            responses={200: "staff-member-profile", 401: "error", 403: "error", 404: "error"})
@user_call("staffmembers/profile")
def get_staff_member_profile(user_identifier: str, *, world: PearsonWorld, now: datetime,
                             caller: Caller) -> Response:
    member = profiles.staff_member(world, user_identifier)
    if not related(world, caller, member, RULES["staffmembers/profile"].relations):
        raise Forbidden(DENIED)
    return jsonify(STAFF_MEMBER_PROFILE.dump(profiles.staff_member_profile(world, member)))
