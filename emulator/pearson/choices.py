"""The emulator's choices for Pearson's class bookings: every value the help pages do not publish, in one place.

The help pages name the enums (``ClassTypes``, ``BookModes``, ``NextStepStatus``, ``CenterType``,
``WalkThroughCompletionStatus``, ``WalkThroughTypes``) but not their members; ``ApiProxyResponse.Code`` has no
table either. Everything below is the emulator's choice and is listed in docs/VENDOR-NOTES.md.
"""
from __future__ import annotations

from datetime import timedelta
from enum import IntEnum
from typing import Any


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

CHOICES: dict[str, Any] = {
    "class_types": {t.name: int(t) for t in ClassType},
    "book_modes": {m.name: int(m) for m in BookMode},
    "center_types": {c.name: int(c) for c in CenterType},
    "walkthrough_statuses": {s.name: int(s) for s in WalkThroughStatus},
    "walkthrough_types": {t.name: int(t) for t in WalkThroughType},
    "proxy_codes": {c.name: int(c) for c in ProxyCode},
    "next_step_statuses": NEXT_STEP_STATUSES,
    # refusals of book / selfBook: 400 with an ApiProxyResponse body (Code, Message, Fields)
    "refusal_status": 400,
    # a booking can be cancelled until its class starts (CancelAvailable)
    "cancel_until_start": True,
    # JoinClassAvailable: from this long before a no-pre-booking class starts until it ends
    "join_window": timedelta(minutes=15),
    # BookedClasses in classesInfo: the not-ended bookings, in the StudentsBookedClassWithMaterialUrl shape
    # (BaseBookedClass is abstract; its page shows no fields)
    "booked_classes_shape": "StudentsBookedClassWithMaterialUrl",
    # staff of the online center may read any student of the tenant (classesInfo, bookings/notEnded, v2 state)
    "online_center_reaches": "every student",
    "default_password": "Passw0rd!",
    # StudentUnitAggregateViewModel (ClassDetailsViewModel.BookedStudents): fields not published; the booked
    # student and their last completed unit. StandbyStudents: always [] (no standby lists are kept)
    "student_unit_aggregate_fields": ("StudentId", "FirstName", "LastName", "Email", "UnitNumber"),
    "standby_lists": False,
    # UpdateTime: startDate required here; a time in the past (tenant clock) or a class that has started: 400
    "update_time_refuses": ("past startDate", "started class"),
    # staffmembers/{id}/profile: what a profile holds beyond the user and their center is not kept: null
    # (PhotoUris {}); a user who is not a StaffMember is not found (404); UserName is the sign-in e-mail
    "staff_profile_unknown": ("SsdsId", "MobileTelephone", "HomeTelephone", "WorkTelephone", "City", "Birthdate",
                              "NationalityId", "PhotoUris", "Gender", "WorkMotivation", "AboutMe", "Nationality",
                              "SocialNetworkAddress1-4", "SocialNetworkId1-2"),
    # api/Class (public): ApiCallerSource values are not published: any number or name is accepted, none
    # changes the answer; without a token the default tenant answers
    "api_caller_source": "any number or name",
    "public_tenant": "default",
}
