"""``GET staffmembers/{userIdentifier}/profile``: a staff member's profile (StaffMemberProfileViewModel).

Built from the user and their center, the only parts of a profile the emulator keeps. The page's other fields
(telephones, city, birth date, nationality, photos, gender, motivation, about me, social networks) are not kept:
``null`` (photos ``{}``), the emulator's choice (docs/VENDOR-NOTES.md). A user who is
not a staff member is not found here (404), as a route under ``staffmembers/`` reads.
"""
from __future__ import annotations

from dataclasses import dataclass

from emulator.core.errors import NotFound
from emulator.pearson.domain.models import STAFF_MEMBER, Center, PearsonWorld, User, first_name, last_name


@dataclass(frozen=True, slots=True)
class StaffMemberProfile:
    user: User
    center: Center | None

    @property
    def first_name(self) -> str:
        return first_name(self.user.name)

    @property
    def last_name(self) -> str:
        return last_name(self.user.name)

    @property
    def user_name(self) -> str:
        """The sign-in name: the e-mail (the token endpoint's ``username``), else the id."""
        return self.user.email or self.user.id


def staff_member(world: PearsonWorld, user_id: str) -> User:
    """The staff member a path names (404 for an unknown user or one who is not a staff member)."""
    user = world.users.get(user_id.lower())
    if user is None or STAFF_MEMBER not in user.roles:
        raise NotFound(f"No staff member was found with identifier '{user_id}'.")
    return user


def staff_member_profile(world: PearsonWorld, user: User) -> StaffMemberProfile:
    return StaffMemberProfile(user=user, center=world.centers.get(user.center_id) if user.center_id else None)
