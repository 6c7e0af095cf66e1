"""The emulator's choices where Absorb's documents are silent: one table, one edit to change.

Re-exported as ``absorb.service.CHOICES``; the evidence for each is in docs/VENDOR-NOTES.md.
"""
from __future__ import annotations

from emulator.absorb.domain.models import EnrollmentStatus as S

# Typed where code reads them (the table below holds them too).
USER_SEARCH_FIELDS: tuple[str, ...] = ("first_name", "middle_name", "last_name", "full_name", "username")
MY_CATALOG_MAX_LIMIT: int = 30  # a real learner portal's tenant answers 422 above it

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
    # ASP.NET's case-insensitivity (core.casefold): query parameter names too, as its model binder does
    "case_insensitive": ("path segments", "query parameter names", "JSON body property names"),
    "duplicate_body_key_spellings": "the later wins",
    # the documented rate limit (core.ratelimit): off unless switched on, per tenant, on the tenant's clock
    "rate_limit_default": "off",
    "rate_limit_clock": "tenant",
    # reference data (absorb.reference, absorb.lookup_routes)
    "roles_collection_key": "roles",
    "provinces_paged_only_when_asked": True,  # a bare array: every match unless _limit or _offset is given
    "provinces_of_unknown_country": "[]",
    "user_courses": "active enrollment, or course activeStatus 0",
    "user_reference_ids_checked": True,  # countryId, provinceId (of that country), roleIds must exist: 422
    # issue 29: search, certificates, the learner's side, OAuth 2.0
    "my_catalog_max_limit": MY_CATALOG_MAX_LIMIT,
    "user_search_fields": USER_SEARCH_FIELDS,  # a substring of any of them, case-insensitively
    "curriculum_enrollment": "my-courses?curriculumId= carries curriculumEnrollment, derived from course enrollments",
    # issue 29, second half (absorb.course_facts, attendance, learner_records, learning_state, curricula)
    "languages": "a fixed list, integer ids 1-10 (English en-US first)",
    "course_versions": "one per course: its versionId, versionNumber 1, isCurrent, the course's dates",
    "prerequisite": "one per course with prerequisiteCourseIds, id uuid5 of the course id, type 0, all required",
    "prerequisites_bind": "self-enrollment only (POST /my-enrollments, POST /enroll): 422 naming each unmet course",
    "course_evaluations": "seeded for completed enrollments of courses allowing evaluation; gone with the enrollment",
    "attendance_list": "a bare array, one row per active session enrollment (waitlisted: attended null)",
    "attendance_body": "a JSON array of {userId, attended, score?}; off the roster or waitlisted: 422, nothing marked",
    "attendance_attended": "session and course enrollment Complete (progress 100, score, dates), certificate awarded",
    "attendance_absent": "session and course enrollment Absent (9); an awarded certificate stays",
    "user_credits": "a bare array, one row per completed enrollment (history too) with credits, default credit type",
    "user_messages": "the messages the user sent (the v2 page: 'List user sent messages'), a bare array, oldest first",
    "learning_path": "{userId, fullName, courses}: active enrollments, incomplete first, by due date, then course name",
    "curriculum_direct_enrollment": "POST /users/{userId}/enrollments/{curriculumId}: a curriculum enrollment and an "
                                    "enrollment in each of its active online courses not yet held (reEnroll: all)",
    "curriculum_enrollment_read": "GET /users/{userId}/enrollments/{curriculumId}: UserCourseEnrollment, rolled up",
    "curriculum_unenroll": "POST /enrollments/unenroll takes a curriculum enrollment id; its course enrollments stay",
    # issue 29, second half (absorb.commerce, absorb.definitions, absorb.availability, absorb.departments)
    "for_sale": "active, with at least one price",  # courses/for-sale, course-bundles/for-sale
    "for_sale_readers": "administrators and learners (a storefront); the other new reads: administrators",
    "enrollment_key_times_used": "seeded uses + active enrollments carrying the key's id (enrollmentKeyId)",
    "custom_field_definitions_list": "a bare array (the vendor's page), _filter/_sort honoured, paged only when asked",
    "create_department_status": 201,  # answered with the DepartmentResource
    "create_department_unknown_parent": 422,
    "create_department_names_unique": False,
    "availability_without_rule": "everyone",
    "availability_rule": "departments (optionally with their sub-departments) or groups (members at this moment)",
    "availability_binds": ("my-catalog", "POST /my-enrollments", "POST /enroll/{courseId}"),  # not an admin's
    "not_available_status": 422,
}
