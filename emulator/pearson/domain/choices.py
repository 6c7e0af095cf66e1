"""The emulator's choices for Pearson's class bookings: every value the help pages do not publish, in one place.

The help pages name the enums (``ClassTypes``, ``BookModes``, ``NextStepStatus``, ``CenterType``,
``WalkThroughCompletionStatus``, ``WalkThroughTypes``) but not their members; ``ApiProxyResponse.Code`` has no
table either. Everything below is the emulator's choice and is listed in docs/VENDOR-NOTES.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum


class ClassType(IntEnum):
    """``ClassTypes`` (integers on the wire, as ``ClassType: integer`` in every class model)."""

    ENCOUNTER = 1
    COMPLEMENTARY_CLASS = 2
    SOCIAL_CLUB = 3
    WORKSHOP = 4


# A class of these types is booked before it starts; the others are joined without booking (noPreBookingClasses).
PRE_BOOKED = frozenset({ClassType.ENCOUNTER, ClassType.COMPLEMENTARY_CLASS})
CLASS_TYPE_NAMES = {ClassType.ENCOUNTER: "Encounter", ClassType.COMPLEMENTARY_CLASS: "Complementary Class",
                    ClassType.SOCIAL_CLUB: "Social Club", ClassType.WORKSHOP: "Workshop"}
SEATS = {ClassType.ENCOUNTER: 4, ClassType.COMPLEMENTARY_CLASS: 12, ClassType.SOCIAL_CLUB: 20,
         ClassType.WORKSHOP: 16}


class BookMode(IntEnum):
    """``BookModes``: who made the booking."""

    STAFF = 1
    SELF = 2


class CenterType(IntEnum):
    """``CenterType`` (the SelfBooking ``CenterTypes`` filter)."""

    IN_CENTER = 1
    ONLINE = 2


class WalkThroughStatus(IntEnum):
    """``WalkThroughCompletionStatus`` (the help page's sample sends 0)."""

    NOT_STARTED = 0
    IN_PROGRESS = 1
    COMPLETED = 2
    SKIPPED = 3


class WalkThroughType(IntEnum):
    """``WalkThroughTypes`` (the help page's sample sends 1)."""

    FIRST_LOGIN = 1
    SELF_BOOKING = 2
    DIGITAL_BOOK = 3


class ProxyCode(IntEnum):
    """``ApiProxyResponse.Code``: 0 for success, the rest say why a booking or cancellation was refused."""

    SUCCESS = 0
    CLASS_FULL = 1
    ALREADY_BOOKED = 2
    CLASS_STARTED = 3
    UNIT_ALREADY_BOOKED = 4
    WRONG_UNIT = 5
    WRONG_CENTER = 6
    NOT_BOOKED = 7
    NOT_BOOKABLE = 8


# NextStepStatus: strings, like AvailableClassStatus (both live in PearsonEnglish.LearningServices.Wse.Models).
NEXT_STEP_STATUSES = ("BookEncounter", "AttendEncounter", "CourseCompleted", "NoActiveContract")
LAST_UNIT = 20
CONTRACT_LABELS = ("Active", "Future", "Ended")

@dataclass(frozen=True, slots=True)
class PearsonChoices:
    """The settings the code reads; the rest of the emulator's choices (enum members, refusal shape and status,
    cancelling until a class starts, the online center's reach, ...) are the types and rules above and in the
    modules, each listed with its evidence in docs/VENDOR-NOTES.md."""

    join_window: timedelta = timedelta(minutes=15)
    """``JoinClassAvailable``: from this long before a no-pre-booking class starts until it ends."""
    default_password: str = "Passw0rd!"
    """A seeded or fixture user's password when none is given (the token endpoint checks it)."""
    encounters_upcoming_only: bool = True
    """GET encounters lists the user's encounters that have not ended yet (oldest first)."""


CHOICES = PearsonChoices()
