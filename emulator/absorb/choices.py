"""The emulator's choices where Absorb's documents are silent: one table, one edit to change.

Re-exported as ``absorb.service.CHOICES``; the evidence for each is in docs/VENDOR-NOTES.md.
"""
from __future__ import annotations

from .models import EnrollmentStatus as S

# The emulator's choices where Absorb's documents are silent: one table, one edit to change.
CHOICES = {
    "already_enrolled_status": 422,
    "full_session_status": S.ON_WAITLIST,
    "lists_include_history": True,
    # users (absorb.users): bodies are partial -- a field left out of PUT /users/{id}, POST /users or an upload
    # keeps its value, null clears it, and customFields keys likewise
    "user_fields_missing_keep_values": True,
    "user_required_to_create": ("username", "firstName", "lastName", "departmentId"),
    "user_matched_by": "username",  # POST /users and /users/upload; an id in the body is ignored
    "user_write_status": {"PUT": 200, "POST created": 201, "POST updated": 200, "upload": 200},
    "user_write_answer": "UserResource",  # PUT and POST /users answer the saved user
    "upload_duplicate_username": 422,  # the same username twice in one batch refuses the batch
    "inactive_user_can_authenticate": False,
    "rename_moves_enrollment_date_edited": False,
    "authenticate_moves_last_login_date": False,  # seeded values only: a login would drop every cached page
}
