"""A user's state, walkthroughs and contracts, and a center's territory.

``v2/users/{id}/state`` answers the UserStateViewModel fields the help page lists before its text breaks
off (``UserId`` .. ``Lessons``); the nested models it names without fields (TimeZone, CurrentCourse, lesson
content items) are answered empty (null, ``{}``, ``[]``), a choice listed in docs/VENDOR-NOTES.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from emulator.core.errors import NotFound
from emulator.pearson.domain.choices import WalkThroughStatus
from emulator.pearson.domain.models import Contract, PearsonWorld, Territory, User, WalkThrough


@dataclass(frozen=True, slots=True)
class ContractView:
    """A contract with its status label at the time of the read."""

    contract: Contract
    label: str
    center_id: str | None = None  # the student's center (RegistrationViewModel.CenterId)

    @property
    def is_current(self) -> bool:
        return self.label == "Active"

    @property
    def schedule_preference(self) -> datetime:
        """SchedulePreferenceDate: the contract's start (the emulator's choice)."""
        return self.contract.start


@dataclass(frozen=True, slots=True)
class UserState:
    """UserStateViewModel (the fields the emulator answers)."""

    user: User
    is_new_user: bool
    server_time: datetime
    registrations: list[ContractView]

    @property
    def user_name(self) -> str:
        return self.user.email or self.user.id


def territory_of_center(world: PearsonWorld, center_id: str) -> Territory:
    center = world.centers.get(center_id.lower())
    if center is None:
        raise NotFound(f"No center was found with identifier '{center_id}'.")
    territory = world.territories.get(center.territory_id) if center.territory_id else None
    if territory is None:
        raise NotFound(f"No territory was found for center '{center_id}'.")
    return territory


def contracts_of(world: PearsonWorld, user_id: str) -> list[Contract]:
    return sorted((c for c in world.contracts.values() if c.student_id == user_id), key=lambda c: (c.start, c.id))


def next_future_contract(world: PearsonWorld, user: User, now: datetime) -> ContractView | None:
    """The student's next contract that starts after ``now`` (null when none)."""
    found = next((c for c in contracts_of(world, user.id) if c.start > now), None)
    return None if found is None else ContractView(found, contract_label(found, now))


def contract_label(contract: Contract, now: datetime) -> str:
    return "Future" if contract.start > now else "Active" if now < contract.end else "Ended"


def user_state(world: PearsonWorld, user: User, now: datetime) -> UserState:
    """IsNewUser: the user has completed or skipped no walkthrough yet."""
    done = (int(WalkThroughStatus.COMPLETED), int(WalkThroughStatus.SKIPPED))
    seasoned = any(w.user_id == user.id and w.status in done for w in world.walkthroughs.values())
    return UserState(user=user, is_new_user=not seasoned, server_time=now,
                     registrations=[ContractView(c, contract_label(c, now), user.center_id)
                                    for c in contracts_of(world, user.id)])


def add_contract(world: PearsonWorld, contract: Contract) -> None:
    world.contracts[contract.id] = contract
    world.changed(contract)


def set_walkthrough_status(world: PearsonWorld, walkthrough: WalkThrough) -> None:
    """``POST walkthroughs/user/{id}/status``: the latest status per (user, walkthrough) is kept."""
    world.walkthroughs[(walkthrough.user_id, walkthrough.walkthrough_id)] = walkthrough
    world.changed(walkthrough.walkthrough_id)  # a walkthrough has no id of its own: the key names it
