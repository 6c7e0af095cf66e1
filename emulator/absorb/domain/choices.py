"""The emulator's choices where Absorb's documents are silent and the code reads a setting: one typed table,
one edit to change. Each is listed with its evidence in docs/VENDOR-NOTES.md ("Absorb: the emulator's
choices" and "Absorb: users, departments, courses"), beside the choices that are behaviour rather than a
setting (partial bodies, case-insensitive names, reference-data answers), which the modules implement.
"""
from __future__ import annotations

from dataclasses import dataclass

from emulator.absorb.domain.models import EnrollmentStatus


@dataclass(frozen=True, slots=True)
class AbsorbChoices:
    already_enrolled_status: int = 422
    """Enrolling a user with an active enrollment, without ``reEnroll``: refused with this status."""
    full_session_status: EnrollmentStatus = EnrollmentStatus.ON_WAITLIST
    """A session enrollment at capacity takes this status."""
    lists_include_history: bool = True
    """Enrollment lists show historical (re-enrolled, ``isActive: false``) enrollments too."""
    user_required_to_create: tuple[str, ...] = ("username", "firstName", "lastName", "departmentId")
    """The fields POST /users and an upload need to create a user (wire names)."""
    user_created_status: int = 201
    """POST /users that creates a user (one that updates answers 200, as PUT does)."""
    upload_refuses_duplicate_username: bool = True
    """The same username twice in one POST /users/upload refuses the batch (400, ``validations``)."""
    inactive_user_can_authenticate: bool = False
    """POST /authenticate for a user with activeStatus 1: refused when False."""
    user_search_fields: tuple[str, ...] = ("first_name", "middle_name", "last_name", "full_name", "username")
    """``GET /users?_search=``: a case-insensitive substring of any of these."""
    my_catalog_max_limit: int = 30
    """``GET /my-catalog``: a larger ``_limit`` is a 422 (a real learner portal's tenant answers so)."""
    account_required_to_create: tuple[str, ...] = ("username", "password", "firstName", "lastName", "emailAddress",
                                                   "departmentId")
    """``POST /create-absorb-account``: the fields a new account needs, each non-null (wire names; what the v1
    clients of ``createabsorbaccount`` send). Missing: 422, as a user write's other checks."""
    account_unique_email: bool = True
    """``POST /create-absorb-account``: an ``emailAddress`` another user has (case-insensitively) is refused (422);
    ``POST /users`` and the upload keep allowing shared addresses."""
    account_created_status: int = 201
    """``POST /create-absorb-account``: the status of the created account's UserResource."""


CHOICES = AbsorbChoices()
