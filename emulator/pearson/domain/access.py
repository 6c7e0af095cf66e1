"""Who may call each class-booking route: the help pages' authorization rules, one table (``RULES``).

Every help page states its rule as a list of conditions that must all hold: role lists ("Authenticated user
who is either ...": the caller's token holds one of them) and relationship alternatives ("passes at least one
of the following conditions": the user named in the path, a staff member of that user's center, a staff
member of the online center). ``centers/{centerId}/rebook`` asks only that the caller belongs to the center;
``centers/{centerId}/territory`` only roles; ``openapi/...`` routes take a territory's token.

Checks run roles (403), the target exists (404), the relationship (403), as for the two older routes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from emulator.core.errors import Forbidden, NotFound
from emulator.pearson.domain.signing import authenticate

from emulator.pearson.domain.models import (
    ADMINISTRATOR, FOCUS_TOOL, ISUS_TEACHER, PROSPECT_WITH_TRIAL, QA, STAFF_MEMBER, STUDENT, USER, Center,
    PearsonWorld, Territory, User,
)

DENIED = "Authorization has been denied for this request."
Relation = Literal["self", "same_center_staff", "online_center_staff"]


@dataclass(frozen=True, slots=True)
class Rule:
    roles: tuple[frozenset[str], ...]  # every set must share a role with the caller's token
    relations: tuple[Relation, ...] = ()  # at least one must hold (none: no relationship asked)


def _roles(*names: str) -> frozenset[str]:
    return frozenset(names)


_READERS: tuple[Relation, ...] = ("self", "same_center_staff")
_ONLINE_READERS: tuple[Relation, ...] = ("self", "same_center_staff", "online_center_staff")
RULES: dict[str, Rule] = {
    "encounters/available": Rule((_roles(STAFF_MEMBER, STUDENT),), _READERS),
    "classesInfo": Rule((_roles(STAFF_MEMBER, STUDENT),), _ONLINE_READERS),
    "noPreBookingClasses": Rule((_roles(STAFF_MEMBER, STUDENT),), _READERS),
    "bookings/notEnded": Rule((_roles(STAFF_MEMBER, STUDENT),), _ONLINE_READERS),
    "nextStep": Rule((_roles(STAFF_MEMBER, STUDENT, PROSPECT_WITH_TRIAL),), _READERS),
    "selfBook": Rule((_roles(STUDENT),), _READERS),
    "walkthroughs": Rule((_roles(STUDENT, PROSPECT_WITH_TRIAL),), ("self",)),
    "SelfBooking/availableclasses": Rule((_roles(STAFF_MEMBER, STUDENT),), _READERS),
    "state": Rule((_roles(STAFF_MEMBER, STUDENT, ADMINISTRATOR, PROSPECT_WITH_TRIAL, USER),
                   _roles(STAFF_MEMBER, STUDENT, QA, ISUS_TEACHER, ADMINISTRATOR, FOCUS_TOOL, PROSPECT_WITH_TRIAL,
                          USER)), _ONLINE_READERS),
    "territory": Rule((_roles(STAFF_MEMBER, STUDENT, ADMINISTRATOR, PROSPECT_WITH_TRIAL, USER),)),
    # the booking staff member's center must be the center of the student named in the body (bookings.book)
    "book": Rule((_roles(STAFF_MEMBER),)),
    # only: the caller belongs to the center in the path (no role list on the page)
    "rebook": Rule(()),
    # StaffMember, and the caller belongs to the center in the path
    "schedule": Rule((_roles(STAFF_MEMBER),)),
    # StaffMember, and the caller belongs to the class's center ("a center that is assigned to material ...")
    "classes/details": Rule((_roles(STAFF_MEMBER),)),
    # only: StaffMember (the page names no relationship to the class's center)
    "UpdateTime": Rule((_roles(STAFF_MEMBER),)),
    # (self, or a staff member of the same center) and (StaffMember or Student)
    "staffmembers/profile": Rule((_roles(STAFF_MEMBER, STUDENT),), _READERS),
}


@dataclass(frozen=True, slots=True)
class Caller:
    """The user a token names, with the token's roles and center (claims, as issued)."""

    user: User
    roles: frozenset[str]
    center_id: str | None

    @property
    def is_staff(self) -> bool:
        return STAFF_MEMBER in self.roles


def check_roles(caller: Caller, route: str) -> None:
    if not all(caller.roles & allowed for allowed in RULES[route].roles):
        raise Forbidden(DENIED)


def target_user(world: PearsonWorld, caller: Caller, route: str, user_id: str) -> User:
    """The user named in the path, once the route's relationship rule admits the caller (404, then 403)."""
    target = world.users.get(user_id.lower())
    if target is None:
        raise NotFound(f"No user was found with identifier '{user_id}'.")
    if not related(world, caller, target, RULES[route].relations):
        raise Forbidden(DENIED)
    return target


def related(world: PearsonWorld, caller: Caller, target: User, relations: tuple[Relation, ...]) -> bool:
    for relation in relations:
        if relation == "self" and caller.user.id == target.id:
            return True
        if relation == "same_center_staff" and caller.is_staff and caller.center_id is not None \
                and caller.center_id == target.center_id:
            return True
        if relation == "online_center_staff" and caller.is_staff and _is_online(world, caller.center_id):
            return True
    return False


def staff_of_center(caller: Caller, user: User) -> bool:
    """The booking rule: a staff member assigned to the same center as the student."""
    return caller.is_staff and caller.center_id is not None and caller.center_id == user.center_id


def belongs_to_center(caller: Caller, center_id: str) -> None:
    """``centers/{centerId}/rebook``: the caller belongs to the center (403 otherwise, unknown centers too)."""
    if caller.center_id is None or caller.center_id != center_id.lower():
        raise Forbidden(DENIED)


def _is_online(world: PearsonWorld, center_id: str | None) -> bool:
    center: Center | None = world.centers.get(center_id) if center_id else None
    return center is not None and center.is_online


def caller_of(world: PearsonWorld, claims: dict[str, Any], now: datetime) -> Caller:
    """The caller a user's token names: its user (unexpired, existing), roles and center."""
    user = authenticate(world, claims, now)
    roles = frozenset(r for r in claims["roles"] if isinstance(r, str))
    center = claims.get("centerId") if isinstance(claims.get("centerId"), str) else None
    return Caller(user=user, roles=roles, center_id=center)


def territory_has_center(territory: Territory, center: Center) -> None:
    """"Authenticated territory has access to center which matches identifier given in "centerId"" (403)."""
    if center.territory_id != territory.id:
        raise Forbidden(DENIED)


def territory_reaches(world: PearsonWorld, territory: Territory, user: User) -> None:
    """"Authenticated territory has access to center ...": the student's center is in the territory (403)."""
    center = world.centers.get(user.center_id) if user.center_id else None
    if center is None or center.territory_id != territory.id:
        raise Forbidden(DENIED)
