"""The contract schemas themselves: well-formed, faithful to the vendor samples, and strict."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from collections.abc import Iterator

import pytest
from jsonschema import Draft202012Validator

from emulator.core import contract
from emulator.core.contract import ContractViolation

SCHEMAS = Path(contract.__file__).resolve().parents[2] / "schemas"
SCHEMA_FILES = sorted(SCHEMAS.glob("*/*.json"))
BASE_ID = "https://lms-emulator.local/schemas"

EXPECTED = {
    "absorb": {
        "error", "user-course-enrollment", "course-enrollment", "user-course-enrollment-page",
        "course-enrollment-page", "user-course-enrollment-list", "enrollment-created", "ilc-enrollment-created",
        "session-enrollment", "session-enrollment-list", "session-enrollment-page", "chapter-enrollment",
        "chapter-enrollment-list", "lesson-enrollment", "lesson-enrollment-list", "lesson-enrollment-page",
        "attempt", "attempt-list", "attempt-started", "attempt-finished", "authenticate-request", "token",
        "course-enrollment-upsert", "unenroll-request", "attempt-finish-request",
        "user", "user-page", "user-request", "user-upload-request", "user-upload-result", "department",
        "department-page", "course", "course-page",
        "group", "group-page", "role", "role-page", "country", "country-page", "province", "province-list",
        # issue 29: certificates, the catalogue, the learner's side, OAuth 2.0
        *(f"{name}{page}" for name in ("certificate", "category", "tag", "venue", "curriculum", "chapter", "lesson",
                                       "session", "session-schedule", "direct-report", "resource",
                                       "resource-category") for page in ("", "-page")),
        "my-course-page",
        # issue 29, the last operations
        "curriculum-group", "curriculum-group-list", "account-request", "session-detail", "session-detail-list",
        "manager-role", "manager-role-page",
        "my-enrollment-request", "my-enrollment-created", "oauth-token", "oauth-error",
        # issue 29, second half: languages ... learning paths
        *(f"{name}{page}" for name in ("language", "course-version", "prerequisite", "course-evaluation",
                                       "credit-type") for page in ("", "-page")),
        "attendance", "attendance-list", "attendance-request", "user-credit", "user-credit-list", "message",
        "message-list", "learning-path",
        # issue 29 (second half): what a portal sells and defines, department writes
        *(f"{name}{page}" for name in ("course-bundle", "coupon", "transaction", "enrollment-key", "question-bank",
                                       "external-training-template", "external-training-submission")
          for page in ("", "-page")),
        "custom-field-definition", "custom-field-definition-list", "competency-definition", "self-assessment",
        "department-request",
    },
    "ispring": {"error", "token-request", "token-response", "user-attributes-request", "user-attributes",
                "user-attributes-list", "appraisal-session", "appraisal-session-list", "appraisal-session-list-request",
                "appraisal-session-info", "user", "user-list", "user-profile", "department", "department-info",
                "department-page"},
    "pearson": {"error", "teacher-session", "available-encounter", "available-encounter-list",
                "api-proxy-response", "available-class-details", "available-class-details-list", "booked-class",
                "booked-class-list", "class-details", "class-book-parameters", "connect-token-request",
                "connect-token-response",
                "next-future-registration", "next-step", "no-pre-booking-class", "no-pre-booking-class-list",
                "scheduled-class", "scheduled-class-list", "staff-member-profile", "student-classes-aggregate",
                "territory", "user-state",
                "user-state-v1",
                "walkthrough-history"},
}
REQUESTS = {("absorb", n) for n in ("authenticate-request", "token", "course-enrollment-upsert",
                                    "unenroll-request", "attempt-finish-request", "user-request",
                                    "user-upload-request", "my-enrollment-request", "attendance-request",
                                    "department-request", "account-request")} | {
    ("ispring", "user-attributes-request"), ("ispring", "token-request"), ("ispring", "appraisal-session-list-request")}
REQUESTS |= {("pearson", n) for n in ("class-book-parameters", "walkthrough-history", "connect-token-request")}

ISPRING_PEOPLE_REQUESTS = {  # issue 27: users, departments and groups
    "user-list-request", "users-v2-request", "new-user-request", "update-user-request", "password-request",
    "status-request", "subordination-request", "date-request", "user-ids-request", "group-ids-request",
    "department-ids-request", "work-leave-request", "new-department-request", "update-department-request",
    "new-group-request", "update-group-request", "new-smart-group-request", "update-smart-group-request"}
EXPECTED["ispring"] |= ISPRING_PEOPLE_REQUESTS | {
    "listed-user", "paged-user-list", "user-page", "new-id", "id-list", "group", "group-list", "group-page",
    "group-detail", "smart-group-rules", "role-list", "profile-field-list", "department-list"}
REQUESTS |= {("ispring", n) for n in ISPRING_PEOPLE_REQUESTS}


# iSpring learning, trainings and webhooks (issue 28): answers, then request bodies (open objects, as the others)
ISPRING_LEARNING_REQUESTS = {
    "enrollment-request", "enrollment-update", "enrollment-delete", "enrollments-request", "course-status-request",
    "module-status-request", "contents-request", "content-create-request", "subscriber-request",
    "subscriber-name-request", "confirm-request", "subscribe-request", "unsubscribe-request", "points-request",
    "training-day-update", "attendance-request",
}
EXPECTED["ispring"] |= ISPRING_LEARNING_REQUESTS | {
    "content-id", "content-item", "content-item-info", "content-list", "content-page", "course-fields",
    "course-modules", "courses-module", "courses-modules-page", "courses-tree", "enrollment", "enrollment-info",
    "enrollment-list", "enrollment-page", "final-status-list", "issued-certificate", "learner-module-results",
    "learner-results", "learning-track-courses", "quizzes-page", "subscriber-info", "subscription-list", "task-id",
    "task-status", "training", "training-day-info", "training-info", "training-participants", "training-session",
    "training-session-info", "training-session-list", "user-points-list", "webhook-event",
}
REQUESTS |= {("ispring", n) for n in ISPRING_LEARNING_REQUESTS}


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def assert_valid(vendor: str, name: str, payload: Any) -> None:
    contract.validate(vendor, name, payload)


def assert_invalid(vendor: str, name: str, payload: Any, fragment: str = "") -> list[str]:
    problems = contract.errors(vendor, name, payload)
    assert problems, f"{vendor}/{name} accepted a bad payload: {payload!r}"
    if fragment:
        assert any(fragment in p for p in problems), problems
    with pytest.raises(ContractViolation):
        contract.validate(vendor, name, payload)
    return problems


# --------------------------------------------------------------------------- the schema files

def test_every_expected_schema_exists_and_nothing_else() -> None:
    assert contract.vendors() == sorted(EXPECTED)
    for vendor, expected in EXPECTED.items():
        assert set(contract.names(vendor)) == expected


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_schema_file_is_a_valid_2020_12_schema(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(doc)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"] == f"{BASE_ID}/{path.parent.name}/{path.name}"
    assert doc.get("title") and doc.get("description")


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_ref_resolves(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    resolver = contract.registry().resolver(base_uri=doc["$id"])
    refs = [node["$ref"] for node in _walk(doc) if isinstance(node, dict) and "$ref" in node]
    for ref in refs:
        assert resolver.lookup(ref).contents is not None  # lookup raises if unresolvable


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_response_objects_are_closed_and_list_every_property(path: Path) -> None:
    vendor, name = path.parent.name, path.stem
    if (vendor, name) in REQUESTS:
        return
    doc = json.loads(path.read_text(encoding="utf-8"))
    for node in _walk(doc):
        if isinstance(node, dict) and isinstance(node.get("properties"), dict):
            extra = node.get("additionalProperties")
            assert extra is False or (vendor == "ispring" and isinstance(extra, dict)), f"{vendor}/{name}: open object"
            if vendor == "ispring":  # written from the vendor's OpenAPI, which leaves some properties optional
                assert set(node["required"]) <= set(node["properties"]), f"{vendor}/{name}: unknown required"
            elif (vendor, name) != ("absorb", "error"):
                assert set(node["required"]) == set(node["properties"]), f"{vendor}/{name}: not all required"


def test_schema_returns_a_copy_and_unknown_names_raise() -> None:
    doc = contract.schema("absorb", "attempt")
    doc["title"] = "changed"
    assert contract.schema("absorb", "attempt")["title"] == "AttemptResource"
    with pytest.raises(KeyError):
        contract.schema("absorb", "no-such-schema")
    with pytest.raises(KeyError):
        contract.names("moodle")


def test_validator_is_cached_and_checks_formats() -> None:
    v = contract.validator("absorb", "attempt")
    assert v is contract.validator("absorb", "attempt")
    assert v.format_checker is not None
    assert {"uuid", "date-time"} <= set(v.format_checker.checkers)


def test_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "thing.json").write_text(json.dumps({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://lms-emulator.local/schemas/demo/thing.json",
        "type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}, "required": ["id"],
    }))
    monkeypatch.setenv(contract.ENV_VAR, str(tmp_path))
    assert contract.vendors() == ["demo"]
    assert contract.names("demo") == ["thing"]
    assert contract.errors("demo", "thing", {"id": "not-a-guid"})
    monkeypatch.delenv(contract.ENV_VAR)
    assert "absorb" in contract.vendors()


# --------------------------------------------------------------------------- realistic Absorb examples

USER = "3f2b8c1e-6a4d-4e1f-9b2a-7c5d8e9f0a1b"
COURSE = "a14c149a-2ce0-41d4-b532-02189ad3cb22"
ENROLLMENT = "5d0f6a2b-1c3e-4b7a-8f9d-0e1a2b3c4d5e"
SESSION = "8c7b6a59-4d3e-4f2a-9b1c-0d9e8f7a6b5c"
CHAPTER = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
LESSON = "6e5d4c3b-2a19-4f8e-9d7c-6b5a49382716"
ATTEMPT = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"


GROUP = {"id": SESSION, "name": "Sales Team", "isAutomatic": False, "userIds": [USER],
         "dateEdited": "2025-03-02T10:11:12Z", "dateAdded": "2025-01-15T08:00:00Z"}
ROLE = {"id": CHAPTER, "name": "System Admin", "description": "Full access.", "dateEdited": "2025-03-02T10:11:12Z",
        "dateAdded": "2025-01-15T08:00:00Z"}
COUNTRY = {"id": LESSON, "countryCode": "CA", "name": "Canada"}
PROVINCE = {"id": ATTEMPT, "name": "Quebec"}


def user_course_enrollment() -> dict[str, Any]:
    return {
        "id": ENROLLMENT, "courseId": COURSE, "courseName": "Workplace Safety 101",
        "progress": 42.5, "score": 88.0, "status": 1,
        "dateCompleted": None, "dateExpires": "2026-12-31T23:59:59Z",
        "dateEdited": "2025-03-02T10:11:12Z", "dateAdded": "2025-01-15T08:00:00Z",
        "fullName": "Jeffrey Lebowski", "courseVersionId": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
        "userId": USER, "acceptedTermsAndConditions": True,
        "timeSpentTicks": 54_000_000_000, "timeSpent": "01:30:00",
        "dateStarted": "2025-01-16T09:30:00Z", "enrollmentKeyId": None, "certificateId": None,
        "credits": 1.5, "isActive": True, "dateDue": "2025-06-30T00:00:00Z", "accessDate": None,
        "jobTitle": "Bowler", "courseCollectionId": None, "avatar": "/avatars/lebowski.png",
    }


def course_enrollment() -> dict[str, Any]:
    item = user_course_enrollment()
    for key in ("timeSpentTicks", "accessDate", "courseCollectionId", "avatar"):
        del item[key]
    return item


def session_enrollment() -> dict[str, Any]:
    return {
        "id": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e", "sessionId": SESSION, "courseEnrollmentId": ENROLLMENT,
        "name": "Forklift practical, Tuesday", "userId": USER, "fullName": "Jeffrey Lebowski",
        "status": 3, "progress": 100, "score": None, "timeSpent": "02:00:00",
        "dateEnrolled": "2025-01-15T08:00:00Z", "dateStarted": "2025-02-04T09:00:00Z",
        "dateCompleted": "2025-02-04T11:00:00Z", "dateEdited": "2025-02-04T11:00:05Z",
    }


def chapter_enrollment() -> dict[str, Any]:
    return {
        "id": "3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f", "courseEnrollmentId": ENROLLMENT, "chapterId": CHAPTER,
        "sessionId": None, "lessonId": None, "name": "Chapter 1: Hazards", "userId": USER,
        "fullName": "Jeffrey Lebowski", "status": 1, "progress": 50, "score": None,
        "timeSpent": "1.02:03:04.5000000", "dateEnrolled": "2025-01-15T08:00:00Z",
        "dateStarted": "2025-01-16T09:30:00Z", "dateCompleted": None,
        "lessonEnrollmentIds": ["4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f70"],
    }


def lesson_enrollment() -> dict[str, Any]:
    return {
        "id": "4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f70", "chapterEnrollmentId": "3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f",
        "type": "ObjectLessonEnrollment", "attempts": 2, "failures": 1, "lastAttempt": "2025-01-17T14:00:00Z",
        "courseEnrollmentId": ENROLLMENT, "chapterId": CHAPTER, "lessonId": LESSON,
        "name": "Lesson 1: Spills", "userId": USER, "fullName": "Jeffrey Lebowski",
        "status": 5, "progress": 100, "score": 40.0, "timeSpent": "00:25:00",
        "dateEnrolled": "2025-01-15T08:00:00Z", "dateStarted": "2025-01-16T09:30:00Z",
        "dateCompleted": None, "dateEdited": "2025-01-17T14:25:00Z", "dateAdded": "2025-01-15T08:00:00Z",
    }


def attempt() -> dict[str, Any]:
    return {"id": ATTEMPT, "timeSpentTicks": 9_000_000_000, "status": 3, "score": 92.5,
            "startDate": "2025-01-17T14:00:00Z", "completionDate": "2025-01-17T14:15:00Z"}


DEPARTMENT = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"


def user() -> dict[str, Any]:
    custom: dict[str, Any] = {f"string{n}": None for n in range(1, 31)}
    custom.update({f"decimal{n}": None for n in range(1, 6)}, **{f"datetime{n}": None for n in range(1, 6)},
                  **{f"bool{n}": None for n in range(1, 6)})
    custom.update(decimal1=10452.0, string1="CC-200", datetime1="2024-02-01T00:00:00Z", bool1=True)
    return {
        "id": USER, "departmentId": DEPARTMENT, "firstName": "Jeffrey", "middleName": None, "lastName": "Lebowski",
        "username": "jlebowski", "emailAddress": "dude@example.com", "externalId": "10452",
        "ccEmailAddresses": ["walter@example.com"], "languageId": 1, "gender": 1, "address": "606 Venezia Ave",
        "address2": None, "city": "Venice", "provinceId": None, "countryId": None, "postalCode": "90291",
        "phone": None, "employeeNumber": "10452", "location": None, "jobTitle": "Bowler", "referenceNumber": None,
        "dateHired": "2020-03-01T00:00:00Z", "dateTerminated": None, "dateEdited": "2025-01-02T10:00:00Z",
        "dateAdded": "2020-03-01T09:00:00Z", "lastLoginDate": "2025-01-15T08:00:00Z", "notes": None,
        "customFields": custom, "roleIds": [], "activeStatus": 0, "isLearner": True, "isAdmin": False,
        "isInstructor": False, "isManager": False, "supervisorId": None, "hasUsername": True,
    }


def department() -> dict[str, Any]:
    return {"id": DEPARTMENT, "name": "Sales", "useDepartmentContactDetails": False, "companyName": "Example Corp",
            "phoneNumber": None, "emailAddress": "sales@example.com", "externalId": "D-101",
            "parentId": "6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e", "currencyId": None,
            "dateEdited": "2023-05-01T00:00:00Z", "dateAdded": "2021-01-04T00:00:00Z"}


def course() -> dict[str, Any]:
    return {
        "id": COURSE, "courseType": "OnlineCourse", "name": "Workplace Safety", "description": "Hazards and spills.",
        "notes": None, "externalId": "WS-1", "accessDate": None, "expireType": 2,
        "expireDuration": {"years": 1, "months": 0, "days": 0, "hours": 0}, "expiryDate": None, "activeStatus": 0,
        "tagIds": [], "resourceIds": [], "editorIds": [],
        "prices": [{"id": "8d9e0f1a-2b3c-4d4e-8f5a-6b7c8d9e0f1a", "departmentId": None, "currency": "USD",
                    "amount": 49.5}],
        "competencyDefinitionIds": [], "prerequisiteCourseIds": [], "postEnrollmentCourseIds": [],
        "allowCourseEvaluation": True, "categoryId": None, "certificateUrl": None, "audience": "Everyone",
        "goals": None, "vendor": None, "companyCost": None, "learnerCost": 49.5, "companyTime": None,
        "learnerTime": 1.5, "dateEdited": "2024-06-01T00:00:00Z", "dateAdded": "2023-01-10T00:00:00Z",
    }


ATTENDANCE_ROW = {"sessionId": SESSION, "courseId": COURSE, "sessionEnrollmentId": USER, "enrollmentId": ENROLLMENT,
                  "userId": CHAPTER, "fullName": "Jeffrey Lebowski", "status": 3, "attended": True, "score": 88.0,
                  "dateMarked": "2025-05-01T12:00:00Z"}
USER_CREDIT = {"userId": USER, "enrollmentId": ENROLLMENT, "courseId": COURSE, "courseName": "Bowling Safety",
               "creditTypeId": SESSION, "creditTypeName": "General", "credits": 1.5,
               "dateAwarded": "2025-03-01T12:00:00Z"}
MESSAGE = {"id": ATTEMPT, "dateSent": "2025-03-01T12:00:00Z", "subject": "Reminder: Bowling Safety", "body": "Hello",
           "fromId": USER, "toUserIds": [CHAPTER], "to": "walter@example.com", "from": "Jeffrey Lebowski",
           "conversationId": LESSON, "enrollmentId": ENROLLMENT}


def page(key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"totalItems": 41, "returnedItems": len(items), "limit": 20, "offset": 2, key: items}


# issue 29 (second half): items as the seeded portal answers them
OFFER_COURSE_BUNDLE = {'id': '040fa795-777a-494d-8d9a-c4c79edc4c09',
 'name': 'New Manager Bundle',
 'description': 'New Manager Bundle: 3 courses at a lower price.',
 'externalId': 'BUN-002',
 'activeStatus': 0,
 'courseIds': ['13da56c3-51a3-499a-8431-35088e5a79de',
               '3ebef605-030e-44b5-8b30-312410be3026',
               'a96e9cca-4102-48b4-ae80-eb4219dbee3a'],
 'prices': [{'id': '98965b62-5c54-4733-9a5d-9397436eea90', 'departmentId': None, 'currency': 'USD', 'amount': 249.0}],
 'dateAdded': '2025-06-26T07:34:05Z',
 'dateEdited': '2025-07-10T07:34:05Z'}
OFFER_COUPON = {'id': '088447c8-08b1-4ef6-bb62-6b3f85d63687',
 'name': 'EXPIRED15 promotion',
 'description': None,
 'code': 'EXPIRED15',
 'discountType': 1,
 'discount': 15.0,
 'maxUses': None,
 'timesUsed': 0,
 'expiryDate': '2026-11-06T00:00:00Z',
 'courseIds': [],
 'courseBundleIds': [],
 'dateAdded': '2025-10-05T17:05:53Z',
 'dateEdited': '2025-10-16T17:05:53Z'}
OFFER_TRANSACTION = {'id': '19ca9cb3-1cb0-44f8-849e-cb544224abbd',
 'paymentGatewayTransactionId': 'ch_3d8c3662c9d9',
 'transactionDate': '2026-03-30T20:53:42Z',
 'transactionCompletedDate': None,
 'status': 'PendingApproval',
 'transactionDetails': [{'itemId': '5c45a67f-7f0b-49c7-9b96-14e32eb85906',
                         'itemType': 'Course',
                         'name': 'Enhanced Intranet',
                         'quantity': 1,
                         'unitPrice': 99.0}],
 'paymentMethod': 1,
 'cardType': 'Visa',
 'maskedCardNumber': '6228',
 'userId': '544097a0-7941-4408-b828-17c4b845054b',
 'billingFirstName': 'Lisa',
 'billingLastName': 'Shah',
 'billingAddress': None,
 'billingEmailAddress': 'lisa.shah@example.com',
 'learnerEmailAddress': 'lisa.shah@example.com',
 'learnerFirstName': 'Lisa',
 'learnerLastName': 'Shah',
 'referenceNumber': 'TX-00006',
 'couponCode': None,
 'provinceTaxLabel': None,
 'provinceTax': 0.0,
 'countryTaxLabel': None,
 'countryTax': 0.0,
 'discount': 0.0,
 'subTotal': 99.0,
 'total': 99.0,
 'currency': 'USD'}
OFFER_ENROLLMENT_KEY = {'id': '7403c943-16c9-417f-a415-00d39c4934de',
 'name': 'Customer Academy',
 'keyName': 'CUSTOMER-6029',
 'departmentId': '90785f4f-cf3b-4ad2-9d4f-2009ee52dfc4',
 'usernameType': 2,
 'maxUses': 50,
 'timesUsed': 3,
 'dateAdded': '2025-07-14T20:21:00Z',
 'dateEdited': '2025-08-14T20:21:00Z',
 'startDate': '2025-07-14T20:21:00Z',
 'expiryDate': '2026-08-14T20:21:00Z',
 'languageId': 0,
 'sendNewUserMessageOnEnrollment': False,
 'externalId': None,
 'courses': [],
 'signupFields': []}
OFFER_CUSTOM_FIELD_DEFINITION = {'id': '16862ec2-eaec-40f3-9ac7-1cf0897e79e0',
 'name': 'Hourly Rate',
 'customField': 'Decimal1',
 'type': 3,
 'behavior': 2,
 'possibleValues': [],
 'isPrivate': True}
OFFER_QUESTION_BANK = {'id': '5061b3f4-e1a4-49d1-8d6f-61ebd6b8d2d7',
 'name': 'General Compliance Questions',
 'description': None,
 'courseIds': ['13da56c3-51a3-499a-8431-35088e5a79de', 'ab714946-1400-4445-8c9b-85b3465a0195'],
 'questions': [{'id': 'a170f9ce-44ae-46e8-9c4b-3d345883fefc',
                'text': 'General question 1?',
                'type': 'MultipleChoice',
                'options': ['A', 'B', 'C', 'D'],
                'points': 1.0},
               {'id': '90f3bf2c-b6d6-4d22-9b6a-04b244907c05',
                'text': 'General question 2?',
                'type': 'TrueFalse',
                'options': ['True', 'False'],
                'points': 1.0}],
 'dateAdded': '2024-09-03T10:11:36Z',
 'dateEdited': '2025-02-21T10:11:36Z'}
OFFER_EXTERNAL_TRAINING_TEMPLATE = {'id': '01d93f31-3763-43e1-bed7-a294e07a57f0',
 'name': 'Workshop',
 'description': 'Training taken outside the portal: workshop.',
 'requiresApproval': False,
 'credits': 2.5,
 'activeStatus': 0,
 'dateAdded': '2025-04-01T10:43:11Z',
 'dateEdited': '2025-04-03T10:43:11Z'}
OFFER_EXTERNAL_TRAINING_SUBMISSION = {'id': '144c6ec3-2864-48c9-8acc-aac48b525b16',
 'templateId': '8bf75ff6-ef30-4422-b41d-a183ad3ec8af',
 'userId': 'eb4da1de-e940-4669-99c8-e8394dbab95f',
 'fullName': 'Hannah Ellison',
 'name': 'External Certification 2',
 'provider': None,
 'dateCompleted': '2026-02-01T00:00:00Z',
 'hours': 5.0,
 'credits': None,
 'status': 1,
 'dateSubmitted': '2026-02-06T00:00:00Z',
 'dateEdited': '2026-02-06T00:00:00Z'}
OFFER_COMPETENCY_DEFINITION = {"id": LESSON, "name": "First Aid", "description": "Shows first aid in daily work.",
                               "categoryName": "Health and Safety", "levels": ["Aware", "Practitioner", "Expert"],
                               "dateAdded": "2024-06-03T05:27:31Z", "dateEdited": "2024-10-21T05:27:31Z"}
OFFER_SELF_ASSESSMENT = {"id": CHAPTER, "name": "Leadership Readiness", "description": "Rate yourself from 1 to 5.",
                         "activeStatus": 0, "questions": [{"id": ATTEMPT, "text": "How confident are you in coaching?",
                                                           "competencyDefinitionId": LESSON, "scaleMax": 5}],
                         "dateAdded": "2024-06-03T05:27:31Z", "dateEdited": "2024-10-21T05:27:31Z"}


CURRICULUM_GROUP = {"id": ATTEMPT, "curriculumId": COURSE, "name": "Foundations", "courseIds": [COURSE, LESSON],
                    "requiredCourseCount": None}

SESSION_DETAIL = {"id": CHAPTER, "courseId": COURSE, "courseName": "Forklift Safety (classroom)",
                  "name": "Morning sitting", "capacity": 12, "enrolledCount": 9, "waitlistCount": 0,
                  "availableSeats": 3, "startDate": "2025-03-04T09:00:00Z", "endDate": "2025-03-04T12:00:00Z",
                  "venue": {"id": LESSON, "name": "Training Room B", "description": None,
                            "address": "100 Main Street", "city": "Calgary", "postalCode": "T2P 1J9",
                            "countryId": None, "provinceId": None, "dateAdded": "2024-06-03T05:27:31Z",
                            "dateEdited": "2024-10-21T05:27:31Z"},
                  "sessionSchedules": [{"id": ATTEMPT, "sessionId": CHAPTER, "courseId": COURSE, "venueId": LESSON,
                                        "startDate": "2025-03-04T09:00:00Z", "endDate": "2025-03-04T12:00:00Z"}]}

MANAGER_ROLE = {"id": CHAPTER, "name": "Manager", "description": "The default manager role.", "isDefault": True,
                "permissions": ["Users - View", "Users - Modify - Enroll"], "dateAdded": "2024-06-03T05:27:31Z",
                "dateEdited": "2024-06-03T05:27:31Z"}


ABSORB_EXAMPLES: dict[str, Any] = {
    "manager-role": MANAGER_ROLE,
    "manager-role-page": page("managerRoles", [MANAGER_ROLE, {**MANAGER_ROLE, "id": LESSON, "name": "Team Viewer",
                                                              "isDefault": False, "permissions": ["Users - View"]}]),
    "session-detail": SESSION_DETAIL,
    "session-detail-list": [SESSION_DETAIL, {**SESSION_DETAIL, "id": LESSON, "name": "Evening sitting", "venue": None,
                                             "enrolledCount": 12, "waitlistCount": 2, "availableSeats": 0,
                                             "sessionSchedules": []}],
    "account-request": {"departmentId": DEPARTMENT, "firstName": "Jeffrey", "lastName": "Lebowski",
                        "username": "jlebowski", "password": "the.dude.abides", "emailAddress": "dude@example.com"},
    "curriculum-group": CURRICULUM_GROUP,
    "curriculum-group-list": [CURRICULUM_GROUP, {**CURRICULUM_GROUP, "name": "Electives", "requiredCourseCount": 1}],
    "user-course-enrollment": user_course_enrollment(),
    "course-enrollment": course_enrollment(),
    "user-course-enrollment-page": page("enrollments", [user_course_enrollment()]),
    "course-enrollment-page": page("enrollments", [course_enrollment()]),
    "user-course-enrollment-list": [user_course_enrollment(), {**user_course_enrollment(), "isActive": False}],
    "enrollment-created": {"enrollmentId": ENROLLMENT, "courseId": COURSE, "userId": USER},
    "ilc-enrollment-created": {"userId": USER, "courseId": COURSE, "sessionId": SESSION,
                               "enrollmentId": ENROLLMENT, "sessionEnrollmentId": session_enrollment()["id"]},
    "session-enrollment": session_enrollment(),
    "session-enrollment-list": [session_enrollment()],
    "session-enrollment-page": page("enrollments", [session_enrollment()]),
    "chapter-enrollment": chapter_enrollment(),
    "chapter-enrollment-list": [chapter_enrollment()],
    "lesson-enrollment": lesson_enrollment(),
    "lesson-enrollment-list": [lesson_enrollment()],
    "lesson-enrollment-page": page("lessonEnrollments", [lesson_enrollment()]),
    "attempt": attempt(),
    "attempt-list": [attempt(), {**attempt(), "status": 1, "score": None, "completionDate": None}],
    "attempt-started": {"attemptId": ATTEMPT, "courseId": COURSE, "userId": USER},
    "attempt-finished": {"attemptId": ATTEMPT},
    "error": {"validations": ["_limit must be between 1 and 1000"], "code": 422,
              "message": "The request could not be processed.", "term": "ValidationFailed",
              "_meta": {"field": "_limit"}},
    "authenticate-request": {"username": "admin", "password": "s3cret!",
                             "privateKey": "D3B07384-D113-4EC4-9A7B-2C1F0E5A6B7C"},
    "token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl",
    "course-enrollment-upsert": {
        "courseId": COURSE, "status": 3, "dateCompleted": "2025-03-01T12:00:00Z", "dateExpires": None,
        "acceptedTermsAndConditions": True, "credits": 2, "score": 95,
        "creditTypeCredits": [{"creditTypeId": "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918", "credits": 2}],
    },
    "unenroll-request": [ENROLLMENT, "0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9"],
    "attempt-finish-request": {"status": 5, "score": 30, "startDate": "2025-01-17T14:00:00Z",
                               "completionDate": "2025-01-17T14:10:00Z"},
    "user": user(),
    "user-page": page("users", [user()]),
    "user-request": {"username": "jlebowski", "departmentId": DEPARTMENT.upper(), "firstName": "Jeffrey",
                     "lastName": "Lebowski", "customFields": {"decimal1": 10452}},
    "user-upload-request": [{"username": "jlebowski", "departmentId": DEPARTMENT, "firstName": "Jeffrey",
                             "lastName": "Lebowski", "externalId": "10452"}],
    "user-upload-result": [{"key": USER, "value": "jlebowski"}],
    "department": department(),
    "department-page": page("departments", [department()]),
    "course": course(),
    "course-page": page("courses", [course(), {**course(), "courseType": "InstructorLedCourse", "expireType": 0,
                                               "expireDuration": None, "prices": []}]),
    "my-course-page": {**page("courses", [course()]), "curriculumEnrollment": {
        "curriculumId": "5b1d6a34-3c0e-4d5e-9a43-0c2f4a7e9b11", "userId": "9f3c2e1a-7b4d-4c8e-a1f2-3d4e5f6a7b8c",
        "status": 1, "progress": 33.33, "dateCompleted": None,
        "groups": [{"id": "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b", "name": "Foundations", "required": 2,
                    "completed": 1, "isComplete": False}]}},
    "group": GROUP,
    "group-page": page("groups", [GROUP, {**GROUP, "isAutomatic": True, "userIds": []}]),
    "role": ROLE,
    "role-page": page("roles", [ROLE, {**ROLE, "description": None}]),
    "country": COUNTRY,
    "country-page": page("countries", [COUNTRY]),
    "province": PROVINCE,
    "province-list": [PROVINCE, {"id": SESSION, "name": "Ontario"}],
    **{name: body for name, key, item in (
        ("certificate", "certificates", {
            "id": SESSION, "userId": USER, "fullName": "Jeffrey Lebowski", "courseId": COURSE,
            "courseName": "Bowling Safety", "enrollmentId": ENROLLMENT, "acquiredDate": "2025-03-01T12:00:00Z",
            "expiryDate": None, "dateAdded": "2025-03-01T12:00:00Z", "dateEdited": "2025-03-01T12:00:00Z"}),
        ("category", "categories", {"id": SESSION, "name": "Safety", "description": None, "parentId": COURSE,
                                    "dateAdded": "2024-01-01T00:00:00Z", "dateEdited": "2024-02-01T00:00:00Z"}),
        ("tag", "tags", {"id": SESSION, "name": "Mandatory"}),
        ("venue", "venues", {"id": SESSION, "name": "Head Office", "description": None, "address": "1 Main St",
                             "city": "Springfield", "postalCode": "12345", "countryId": None, "provinceId": None,
                             "dateAdded": "2024-01-01T00:00:00Z", "dateEdited": "2024-02-01T00:00:00Z"}),
        ("curriculum", "curriculums", {
            "id": SESSION, "name": "New Starter Programme", "description": None, "externalId": "CUR-001",
            "activeStatus": 0, "categoryId": None, "dateAdded": "2024-01-01T00:00:00Z",
            "dateEdited": "2024-02-01T00:00:00Z", "curriculumGroups": [
                {"id": USER, "name": "Foundations", "courseIds": [COURSE], "requiredCourseCount": None},
                {"id": ENROLLMENT, "name": "Electives", "courseIds": [], "requiredCourseCount": 1}],
            "prices": [{"id": LESSON, "departmentId": None, "currency": "USD", "amount": 499.0}]}),
        ("chapter", "chapters", {"id": SESSION, "courseId": COURSE, "name": "Chapter 1", "lessonIds": [USER]}),
        ("lesson", "lessons", {"id": SESSION, "courseId": COURSE, "chapterId": USER, "name": "Lesson 1.1",
                               "type": "Video", "passingScore": 70.0}),
        ("session", "sessions", {"id": SESSION, "courseId": COURSE, "name": "Workshop", "capacity": 10,
                                 "venueId": None, "startDate": "2025-05-01T09:00:00Z",
                                 "endDate": "2025-05-01T12:00:00Z"}),
        ("session-schedule", "sessionSchedules", {"id": USER, "sessionId": SESSION, "courseId": COURSE,
                                                  "venueId": ENROLLMENT, "startDate": "2025-05-01T09:00:00Z",
                                                  "endDate": "2025-05-01T12:00:00Z"}),
        ("resource", "resources", {"id": SESSION, "name": "Employee Handbook", "description": None,
                                   "url": "/Files/Resources/handbook.pdf", "resourceCategoryId": USER,
                                   "isGlobal": True, "dateAdded": "2024-01-01T00:00:00Z",
                                   "dateEdited": "2024-02-01T00:00:00Z"}),
        ("resource-category", "resourceCategories", {"id": SESSION, "name": "Handbooks", "description": None}),
        ("direct-report", "directReports", {"id": USER, "username": "jlebowski", "firstName": "Jeffrey",
                                            "lastName": "Lebowski", "emailAddress": None, "departmentId": None,
                                            "jobTitle": None, "activeStatus": 0}),
    ) for name, body in ((name, item), (f"{name}-page", page(key, [item])))},
    "my-enrollment-request": {"courseId": COURSE, "sessionId": SESSION},
    "my-enrollment-created": {"userId": USER, "courseId": COURSE, "sessionId": SESSION, "enrollmentId": ENROLLMENT,
                              "sessionEnrollmentId": USER},
    "oauth-token": {"access_token": "eyJhbGciOiJIUzI1NiJ9.e30.sig", "token_type": "Bearer", "expires_in": 14400,
                    "refresh_token": "r3fr3sh", "scope": "admin.v1"},
    "oauth-error": {"error": "invalid_grant", "error_description": "The authorization code was used already."},
    # issue 29, second half
    **{name: body for name, key, item in (
        ("language", "languages", {"id": 1, "name": "English", "cultureCode": "en-US"}),
        ("course-version", "courseVersions", {"id": SESSION, "courseId": COURSE, "courseName": "Bowling Safety",
                                              "versionNumber": 1, "isCurrent": True,
                                              "dateAdded": "2024-01-01T00:00:00Z", "dateEdited": None}),
        ("prerequisite", "prerequisites", {"id": SESSION, "courseId": COURSE, "courseName": "Advanced Bowling",
                                           "prerequisiteType": 0, "courseIds": [USER], "requiredNumber": 1}),
        ("course-evaluation", "courseEvaluations", {
            "id": SESSION, "courseId": COURSE, "courseName": "Bowling Safety", "enrollmentId": ENROLLMENT,
            "userId": USER, "fullName": "Jeffrey Lebowski", "rating": 4, "comments": None,
            "dateAdded": "2025-03-01T12:00:00Z"}),
        ("credit-type", "creditTypes", {"id": SESSION, "name": "General", "description": None, "isDefault": True,
                                        "dateAdded": "2024-01-01T00:00:00Z", "dateEdited": "2024-01-01T00:00:00Z"}),
    ) for name, body in ((name, item), (f"{name}-page", page(key, [item])))},
    "attendance": ATTENDANCE_ROW,
    "attendance-list": [ATTENDANCE_ROW, {**ATTENDANCE_ROW, "attended": None, "score": None, "dateMarked": None,
                                         "status": 8}],
    "attendance-request": [{"userId": USER, "attended": True, "score": 90}, {"userId": COURSE, "attended": False}],
    "user-credit": USER_CREDIT,
    "user-credit-list": [USER_CREDIT],
    "message": MESSAGE,
    "message-list": [MESSAGE, {**MESSAGE, "subject": None, "enrollmentId": None}],
    "learning-path": {"userId": USER, "fullName": "Jeffrey Lebowski", "courses": [
        {"enrollmentId": ENROLLMENT, "courseId": COURSE, "courseName": "Bowling Safety", "courseType": "OnlineCourse",
         "status": 1, "progress": 50.0, "dateDue": None, "dateCompleted": None, "curriculumId": SESSION}]},
    **{name: item for name, item in (
        ("course-bundle", OFFER_COURSE_BUNDLE), ("coupon", OFFER_COUPON), ("transaction", OFFER_TRANSACTION),
        ("enrollment-key", OFFER_ENROLLMENT_KEY), ("question-bank", OFFER_QUESTION_BANK),
        ("external-training-template", OFFER_EXTERNAL_TRAINING_TEMPLATE),
        ("external-training-submission", OFFER_EXTERNAL_TRAINING_SUBMISSION),
        ("custom-field-definition", OFFER_CUSTOM_FIELD_DEFINITION),
        ("competency-definition", OFFER_COMPETENCY_DEFINITION), ("self-assessment", OFFER_SELF_ASSESSMENT))},
    **{f"{name}-page": page(key, [item]) for name, key, item in (
        ("course-bundle", "courseBundles", OFFER_COURSE_BUNDLE), ("coupon", "coupons", OFFER_COUPON),
        ("transaction", "transactions", OFFER_TRANSACTION), ("enrollment-key", "enrollmentKeys", OFFER_ENROLLMENT_KEY),
        ("question-bank", "questionBanks", OFFER_QUESTION_BANK),
        ("external-training-template", "templates", OFFER_EXTERNAL_TRAINING_TEMPLATE),
        ("external-training-submission", "submissions", OFFER_EXTERNAL_TRAINING_SUBMISSION))},
    "custom-field-definition-list": [OFFER_CUSTOM_FIELD_DEFINITION],
    "department-request": {"name": "Field Sales", "parentId": COURSE, "externalId": "DEP-042"},
}


def test_reference_shapes_are_closed() -> None:
    assert_invalid("absorb", "province", {**PROVINCE, "countryId": COURSE}, "Additional properties")
    assert_invalid("absorb", "group", {**GROUP, "userIds": ["x"]})
    assert_invalid("absorb", "country-page", {**page("countries", [COUNTRY]), "countries": [{"id": COURSE}]})
    assert_invalid("absorb", "province-list", {"provinces": [PROVINCE]})


def test_every_absorb_schema_has_an_example() -> None:
    assert set(ABSORB_EXAMPLES) == set(contract.names("absorb"))


@pytest.mark.parametrize("name", sorted(ABSORB_EXAMPLES))
def test_realistic_absorb_example_validates(name: str) -> None:
    assert_valid("absorb", name, ABSORB_EXAMPLES[name])


def test_user_course_enrollment_has_the_26_seed_fields() -> None:
    doc = contract.schema("absorb", "user-course-enrollment")
    assert len(doc["properties"]) == 26
    missing = set(doc["properties"]) - set(contract.schema("absorb", "course-enrollment")["properties"])
    assert missing == {"timeSpentTicks", "accessDate", "courseCollectionId", "avatar"}


def test_absorb_minimal_request_bodies() -> None:
    assert_valid("absorb", "course-enrollment-upsert", {"courseId": COURSE})
    assert_valid("absorb", "attempt-finish-request", {"status": 1})
    assert_valid("absorb", "error", {"code": 404, "message": "Not found"})


def test_absorb_nullable_fields_accept_null() -> None:
    item = user_course_enrollment()
    for key in ("dateCompleted", "dateExpires", "dateStarted", "dateDue", "accessDate", "courseVersionId",
                "enrollmentKeyId", "certificateId", "courseCollectionId", "jobTitle", "avatar", "credits", "score"):
        item[key] = None
    assert_valid("absorb", "user-course-enrollment", item)


@pytest.mark.parametrize("key", ["id", "userId", "courseId", "status", "progress", "isActive",
                                 "dateAdded", "dateEdited"])
def test_absorb_identity_fields_are_not_nullable(key: str) -> None:
    assert_invalid("absorb", "user-course-enrollment", {**user_course_enrollment(), key: None}, f"$.{key}")


# --------------------------------------------------------------------------- vendor samples (iSpring, Pearson)

ISPRING_REQUEST_SAMPLE = {"userIds": ["3fa85f64-5717-4562-b3fc-2c963f66afa6"]}
ISPRING_RESPONSE_SAMPLE = [
    {
        "sessionId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "userId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "displayingName": "string",
        "initials": "string",
        "departmentId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "departmentName": "string",
        "status": "ACTIVE",
        "attributes": [{"key": "string", "value": "2020-11-12", "title": "USER_DEFINED_FIELD3"}],
    }
]
PEARSON_SESSION_SAMPLE = {
    "Name": "sample string 1", "Contact": "sample string 2", "Photo": "sample string 3", "StartDate": 4,
    "EndDate": 5, "PartnerId": "68b1a0f1-6d56-44e2-8eac-1440adfc7837",
    "ContentItemId": "04cbbbde-14a4-4d06-b8ef-9c514105e623", "TeacherId": "b2dd9ef5-3032-42df-8618-8894a93105f9",
    "MeetingUrl": "sample string 9", "StartDateTime": "2024-12-20T14:38:10.6042016+00:00",
    "EndDateTime": "2024-12-20T14:38:10.6042016+00:00",
}
_ENCOUNTER = {
    "UnitNumber": 1, "Id": "93ccd5ee-700e-4fff-857f-0905ff5ebff2",
    "DateTime": "2026-06-24T19:10:19.3989428+00:00", "EndDate": "2026-06-24T19:10:19.3989428+00:00",
    "Duration": 4, "Status": "Available", "IsOnline": True, "CenterId": "fc48ac7b-ec1e-4988-8880-40ebfd16cba9",
    "CenterName": "sample string 7", "CenterReferenceId": "sample string 8",
}
PEARSON_ENCOUNTERS_SAMPLE = [dict(_ENCOUNTER), dict(_ENCOUNTER)]


def test_ispring_samples_validate() -> None:
    assert_valid("ispring", "user-attributes-request", ISPRING_REQUEST_SAMPLE)
    assert_valid("ispring", "user-attributes-request", {**ISPRING_REQUEST_SAMPLE,
                                               "sessionIds": ["3fa85f64-5717-4562-b3fc-2c963f66afa6"]})
    assert_valid("ispring", "user-attributes-list", ISPRING_RESPONSE_SAMPLE)
    assert_valid("ispring", "user-attributes", ISPRING_RESPONSE_SAMPLE[0])
    assert_valid("ispring", "user-attributes-list", [])
    assert_valid("ispring", "error", {"code": 404, "message": "Session not found"})
    assert_valid("ispring", "token-response", {"access_token": "N3Hk5sds1_DVj1JFTqJKFWjGHf94DWp1YSffLxeZX8co",
                                      "expires_in": 1800, "token_type": "bearer"})


def test_pearson_samples_validate() -> None:
    assert_valid("pearson", "teacher-session", PEARSON_SESSION_SAMPLE)
    assert_valid("pearson", "teacher-session", None)
    assert_valid("pearson", "teacher-session", {**PEARSON_SESSION_SAMPLE, "Name": None, "Contact": None, "Photo": None})
    assert_valid("pearson", "available-encounter-list", PEARSON_ENCOUNTERS_SAMPLE)
    assert_valid("pearson", "available-encounter-list", [])
    assert_valid("pearson", "available-encounter", {**_ENCOUNTER, "Status": "Cancelled", "CenterReferenceId": None})
    assert_valid("pearson", "error", {"Message": "Authorization has been denied for this request."})


# --------------------------------------------------------------------------- wrong payloads are refused

def test_missing_required_key_is_refused() -> None:
    item = user_course_enrollment()
    del item["dateAdded"]
    assert_invalid("absorb", "user-course-enrollment", item, "'dateAdded' is a required property")
    assert_invalid("absorb", "error", {"message": "no code"}, "'code' is a required property")
    assert_invalid("absorb", "course-enrollment-upsert", {"status": 1}, "'courseId' is a required property")
    assert_invalid("absorb", "attempt-finish-request", {"score": 1}, "'status' is a required property")
    assert_invalid("absorb", "authenticate-request", {"username": "a", "password": "b"}, "privateKey")
    assert_invalid("ispring", "user-attributes-request", {"sessionIds": []}, "'userIds' is a required property")
    session = dict(PEARSON_SESSION_SAMPLE)
    del session["MeetingUrl"]
    assert_invalid("pearson", "teacher-session", session, "MeetingUrl")
    assert_invalid("pearson", "error", {}, "not valid under any")  # HttpError, ApiProxyResponse or OAuth error


def test_extra_key_is_refused() -> None:
    assert_invalid("absorb", "user-course-enrollment", {**user_course_enrollment(), "extra": 1}, "extra")
    # the course resource must not carry the user-resource-only fields
    assert_invalid("absorb", "course-enrollment", {**course_enrollment(), "timeSpentTicks": 0}, "timeSpentTicks")
    assert_invalid("absorb", "lesson-enrollment-page", {**page("lessonEnrollments", []), "enrollments": []},
                   "enrollments")
    assert_invalid("absorb", "user-course-enrollment-page",
         page("enrollments", [{**user_course_enrollment(), "Id": ENROLLMENT}]), "$.enrollments[0]")
    assert_invalid("ispring", "user-attributes", {**ISPRING_RESPONSE_SAMPLE[0], "login": "x"}, "login")
    assert_invalid("pearson", "available-encounter", {**_ENCOUNTER, "Teacher": None}, "Teacher")
    assert_invalid("pearson", "error", {"Message": "x", "message": "y"})


@pytest.mark.parametrize("value", ["string", "a14c149a2ce041d4b53202189ad3cb22",
                                   "{a14c149a-2ce0-41d4-b532-02189ad3cb22}",
                                   "a14c149a-2ce0-41d4-b532-02189ad3cb2", "g14c149a-2ce0-41d4-b532-02189ad3cb22", "",
                                   "A14C149A-2CE0-41D4-B532-02189AD3CB22"])
def test_bad_guid_is_refused(value: str) -> None:
    assert_invalid("absorb", "user-course-enrollment", {**user_course_enrollment(), "courseId": value}, "$.courseId")
    assert_invalid("pearson", "available-encounter", {**_ENCOUNTER, "CenterId": value}, "$.CenterId")
    assert_invalid("ispring", "user-attributes", {**ISPRING_RESPONSE_SAMPLE[0], "userId": value}, "$.userId")


def test_bad_guid_in_requests_is_refused_but_either_case_accepted() -> None:
    assert_invalid("absorb", "unenroll-request", ["not-a-guid"], "$[0]")
    assert_invalid("absorb", "unenroll-request", [], "")
    assert_invalid("ispring", "user-attributes-request", {"userIds": ["nope"]}, "$.userIds[0]")
    assert_valid("ispring", "user-attributes-request", {"userIds": []})  # the document sets no minimum
    assert_valid("ispring", "user-attributes-request", {"userIds": ["3FA85F64-5717-4562-B3FC-2C963F66AFA6"]})


def test_format_checker_catches_what_the_pattern_does_not() -> None:
    # the shape is 8-4-4-4-12 hex but the calendar/offset is impossible: only the format check can catch it
    assert_invalid("absorb", "attempt", {**attempt(), "startDate": "2025-02-30T00:00:00Z"}, "date-time")
    assert_invalid("pearson", "available-encounter", {**_ENCOUNTER, "DateTime": "2026-13-24T19:10:19.3989428+00:00"},
         "date-time")


@pytest.mark.parametrize("value", ["2019-08-24", "2019-08-24T14:15:22", "24/08/2019 14:15", "string",
                                   "2019-08-24T25:15:22Z", "2019-08-24T14:15:22+25:00", ""])
def test_bad_date_is_refused(value: str) -> None:
    assert_invalid("absorb", "user-course-enrollment", {**user_course_enrollment(), "dateEdited": value},
                   "$.dateEdited")
    assert_invalid("absorb", "attempt-finish-request", {"status": 3, "completionDate": value}, "$.completionDate")


def test_enrollment_status_13_is_refused() -> None:
    assert_invalid("absorb", "user-course-enrollment", {**user_course_enrollment(), "status": 13}, "$.status")
    assert_invalid("absorb", "lesson-enrollment-list", [{**lesson_enrollment(), "status": 13}], "$[0].status")
    assert_invalid("absorb", "session-enrollment", {**session_enrollment(), "status": -1}, "$.status")
    assert_invalid("absorb", "course-enrollment-upsert", {"courseId": COURSE, "status": 13}, "$.status")
    assert_invalid("absorb", "user-course-enrollment", {**user_course_enrollment(), "status": "InProgress"}, "$.status")


@pytest.mark.parametrize("status", [0, 2, 4, 6])
def test_attempt_status_outside_1_3_5_is_refused(status: int) -> None:
    assert_invalid("absorb", "attempt", {**attempt(), "status": status}, "$.status")
    assert_invalid("absorb", "attempt-finish-request", {"status": status}, "$.status")


@pytest.mark.parametrize("value", ["2024-12-20T14:38:10.604201+00:00", "2024-12-20T14:38:10+00:00",
                                   "2024-12-20T14:38:10.6042016Z", "2024-12-20T14:38:10.6042016"])
def test_pearson_date_needs_seven_fraction_digits_and_offset(value: str) -> None:
    assert_invalid("pearson", "teacher-session", {**PEARSON_SESSION_SAMPLE, "StartDateTime": value}, "$.StartDateTime")
    assert_invalid("pearson", "available-encounter", {**_ENCOUNTER, "EndDate": value}, "$.EndDate")


def test_other_value_rules() -> None:
    assert_invalid("absorb", "user-course-enrollment", {**user_course_enrollment(), "progress": 100.5}, "$.progress")
    assert_invalid("absorb", "user-course-enrollment", {**user_course_enrollment(), "timeSpent": "90 minutes"},
                   "$.timeSpent")
    assert_invalid("absorb", "user-course-enrollment", {**user_course_enrollment(), "timeSpentTicks": -1},
                   "$.timeSpentTicks")
    assert_invalid("absorb", "course-enrollment-page", {**page("enrollments", []), "offset": -1}, "$.offset")
    assert_invalid("absorb", "user-course-enrollment-list", page("enrollments", []))  # the bulk route answers an array
    assert_invalid("absorb", "authenticate-request", {"username": "", "password": "p", "privateKey": USER},
                   "$.username")
    assert_invalid("absorb", "token", "", "")
    assert_invalid("absorb", "course-enrollment-upsert",
         {"courseId": COURSE, "creditTypeCredits": [{"credits": 1}]}, "creditTypeId")
    assert_invalid("ispring", "user-attributes", {**ISPRING_RESPONSE_SAMPLE[0], "status": "active"}, "$.status")
    assert_invalid("ispring", "user-attributes", {**ISPRING_RESPONSE_SAMPLE[0], "attributes": [{"key": "k", "value": 1,
                                                                                     "title": "t"}]}, "value")
    assert_invalid("ispring", "token-response", {"access_token": "x", "expires_in": 1800, "token_type": "mac"},
                   "token_type")
    assert_invalid("pearson", "available-encounter", {**_ENCOUNTER, "Status": "available"}, "$.Status")
    assert_invalid("pearson", "teacher-session", [], "")
    assert_invalid("pearson", "teacher-session", {**PEARSON_SESSION_SAMPLE, "TeacherId": None}, "$.TeacherId")


def test_errors_are_readable_and_carry_the_path() -> None:
    bad = copy.deepcopy(ABSORB_EXAMPLES["user-course-enrollment-page"])
    bad["enrollments"][0]["status"] = 13
    problems = contract.errors("absorb", "user-course-enrollment-page", bad)
    assert problems == ["$.enrollments[0].status: 13 is not one of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]"]
    with pytest.raises(AssertionError) as info:
        contract.validate("absorb", "user-course-enrollment-page", bad)
    assert "$.enrollments[0].status" in str(info.value)
    assert info.value.errors == problems  # type: ignore[attr-defined]
