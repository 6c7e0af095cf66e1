"""iSpring Learn content routes: the catalogue, course modules, course fields, final statuses, learning
tracks (tags "content", "learning_track" of the vendor's OpenAPI); thin handlers over ``content``."""
from __future__ import annotations

from datetime import datetime

from flask import Response, request

from emulator.core.errors import BadRequest
from emulator.core.openapi import Param
from emulator.core.persistence import read_only
from emulator.core.wire import encode_json
from emulator.ispring.domain import content, lookups, results, service
from emulator.ispring.http import queries
from emulator.ispring.domain.access import require
from emulator.ispring.wire.learning import CREATE_COURSE, dump_content_item, dump_courses_module, dump_tree_item
from emulator.ispring.domain.models import ApiClient, ContentItem, ISpringWorld
from emulator.ispring.http.routes import ERRORS, PAGING, UUIDS, _optional_json_body, answer, learn, permitted_body

TYPES = {"type": "array", "items": {"type": "string", "enum": list(content.CONTENT_TYPES)}}
LOCALE = Param("X-Target-Locale", {"type": "string"}, "Accepted; the emulator's content has one language",
               where="header")


def _page(world: ISpringWorld, items: list[ContentItem], media: str) -> Response:
    size = service.page_size(request.args.get("pageSize"))
    page, token = queries.page(items, lambda c: c.id, size, request.args.get("pageToken"))
    body = queries.token_page_body("contentItems", [dump_content_item(world, c) for c in page], token)
    return answer(body, "content-page", media)


@learn.get("/content", "Get content list", query=(LOCALE, Param("contentTypes", TYPES)),
           responses={200: "content-list", **ERRORS})
def get_content(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    types = content.check_content_types(queries.values("contentTypes"))
    require(client, "content")
    items = content.list_content(world, content_types=types)
    return answer([dump_content_item(world, c) for c in items], "content-list", media)


@learn.get("/contents", "List content (paged)", query=(*PAGING, LOCALE, Param("contentItemIds[]", UUIDS),
                                          Param("contentTypes", TYPES)),
           responses={200: "content-page", **ERRORS})
def list_contents(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    ids, types = queries.uuids("contentItemIds"), content.check_content_types(queries.values("contentTypes"))
    require(client, "content")
    return _page(world, content.list_content(world, item_ids=ids, content_types=types), media)


@read_only  # a query sent as POST
@learn.post("/contents",
            "List content (filters in the body)", query=PAGING, body="contents-request", body_required=False,
            responses={200: "content-page", **ERRORS})
def list_contents_by_post(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    data = _optional_json_body()
    if not isinstance(data, dict):
        data = {"contentItemIds": data}  # not an object: refused below, naming the field
    raw_ids, raw_types = data.get("contentItemIds") or [], data.get("contentTypes") or []
    if not isinstance(raw_ids, list) or not all(isinstance(v, str) for v in raw_ids):
        raw_ids = [str(raw_ids)]
    if not isinstance(raw_types, list) or not all(isinstance(v, str) for v in raw_types):
        raw_types = [str(raw_types)]
    ids, types = lookups.check_uuids("contentItemIds", raw_ids), content.check_content_types(raw_types)
    require(client, "content")
    return _page(world, content.list_content(world, item_ids=ids, content_types=types), media)


@learn.get("/content/<content_id>",
           "Get content item", query=(LOCALE,), responses={200: "content-item-info", **ERRORS, 404: None})
def get_content_item(content_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                     media: str) -> Response:
    content_id = lookups.check_uuid("contentId", content_id)
    require(client, "content")
    item = content.get_content(world, content_id)
    return answer({"contentItem": dump_content_item(world, item)}, "content-item-info", media)


@learn.get("/content/<content_id>/final_statuses",
           "Get content item final statuses", responses={200: "final-status-list", **ERRORS, 404: None})
def get_final_statuses(content_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                       media: str) -> Response:
    content_id = lookups.check_uuid("contentId", content_id)
    require(client, "results")
    return answer(results.final_statuses(world, content_id), "final-status-list", media)


@learn.get("/courses/modules", "List courses modules (deprecated in the document)",
           query=(*PAGING, Param("courseIds", UUIDS, required=True)),
           responses={200: "courses-modules-page", **ERRORS})
def list_courses_modules(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    course_ids = queries.uuids("courseIds")
    if not course_ids:
        raise BadRequest("courseIds: at least one id is required.")
    size = service.page_size(request.args.get("pageSize"))
    require(client, "content")
    modules = content.modules_of_courses(world, course_ids)
    page, token = queries.page(modules, lambda m: m.id, size, request.args.get("pageToken"))
    body = queries.token_page_body("modules", [dump_courses_module(world, m) for m in page], token)
    return answer(body, "courses-modules-page", media)


@learn.get("/course/<course_id>/modules",
           "List modules by course id", responses={200: "course-modules", **ERRORS, 404: None})
def list_course_modules(course_id: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                        media: str) -> Response:
    course_id = lookups.check_uuid("courseId", course_id)
    require(client, "content")
    course = content.get_course(world, course_id)
    modules = [dump_courses_module(world, m) for m in content.course_modules(world, course)]
    return answer({"modules": modules}, "course-modules", media)


@learn.get("/courses_tree", "Get courses tree", query=(LOCALE, Param("contentItemIds", UUIDS)),
           responses={200: "courses-tree", **ERRORS})
def get_courses_tree(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    ids = queries.uuids("contentItemIds")
    require(client, "content")
    return answer([dump_tree_item(world, c) for c in content.courses_tree(world, ids)], "courses-tree", media)


@learn.get("/course_fields", "List course fields", responses={200: "course-fields", **ERRORS})
def list_course_fields(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    require(client, "content")
    fields = [{"fieldId": f.id, "fieldCustomId": f.custom_id, "fieldLabel": f.label, "fieldType": "TEXT"}
              for f in world.course_fields.values()]
    return answer({"courseFields": fields}, "course-fields", media)


@learn.post("/content/create/<content_type>",
            "Create content item (a course, in a folder)", body="content-create-request",
            responses={201: "content-id", **ERRORS})
def create_content(content_type: str, *, world: ISpringWorld, now: datetime, client: ApiClient,
                   media: str) -> Response:
    data = permitted_body(CREATE_COURSE, client, "content_write")
    item = content.create_content(world, content_type, title=data["title"], folder_id=data["folder_id"],
                                  author_id=client.user_id or "", now=now)
    response = answer(item.id, "content-id", media, body=encode_json(item.id))
    response.status_code = 201
    return response


@learn.get("/learning_track/courses", "Courses of learning tracks", query=(Param("learningTrackIds", {"type": "string"},
                                                        "Comma-separated track ids", required=True),),
           responses={200: "learning-track-courses", **ERRORS})
def list_learning_track_courses(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    raw = ",".join(queries.values("learningTrackIds"))
    track_ids = lookups.check_uuids("learningTrackIds", [v.strip() for v in raw.split(",") if v.strip()])
    if not track_ids:
        raise BadRequest("learningTrackIds: at least one id is required.")
    require(client, "content")
    wanted = set(track_ids)
    pairs = [{"learningTrackId": t, "courseId": c} for t, c in content.learning_track_courses(world) if t in wanted]
    return answer(pairs, "learning-track-courses", media)


@learn.get("/quizzes", "List quizzes (paged)", query=(*PAGING, Param("quizIds", UUIDS), Param("contentItemIds", UUIDS),
                                          Param("parentCourseIds", UUIDS)),
           responses={200: "quizzes-page", **ERRORS})
def list_quizzes(*, world: ISpringWorld, now: datetime, client: ApiClient, media: str) -> Response:
    filters = {"quiz_ids": queries.uuids("quizIds"), "item_ids": queries.uuids("contentItemIds"),
               "course_ids": queries.uuids("parentCourseIds")}
    size = service.page_size(request.args.get("pageSize"))
    require(client, "content")
    rows = content.list_quizzes(world, **filters)
    page, token = queries.page(rows, lambda r: str(r["quizId"]), size, request.args.get("pageToken"))
    return answer(queries.token_page_body("results", page, token), "quizzes-page", media)
