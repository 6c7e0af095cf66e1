"""Routes of resources and resource categories (the vendor's Resources pages): the catalogue's, a course's, and the
caller's own (``enrollments/my-resources``). Thin handlers; the rules are ``catalogue``'s. Paged, ordered by id,
readable with a learner's token too.
"""
from __future__ import annotations

from datetime import datetime

from flask import Response, jsonify

from emulator.absorb.domain import catalogue
from emulator.absorb.wire.catalogue import RESOURCE, RESOURCE_CATEGORIES, RESOURCE_CATEGORY, RESOURCES
from emulator.absorb.domain.lookups import get_course
from emulator.absorb.domain.models import AbsorbWorld, User
from emulator.absorb.http.routes import LEGACY_LIST, NESTED_LIST_ERRORS, Listing, legacy_listing, read, read_list


@read_list("/resources", "List resources. Default order: id.", "resource-page", query=LEGACY_LIST, admin=False)
def list_resources(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(list(catalogue.catalogue_of(world).resources.values()), RESOURCES, RESOURCE.dump, "resources")


@read("/resources/<guid:resource_id>", "Get a resource", "resource", admin=False)
def get_resource(resource_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(RESOURCE.dump(catalogue.get_resource(world, resource_id)))


@read_list("/courses/<guid:course_id>/resources", "List a course's resources. Default order: id.",
           "resource-page", query=LEGACY_LIST, errors=NESTED_LIST_ERRORS, admin=False)
def list_course_resources(course_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(catalogue.course_resources(world, get_course(world, course_id)), RESOURCES, RESOURCE.dump,
                    "resources")


@read_list("/enrollments/my-resources",
           "List the currently authenticated user's resources: the global ones and their courses'. "
            "Default order: id.",
           "resource-page", query=LEGACY_LIST, admin=False)
def list_my_resources(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    return legacy_listing(catalogue.my_resources(world, user), RESOURCES, RESOURCE.dump, "resources")


@read_list("/resource-categories", "List resource categories. Default order: id.",
           "resource-category-page", query=LEGACY_LIST, admin=False)
def list_resource_categories(*, world: AbsorbWorld, now: datetime, user: User) -> Listing:
    categories = list(catalogue.catalogue_of(world).resource_categories.values())
    return legacy_listing(categories, RESOURCE_CATEGORIES, RESOURCE_CATEGORY.dump, "resourceCategories")


@read("/resource-categories/<guid:resource_category_id>", "Get a resource category",
      "resource-category", admin=False)
def get_resource_category(resource_category_id: str, *, world: AbsorbWorld, now: datetime, user: User) -> Response:
    return jsonify(RESOURCE_CATEGORY.dump(catalogue.get_resource_category(world, resource_category_id)))
