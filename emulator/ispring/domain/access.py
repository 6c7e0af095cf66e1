"""Who may call the learning routes (content, enrollments, results, statistics, webhooks), in one table.

The help pages' "Permissions to Run the Request" name the Account Owner and Account Administrators for the
webhook requests ("Only the owner and account administrator can send requests"); for the others the
emulator asks the same (its choice), and lets Department Administrators read the catalogue too. Anyone
else: 403 "Permission denied".
"""
from __future__ import annotations

from emulator.core.errors import Forbidden
from emulator.ispring.domain.models import ACCOUNT_ADMINISTRATOR, ACCOUNT_OWNER, DEPARTMENT_ADMINISTRATOR, ApiClient

ADMINS = (ACCOUNT_OWNER, ACCOUNT_ADMINISTRATOR)
ROLES = {
    "content": (*ADMINS, DEPARTMENT_ADMINISTRATOR),
    "content_write": ADMINS,
    "enrollments": ADMINS,
    "results": ADMINS,
    "statistics": ADMINS,
    "webhooks": ADMINS,
    "gamification": ADMINS,
    "training": ADMINS,
}


def require(client: ApiClient, what: str) -> None:
    if client.role not in ROLES[what]:
        raise Forbidden("Permission denied")


# The emulator's choices where the document and help pages are silent (evidence: docs/VENDOR-NOTES.md,
# "iSpring Learn: learning and webhooks"). The constants they name live beside the rules that use them.
LEARNING_CHOICES: dict[str, str] = {
    "roles": "owner and administrators everywhere; department administrators may also read the catalogue",
    "enroll_existing": "a learner already enrolled in a course keeps that enrollment; no new one, no event",
    "enroll_ids_checked_first": "every learnerId and courseId is checked before anything is written (400)",
    "enroll_targets": "courses only (content type Course); a material or learning track id is a 400",
    "access_date": "yyyy-mm-dd; a date-time is taken as its date (Pipedream sends toISOString()); absent: today",
    "due_default": "dueDateType default: the course's default due period (content.COURSES), else no due date",
    "overdue": "the tenant clock's date is past the due date and the course is not complete/passed/accepted",
    "reenroll": "same enrollment id, new dates, progress cleared, a LEARNERS_ENROLLED_IN_COURSE event",
    "delete_unknown": "one unknown id in POST /enrollment/delete: 400, nothing deleted",
    "unknown_path_id": "404 (enrollment, content item, course, task); a malformed one: 400",
    "unknown_body_id": "400 naming the id (statistics, enrollment, delete)",
    "course_status_rule": "unset: complete when every module is complete/passed/accepted, in_progress when any "
                          "started, else not_started; set by POST /statistics/course until 'automatic'",
    "tasks": "statistics writes apply at once; their task ids count from results.FIRST_TASK_ID, status complete",
    "final_statuses": "each enrolled learner of the course (or of the course holding the material), any status",
    "results_page_token": "base64 of the next row's key (enrollmentId; enrollmentId/moduleId), as /departments",
    "list_parameters": "name=, name[]= and name[0]= all read (queries.values)",
    "view_url": "<account URL>/app/content-item/<id>",
    "folders": "the courses tree's folders have type 'Folder' and are never listed as content",
    "create_content": "only Course (the document's one body, CreateCourseRequest); answered 201 with the id",
    "contents_post_body": "JSON {contentItemIds, contentTypes} (the document gives only an XML body)",
    "webhook_code": "a UUID v1 text like the help page's sample, sent as payloads[0] = '{\"code\": ...}'",
    "webhook_subscriptions": "one per event type per subscriber; subscribing again replaces its params",
    "webhook_params": "JSON arrays of ids in a string (help page sample); '[]' filters nothing",
    "webhook_batching": "one request per event type per write, every payload of that write in it",
    "webhook_signature": "X-Hub-Signature: lowercase hex SHA-256 of body + secret, no 'sha256=' prefix",
    "webhook_retries": "3 attempts (core.outbound.RETRY_DELAYS 0.5 s, 2 s), 5 s timeout each, then the URL "
                       "is UNCONFIRMED again (the vendor: after a day)",
    "webhook_addresses": "loopback only unless --webhook-allow names the host or network",
    "completion_date_events": "integer nanoseconds since the epoch (Pipedream's test event)",
    "points": "a ledger of awards and withdrawals; amount > 0; a withdrawal below zero points is a 400",
    "certificates": "issued when a course with a certificate (seeded: the Compliance folder's) is completed; "
                    "re-enrolling drops it from the enrollment; GET /certificate/{id} answers "
                    "<account URL>/app/certificates/<id>.pdf",
    "training_participants": "the operation's plain array of ids; pageSize limits it, pageToken (base64 of an "
                             "id) starts it there (the document also defines an unused ParticipantsPage)",
    "attendance": "every participantId must be a participant of the day's session (else 400, nothing written)",
    "status_change_payloads": "COURSE_STATUS_CHANGED {courseId, learnerId, enrollmentId, status}; "
                              "COURSE_ITEM_* {courseId, courseItemId, learnerId, enrollmentId, status|completionDate}",
}
