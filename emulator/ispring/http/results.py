"""iSpring Learn progress routes: statistics writes, learners' results, async task status (tags "statistics",
"results", "task" of the vendor's OpenAPI); thin handlers over ``results``."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response, request

from emulator.core.errors import BadRequest
from emulator.core.openapi import Param
from emulator.core.persistence import read_only
from emulator.ispring.http import queries
from emulator.ispring.domain import lookups, results, service
from emulator.ispring.domain.access import require
from emulator.ispring.wire.learning import COURSE_STATUS, MODULE_STATUSES
from emulator.ispring.domain.models import ApiClient, ISpringWorld
from emulator.ispring.http.routes import ERRORS, PAGING, UUIDS, answer, learn, permitted_body

STRINGS = {"type": "array", "items": {"type": "string"}}
RANGE = {"type": "object", "properties": {"startDate": {"type": "string"}, "endDate": {"type": "string"}}}
RESULT_FILTERS = (Param("userIds", UUIDS), Param("courseIds", UUIDS), Param("departmentIds", UUIDS),
                  Param("enrollmentIds", UUIDS), Param("completionStatuses", STRINGS),
                  Param("completionDate", RANGE), Param("accessDate", RANGE), Param("dueDate", RANGE),
                  Param("userStatuses", STRINGS))
MODULE_FILTERS = (Param("moduleIds", UUIDS), Param("courseItemIds", UUIDS))
RESET_QUERY = (Param("courseId", {"type": "string", "format": "uuid"}), Param("enrollmentIds", UUIDS),
               Param("contentItemIds", UUIDS))


def _filter(modules: bool) -> results.ResultFilter:
    return results.ResultFilter(
        user_ids=frozenset(queries.uuids("userIds")), course_ids=frozenset(queries.uuids("courseIds")),
        department_ids=frozenset(queries.uuids("departmentIds")),
        enrollment_ids=frozenset(queries.uuids("enrollmentIds")),
        statuses=results.check_statuses(queries.values("completionStatuses")),
        user_statuses=results.check_user_statuses(queries.values("userStatuses")),
        module_ids=frozenset(queries.uuids("moduleIds")) if modules else frozenset(),
        item_ids=frozenset(queries.uuids("courseItemIds")) if modules else frozenset(),
        completion=queries.date_range("completionDate"), access=queries.date_range("accessDate"),
        due=queries.date_range("dueDate"))


def _results_page(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], str], schema: str,
                  media: str) -> Response:
    size = service.page_size(request.args.get("pageSize"))
    page, token = queries.page(rows, key, size, request.args.get("pageToken"))
    return answer(queries.token_page_body("results", page, token), schema, media)


@learn.get("/learners/results", "Results of learners in courses (paged, filtered)", query=(*PAGING, *RESULT_FILTERS),
           responses={200: "learner-results", **ERRORS})
def list_learner_results(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    f = _filter(modules=False)
    require(client, "results")
    rows = results.learner_results(world, f, now)
    return _results_page(rows, lambda r: r["enrollmentId"], "learner-results", media)


@learn.get("/learners/modules/results", "Results of learners in modules (paged, filtered)",
           query=(*PAGING, *RESULT_FILTERS, *MODULE_FILTERS), responses={200: "learner-module-results", **ERRORS})
def list_learner_module_results(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    f = _filter(modules=True)
    require(client, "results")
    rows = results.module_results(world, f, now)
    return _results_page(rows, lambda r: f"{r['enrollmentId']}/{r['moduleId']}", "learner-module-results", media)


@learn.post("/statistics/course",
            "Update course status", body="course-status-request", responses={200: "task-id", **ERRORS})
def update_course_status(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    data = permitted_body(COURSE_STATUS, client, "statistics")
    task = results.update_course_status(world, data["course_id"], data["enrollment_ids"], data["status"],
                                        at=data["date"], reason=data["reason"], score=data["awarded_score"], now=now)
    return answer({"taskId": task}, "task-id", media)


@learn.post("/statistics/module",
            "Update modules statuses", body="module-status-request", responses={200: "task-id", **ERRORS})
def update_module_statuses(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    data = permitted_body(MODULE_STATUSES, client, "statistics")
    statuses = [results.ModuleStatus(item_id=s["content_item_id"], status=s["status"], at=s["date"],
                                     reason=s["reason"], score=s["awarded_score"]) for s in data["module_statuses"]]
    task = results.update_module_statuses(world, data["course_id"], data["enrollment_ids"], statuses, now)
    return answer({"taskId": task}, "task-id", media)


@learn.delete("/statistics/module", "Reset modules statistics", query=RESET_QUERY, responses={200: "task-id", **ERRORS})
def reset_module_statistics(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    course = request.args.get("courseId")
    if course is None:
        raise BadRequest("courseId: required.")
    course_id = lookups.check_uuid("courseId", course)
    enrollment_ids, item_ids = queries.uuids("enrollmentIds"), queries.uuids("contentItemIds")
    require(client, "statistics")
    task = results.reset_module_statistics(world, course_id, enrollment_ids, item_ids, now)
    return answer({"taskId": task}, "task-id", media)


@read_only
@learn.get("/task/<task_id>/status", "Get async task status", responses={200: "task-status", **ERRORS, 404: None})
def get_task_status(task_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    if not (task_id.isascii() and task_id.isdigit()) or len(task_id) > 18:
        raise BadRequest(f"taskId: '{task_id}' is not an integer.")
    require(client, "statistics")
    return answer({"status": results.task_status(world, int(task_id))}, "task-status", media)
