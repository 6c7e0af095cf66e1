"""iSpring Learn's content: the catalogue of courses (with modules), materials, learning tracks and folders.

Plain functions taking the world first; routes call them under the tenant's lock.

- A course is a content item of type ``Course`` whose modules are materials (content items themselves), in
  order; a learning track lists courses. Folders (emulator's type ``Folder``) only place items in the
  courses tree; they are never listed as content.
- ``viewUrl`` is the account URL + ``/app/content-item/<id>`` (emulator's choice: the document gives only
  "url").
- New courses (``POST /content/create/Course``) start empty, in the folder named.

Seeding (``seed_catalogue``): FOLDERS folders, one course per COURSES entry with its materials as modules
(authored by the account owner, added before the anchor), COURSE_FIELDS course fields with a value per course,
and one learning track holding the first courses. Enrollments and progress are seeded by ``enrollments``.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from emulator.core.errors import BadRequest, NotFound
from emulator.core.wire import new_guid
from emulator.ispring.domain.models import ContentItem, CourseField, CourseModule, ISpringWorld

CONTENT_TYPES = ("iSpringSuiteModule", "Audio", "Video", "Image", "Quiz", "Survey", "SCORM", "Course",
                 "LearningTrack", "WordDocument", "PowerPointPresentation", "PDFDocument", "ExcelSpreadsheet",
                 "RolePlay", "Link", "Assignment", "Book", "Interaction", "Page", "OnlineQuiz", "ExternalCourse")
FOLDER = "Folder"  # emulator's type of a tree folder: never a listed content item
CREATABLE = ("Course",)  # the document's CreateContent body has one form: CreateCourseRequest
MATERIAL_TYPES = ("iSpringSuiteModule", "Video", "PDFDocument", "Quiz", "PowerPointPresentation", "SCORM")
QUIZ_PASSING_SCORE = 80.0

FOLDERS = ("Onboarding", "Compliance", "Sales enablement")
COURSES = (  # (title, folder index, default due days or None, material titles)
    ("Welcome to the company", 0, 14, ("Our mission and values", "Who is who", "Tools we use", "Onboarding quiz")),
    ("Information security basics", 1, 30, ("Passwords and phishing", "Working remotely", "Security quiz")),
    ("Code of conduct", 1, None, ("Our code of conduct", "Conflicts of interest", "Code of conduct quiz")),
    ("Product fundamentals", 2, None, ("Product tour", "Pricing and plans", "Customer stories", "Demo checklist",
                                      "Product quiz")),
    ("Negotiation skills", 2, 45, ("Preparing a negotiation", "Handling objections", "Role play recording")),
    ("Time management", 0, None, ("Planning your week", "Saying no", "Focus techniques")),
    ("Data protection (GDPR)", 1, 30, ("Personal data", "Data subject requests", "GDPR quiz")),
    ("Giving feedback", 0, None, ("Why feedback matters", "The SBI model", "Practice scenarios", "Feedback quiz")),
)
TRACK = ("New hire learning track", (0, 1, 2))  # title, the courses it holds (indexes of COURSES)
COURSE_FIELDS = (("category", "Category"), ("level", "Level"))
LEVELS = ("Beginner", "Intermediate", "Advanced")
CATEGORIES = ("Onboarding", "Compliance", "Sales", "Soft skills")


# -- lookups ------------------------------------------------------------------------------------

def view_url(world: ISpringWorld, item_id: str) -> str:
    return f"{world.account_url}/app/content-item/{item_id}"


def listed(item: ContentItem) -> bool:
    return item.content_type != FOLDER


def check_content_types(values: list[str]) -> list[str]:
    bad = [v for v in values if v not in CONTENT_TYPES]
    if bad:
        raise BadRequest(f"contentTypes: '{bad[0]}' is not a content type ({', '.join(CONTENT_TYPES)}).")
    return values


def list_content(world: ISpringWorld, *, item_ids: list[str] | None = None,
                 content_types: list[str] | None = None) -> list[ContentItem]:
    """Every content item (folders aside) of the given types and ids, in catalogue order; unknown ids are
    left out (as a filter does)."""
    wanted = set(item_ids) if item_ids else None
    types = set(content_types) if content_types else None
    return [c for c in world.content.values() if listed(c) and (wanted is None or c.id in wanted)
            and (types is None or c.content_type in types)]


def get_content(world: ISpringWorld, item_id: str) -> ContentItem:
    item = world.content.get(item_id.lower())
    if item is None or not listed(item):
        raise NotFound("Unknown content item")
    return item


def get_course(world: ISpringWorld, course_id: str) -> ContentItem:
    item = world.content.get(course_id.lower())
    if item is None or item.content_type != "Course":
        raise NotFound("Unknown content item")
    return item


def course_modules(world: ISpringWorld, course: ContentItem) -> list[CourseModule]:
    return [world.modules[m] for m in course.module_ids]


def modules_of_courses(world: ISpringWorld, course_ids: list[str]) -> list[CourseModule]:
    """The modules of the named courses, course by course in request order; unknown or non-course ids give
    none."""
    out: list[CourseModule] = []
    for course_id in dict.fromkeys(course_ids):
        item = world.content.get(course_id)
        if item is not None and item.content_type == "Course":
            out.extend(course_modules(world, item))
    return out


def module_for_item(world: ISpringWorld, course: ContentItem, item_id: str) -> CourseModule | None:
    """The course's module showing content item ``item_id`` (or whose module id it is)."""
    return next((world.modules[m] for m in course.module_ids
                 if world.modules[m].item_id == item_id or m == item_id), None)


def courses_tree(world: ISpringWorld, item_ids: list[str] | None) -> list[ContentItem]:
    """Folders, courses and learning tracks (the tree a catalogue shows); ``item_ids``: only those."""
    wanted = set(item_ids) if item_ids else None
    return [c for c in world.content.values() if c.content_type in (FOLDER, "Course", "LearningTrack")
            and (wanted is None or c.id in wanted)]


def parent_of(world: ISpringWorld, item: ContentItem) -> str:
    """The item's parent in the tree: its folder, else the account's root folder (a stable id)."""
    return item.folder_id or root_folder_id(world)


def root_folder_id(world: ISpringWorld) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{world.account_url}#content-root"))


def learning_track_courses(world: ISpringWorld) -> list[tuple[str, str]]:
    """(learning track id, course id) for every course of every learning track."""
    return [(t.id, c) for t in world.content.values() if t.content_type == "LearningTrack" for c in t.course_ids]


def quiz_id(world: ISpringWorld, item_id: str) -> str:
    """A quiz's id: stable per account and content item (the quiz inside the item is not an entity here)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{world.account_url}#quiz/{item_id}"))


def list_quizzes(world: ISpringWorld, *, quiz_ids: list[str], item_ids: list[str],
                 course_ids: list[str]) -> list[dict[str, Any]]:
    """The document's Quiz for every quiz content item, with the courses holding it; each filter given must
    match (``parentCourseIds``: any of the item's courses)."""
    parents: dict[str, list[str]] = {}
    for module in world.modules.values():
        parents.setdefault(module.item_id, []).append(module.course_id)
    out = []
    for item in world.content.values():
        if item.content_type not in ("Quiz", "OnlineQuiz"):
            continue
        row = {"quizId": quiz_id(world, item.id), "quizTitle": item.title, "contentItemId": item.id,
               "parentCourseIds": parents.get(item.id, [])}
        if (quiz_ids and row["quizId"] not in quiz_ids) or (item_ids and item.id not in item_ids) or \
                (course_ids and not set(course_ids) & set(row["parentCourseIds"])):
            continue
        out.append(row)
    return out


# -- writes -------------------------------------------------------------------------------------

def create_content(world: ISpringWorld, content_type: str, *, title: str, folder_id: str, author_id: str,
                   now: datetime) -> ContentItem:
    """``POST /content/create/{contentType}``: an empty course in an existing folder (the document's one body)."""
    if content_type not in CONTENT_TYPES:
        raise BadRequest(f"contentType: '{content_type}' is not a content type.")
    if content_type not in CREATABLE:
        raise BadRequest(f"contentType: only {', '.join(CREATABLE)} can be created through the API.")
    if not title.strip():
        raise BadRequest("title: must not be empty.")
    folder = world.content.get(folder_id)
    if folder_id != root_folder_id(world) and (folder is None or folder.content_type != FOLDER):
        raise BadRequest(f"folder_id: '{folder_id}' is not a folder.")
    item = ContentItem(id=new_guid(world.rng), title=title.strip(), content_type=content_type, author_id=author_id,
                       added=now, folder_id=None if folder is None else folder.id)
    world.content[item.id] = item
    return item


# -- seeding ------------------------------------------------------------------------------------

def seed_catalogue(world: ISpringWorld, rng: Any, anchor: datetime) -> None:
    """The catalogue described in the module docstring, drawn from ``rng``."""
    owner = next((u.id for u in world.users.values() if u.role == "ACCOUNT_OWNER"), None) or new_guid(rng)
    for custom_id, label in COURSE_FIELDS:
        course_field = CourseField(id=new_guid(rng), custom_id=custom_id, label=label)
        world.course_fields[course_field.id] = course_field
    field_ids = list(world.course_fields)
    folders = []
    for title in FOLDERS:
        folder = ContentItem(id=new_guid(rng), title=title, content_type=FOLDER, author_id=owner,
                             added=anchor - timedelta(days=rng.randint(400, 900)))
        world.content[folder.id] = folder
        folders.append(folder)
    courses = []
    for title, folder_index, due_days, materials in COURSES:
        added = anchor - timedelta(days=rng.randint(60, 380), seconds=rng.randint(0, 86399))
        course = ContentItem(id=new_guid(rng), title=title, content_type="Course", author_id=owner, added=added,
                             subtitle=f"{len(materials)} modules", description=f"{title}: what every employee "
                             "needs to know, in short modules and a final check.",
                             folder_id=folders[folder_index].id, due_days=due_days,
                             field_values={field_ids[0]: CATEGORIES[folder_index % len(CATEGORIES)],
                                           field_ids[1]: rng.choice(LEVELS)})
        world.content[course.id] = course
        courses.append(course)
        for number, material in enumerate(materials, start=1):
            kind = "Quiz" if "quiz" in material.lower() else rng.choice(MATERIAL_TYPES[:3])
            item = ContentItem(id=new_guid(rng), title=material, content_type=kind, author_id=owner,
                               added=added - timedelta(days=rng.randint(1, 30)),
                               description=f"{material} ({title}).", folder_id=course.folder_id)
            world.content[item.id] = item
            module = CourseModule(id=new_guid(rng), item_id=item.id, course_id=course.id, title=material,
                                  description=item.description, author_id=owner, added=added, number=number,
                                  passing_score=QUIZ_PASSING_SCORE if kind == "Quiz" else None)
            world.modules[module.id] = module
            course.module_ids.append(module.id)
            course.duration += rng.randint(5, 25) * 60
    title, indexes = TRACK
    track = ContentItem(id=new_guid(rng), title=title, content_type="LearningTrack", author_id=owner,
                        added=anchor - timedelta(days=rng.randint(30, 59)), folder_id=folders[0].id,
                        description="The first weeks' courses, in order.",
                        course_ids=[courses[i].id for i in indexes])
    world.content[track.id] = track
