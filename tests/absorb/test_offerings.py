"""Issue 29 (second half): course bundles, coupons, e-commerce transactions, enrollment keys, the for-sale lists,
custom-field and competency definitions, question banks, self-assessments, external training,
``POST /create-department``, and the catalogue's availability by department and group (my-catalog and
self-enrollment). Every answer is validated against its schema by ``AbsorbApi``."""
from __future__ import annotations

from typing import Any

import pytest

from emulator.absorb.availability import Availability
from emulator.app import create_app
from tests.vendor_api import AbsorbApi

GUID = "00000000-0000-4000-8000-000000000001"

LISTS = (("/course-bundles", "course-bundle", "courseBundles", "commerce", "course_bundles"),
         ("/coupons", "coupon", "coupons", "commerce", "coupons"),
         ("/e-commerce/transactions", "transaction", "transactions", "commerce", "transactions"),
         ("/enrollment-keys", "enrollment-key", "enrollmentKeys", "commerce", "enrollment_keys"),
         ("/question-banks", "question-bank", "questionBanks", "definitions", "question_banks"),
         ("/external-training/templates", "external-training-template", "templates", "definitions",
          "external_training_templates"),
         ("/external-training/submissions", "external-training-submission", "submissions", "definitions",
          "external_training_submissions"))


@pytest.mark.parametrize(("path", "schema", "key", "holder", "table"), LISTS, ids=[p[0] for p in LISTS])
def test_each_list_pages_and_each_item_reads_by_id(api: AbsorbApi, path: str, schema: str, key: str, holder: str,
                                                   table: str) -> None:
    stored = getattr(getattr(api.world, holder), table)
    listed = api.get(f"{path}?_limit=100", f"{schema}-page", status=200).body
    assert listed["totalItems"] == len(stored) > 0
    assert [i["id"] for i in listed[key]] == sorted(stored)
    one = api.get(f"{path}/{listed[key][0]['id'].upper()}", schema, status=200).body
    assert one == listed[key][0]
    api.get(f"{path}/{GUID}", status=404)
    api.get(f"{path}?limit=1", f"{schema}-page", status=200)
    api.get(f"{path}?_filter=nosuchfield eq 1", status=422)


def test_definitions_read_by_id_and_connect_to_courses(api: AbsorbApi) -> None:
    defs = api.world.definitions
    listed = api.get("/custom-field-definitions", "custom-field-definition-list", status=200).body
    assert {d["id"] for d in listed} == set(defs.custom_field_definitions)
    slots = {d["customField"] for d in listed}
    assert "String1" in slots and "Bool1" in slots  # the user's customFields slots
    api.get(f"/custom-field-definitions/{listed[0]['id']}", "custom-field-definition", status=200)
    api.get(f"/custom-field-definitions/{GUID}", status=404)
    named = {i for c in api.world.courses.values() for i in c.competency_definition_ids}
    assert named and named <= set(defs.competency_definitions)
    for competency_id in named:
        api.get(f"/competency-definitions/{competency_id}", "competency-definition", status=200)
    api.get(f"/competency-definitions/{GUID}", status=404)
    for assessment_id in defs.self_assessments:
        body = api.get(f"/self-assessments/{assessment_id}", "self-assessment", status=200).body
        assert {q["competencyDefinitionId"] for q in body["questions"]} <= set(defs.competency_definitions)
    api.get(f"/self-assessments/{GUID}", status=404)
    bank = api.get("/question-banks", "question-bank-page", status=200).body["questionBanks"][0]
    assert set(bank["courseIds"]) <= set(api.world.courses)


def test_for_sale_lists_are_the_priced_active_items_and_a_learner_reads_them(api: AbsorbApi,
                                                                             anon: AbsorbApi) -> None:
    world = api.world
    courses = api.get("/courses/for-sale?_limit=100", "course-page", status=200).body["courses"]
    assert {c["id"] for c in courses} == {c.id for c in world.courses.values() if c.prices and c.active_status == 0}
    assert courses and all(c["prices"] for c in courses)
    bundles = api.get("/course-bundles/for-sale", "course-bundle-page", status=200).body["courseBundles"]
    assert {b["id"] for b in bundles} == {b.id for b in world.commerce.course_bundles.values() if b.prices}
    assert len(bundles) < len(world.commerce.course_bundles)
    curricula = api.get("/curriculums/for-sale", "curriculum-page", status=200).body["curriculums"]
    assert [c["id"] for c in curricula] == [c.id for c in world.catalogue.curricula.values() if c.prices]
    assert curricula and curricula[0]["prices"]
    anon.login(api.learners()[0].username)
    before = anon.get("/courses/for-sale?_limit=100", "course-page", status=200).body["totalItems"]
    anon.get("/course-bundles/for-sale", "course-bundle-page", status=200)
    anon.get("/coupons", status=403)
    anon.get("/enrollment-keys", status=403)
    anon.post("/create-department", status=403, json={"name": "Nope"})
    assert before == len(courses)


def test_transactions_name_real_items_and_coupons_count_their_uses(api: AbsorbApi) -> None:
    shop = api.world.commerce
    for transaction in api.get("/e-commerce/transactions", "transaction-page", status=200).body["transactions"]:
        for line in transaction["transactionDetails"]:
            assert line["itemId"] in api.world.courses
        if transaction["couponCode"]:
            coupon = next(c for c in shop.coupons.values() if c.code == transaction["couponCode"])
            assert api.get(f"/coupons/{coupon.id}", "coupon", status=200).body["timesUsed"] >= 1
            assert transaction["total"] == round(transaction["subTotal"] - transaction["discount"], 2)
    statuses = {t.status for t in shop.transactions.values()}
    assert {"Approved", "Declined", "PendingApproval"} <= statuses
    multi = next(t for t in shop.transactions.values() if t.details[0].quantity > 1)
    key = next(k for k in shop.enrollment_keys.values() if k.external_id == multi.reference_number)
    assert key.max_uses == multi.details[0].quantity and key.courses[0].course_id == multi.details[0].item_id


def test_an_enrollment_carrying_a_key_counts_as_a_use(api: AbsorbApi) -> None:
    key_id = next(iter(api.world.commerce.enrollment_keys))
    before = api.get(f"/enrollment-keys/{key_id}", "enrollment-key", status=200).body["timesUsed"]
    listed = api.get("/enrollment-keys", "enrollment-key-page", status=200)  # a cached page, dropped by the write
    assert key_id in {k["id"] for k in listed.body["enrollmentKeys"]}
    learner = api.learners()[4]
    course = api.online_course(not_enrolled_by=learner.id)
    api.post(f"/users/{learner.id}/enrollments", status=201, json={"courseId": course.id, "enrollmentKeyId": key_id})
    after = api.get(f"/enrollment-keys/{key_id}", "enrollment-key", status=200).body["timesUsed"]
    assert after == before + 1
    paged = api.get("/enrollment-keys", "enrollment-key-page", status=200).body["enrollmentKeys"]
    assert next(k for k in paged if k["id"] == key_id)["timesUsed"] == after


# -- department writes ---------------------------------------------------------------------------------------

def test_create_department_shows_in_every_read(api: AbsorbApi) -> None:
    root = next(d for d in api.world.departments.values() if d.parent_id is None)
    listed = api.get("/departments?_limit=100", "department-page", status=200).body["totalItems"]
    made = api.post("/create-department", "department", status=201,
                    json={"Name": "Field Sales", "parentId": root.id.upper(), "externalId": "DEP-042",
                          "companyName": "Acme", "id": GUID}).body
    assert made["name"] == "Field Sales" and made["parentId"] == root.id and made["id"] != GUID
    assert made["externalId"] == "DEP-042" and made["companyName"] == "Acme"
    assert api.get(f"/departments/{made['id']}", "department", status=200).body == made
    again = api.get("/departments?_limit=100", "department-page", status=200).body
    assert again["totalItems"] == listed + 1
    assert api.get("/departments?externalId=DEP-042", "department-page", status=200).body["departments"] == [made]
    learner = api.learners()[5]
    moved = api.put(f"/users/{learner.id}", "user", status=200, json={"departmentId": made["id"]}).body
    assert moved["departmentId"] == made["id"]
    root_made = api.post("/create-department", "department", status=201, json={"name": "Subsidiary"}).body
    assert root_made["parentId"] is None


@pytest.mark.parametrize(("body", "status"), [
    ({}, 400), ({"name": ""}, 400), ({"name": 5}, 400), ({"name": "x", "parentId": "nope"}, 400),
    ({"name": "x", "parentId": GUID}, 422), ([], 400), ({"name": "x" * 256}, 400),
])
def test_create_department_refusals_lose_nothing(api: AbsorbApi, body: Any, status: int) -> None:
    before = len(api.world.departments)
    api.post("/create-department", status=status, json=body)
    assert len(api.world.departments) == before


# -- availability ------------------------------------------------------------------------------------------------

def _restricted(api: AbsorbApi) -> tuple[Any, Availability]:
    rule = next(r for r in api.world.availability.values() if r.department_ids and not r.include_sub_departments)
    return api.world.courses[rule.course_id], rule


def test_my_catalog_shows_only_what_is_available_to_the_learners_department(api: AbsorbApi,
                                                                            anon: AbsorbApi) -> None:
    world = api.world
    course, rule = _restricted(api)
    outsider = next(u for u in api.learners() if u.department_id not in rule.department_ids
                    and (u.id, course.id) not in world.active)
    anon.login(outsider.username)
    seen = {c["id"] for c in anon.get("/my-catalog?_limit=30", "course-page", status=200).body["courses"]}
    assert course.id not in seen
    refused = anon.post("/my-enrollments", status=422, json={"courseId": course.id}).body
    assert course.id in refused["validations"][0]
    anon.post(f"/enroll/{course.id}", status=422)
    # the admin moves the learner into the department: the course appears (through the page cache) and opens
    api.put(f"/users/{outsider.id}", "user", status=200, json={"departmentId": rule.department_ids[0]})
    seen = {c["id"] for c in anon.get("/my-catalog?_limit=30", "course-page", status=200).body["courses"]}
    assert course.id in seen
    anon.post("/my-enrollments", "my-enrollment-created", status=201, json={"courseId": course.id})


def test_a_rule_with_sub_departments_reaches_a_department_created_under_it(api: AbsorbApi, anon: AbsorbApi) -> None:
    world = api.world
    rule = next(r for r in world.availability.values() if r.include_sub_departments and r.department_ids)
    course = world.courses[rule.course_id]
    child = api.post("/create-department", "department", status=201,
                     json={"name": "Night Shift", "parentId": rule.department_ids[0]}).body
    learner = next(u for u in api.learners() if u.department_id not in rule.department_ids
                   and (u.id, course.id) not in world.active)
    anon.login(learner.username)
    assert course.id not in {c["id"] for c in anon.get("/my-catalog", "course-page", status=200).body["courses"]}
    api.put(f"/users/{learner.id}", "user", status=200, json={"departmentId": child["id"]})
    assert course.id in {c["id"] for c in anon.get("/my-catalog", "course-page", status=200).body["courses"]}


def test_a_group_rule_opens_the_course_to_the_groups_members(api: AbsorbApi, anon: AbsorbApi) -> None:
    world = api.world
    group = next(g for g in world.reference.groups.values() if not g.is_automatic and g.member_ids)
    course = api.online_course()
    world.availability[course.id] = Availability(course.id, group_ids=[group.id])
    world.changed(course)
    member = world.users[group.member_ids[0]]
    other = next(u for u in api.learners() if u.id not in group.member_ids and (u.id, course.id) not in world.active)
    anon.login(member.username)
    assert course.id in {c["id"] for c in anon.get("/my-catalog", "course-page", status=200).body["courses"]}
    anon.login(other.username)
    assert course.id not in {c["id"] for c in anon.get("/my-catalog", "course-page", status=200).body["courses"]}
    # an administrator's enrollment is not held to availability
    api.post(f"/users/{other.id}/enrollments", status=201, json={"courseId": course.id})


def test_unrestricted_courses_stay_open_to_everyone(api: AbsorbApi, anon: AbsorbApi) -> None:
    world = api.world
    anon.login(api.learners()[0].username)
    seen = {c["id"] for c in anon.get("/my-catalog?_limit=30", "course-page", status=200).body["courses"]}
    open_courses = {c.id for c in world.courses.values() if c.active_status == 0 and c.id not in world.availability}
    assert open_courses <= seen


def test_the_dashboard_counts_the_new_entities_and_a_created_department(api: AbsorbApi) -> None:
    client = api.client
    counts = client.get("/_emulator/tenants/default").get_json()["counts"]["absorb"]
    shop, defs = api.world.commerce, api.world.definitions
    assert counts["courseBundles"] == len(shop.course_bundles) and counts["coupons"] == len(shop.coupons)
    assert counts["transactions"] == len(shop.transactions) and counts["enrollmentKeys"] == len(shop.enrollment_keys)
    assert counts["customFieldDefinitions"] == len(defs.custom_field_definitions)
    assert counts["externalTrainingSubmissions"] == len(defs.external_training_submissions)
    assert counts["restrictedCourses"] == len(api.world.availability) > 0
    before = counts["departments"]
    api.post("/create-department", "department", status=201, json={"name": "Counted"})
    assert client.get("/_emulator/tenants/default").get_json()["counts"]["absorb"]["departments"] == before + 1


def test_a_created_department_availability_and_the_shop_survive_a_restart(tmp_path: Any) -> None:
    state = tmp_path / "state.bin"
    client = create_app({"state_file": str(state)}).test_client()
    info = client.post("/_emulator/tenants", json={"id": "shop", "seed": 5}).get_json()
    api = AbsorbApi.of_info(client, info).login()
    made = api.post("/create-department", "department", status=201, json={"name": "Kept"}).body
    keys = api.get("/enrollment-keys", "enrollment-key-page", status=200).body
    bundles = api.get("/course-bundles", "course-bundle-page", status=200).body
    again = AbsorbApi.of_info(create_app({"state_file": str(state)}).test_client(), info)
    again.headers = dict(api.headers)
    assert again.get(f"/departments/{made['id']}", "department", status=200).body == made
    assert again.get("/enrollment-keys", "enrollment-key-page", status=200).body == keys
    assert again.get("/course-bundles", "course-bundle-page", status=200).body == bundles
    world = again.client.application.state.store.tenants["shop"].world("absorb")
    assert world.availability and all(isinstance(r, Availability) for r in world.availability.values())


def test_a_fixture_course_available_to_a_department_and_its_sub_departments(client: Any) -> None:
    fixture = {"name": "availability", "absorb": {
        "departments": [{"name": "Head Office"}, {"name": "Sales", "parentId": "Head Office"},
                        {"name": "Field", "parentId": "Sales"}, {"name": "Finance", "parentId": "Head Office"}],
        "users": [{"username": "boss", "password": "pw", "admin": True},
                  {"username": "sam", "password": "pw", "departmentId": "Field"},
                  {"username": "fin", "password": "pw", "departmentId": "Finance"}],
        "courses": [{"name": "Open", "chapters": [{"name": "C", "lessons": [{"name": "A"}]}]},
                    {"name": "Sales Only", "availableTo": {"departmentIds": ["Sales"]},
                     "chapters": [{"name": "C", "lessons": [{"name": "A"}]}]},
                    {"name": "Sales Proper", "availableTo": {"departmentIds": ["Sales"],
                                                             "includeSubDepartments": False},
                     "chapters": [{"name": "C", "lessons": [{"name": "A"}]}]}]}}
    info = client.post("/_emulator/tenants", json={"fixture": fixture}).get_json()
    counts = client.get(f"/_emulator/tenants/{info['id']}").get_json()["counts"]["absorb"]
    assert counts["restrictedCourses"] == 2

    def catalog(username: str) -> set[str]:
        api = AbsorbApi.of_info(client, info).login(username, "pw")
        return {c["name"] for c in api.get("/my-catalog", "course-page", status=200).body["courses"]}

    assert catalog("sam") == {"Open", "Sales Only"}
    assert catalog("fin") == {"Open"}
    bad = {"name": "bad", "absorb": {**fixture["absorb"], "courses": [
        {"name": "X", "availableTo": {"departmentIds": ["Nowhere"]}, "chapters": [{"name": "C", "lessons": [
            {"name": "A"}]}]}]}}
    refused = client.post("/_emulator/tenants", json={"fixture": bad})
    assert refused.status_code == 400 and "availableTo.departmentIds[0]" in refused.get_data(as_text=True)
