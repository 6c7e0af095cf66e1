"""Reference data: groups, roles, countries, provinces — lists, gets, paging, _filter, _sort, and consistency."""
from __future__ import annotations

import pytest

from emulator.absorb.domain.reference import fixed_id
from emulator.absorb.wire.schemas import dump_world
from emulator.app import create_app
from emulator.core.jsonstream import plain

LISTS = [("/groups", "group-page", "groups", "group"), ("/roles", "role-page", "roles", "role"),
         ("/countries", "country-page", "countries", "country")]


@pytest.mark.parametrize("path,schema,key,item", LISTS)
def test_each_list_pages_until_a_short_page_and_every_item_gets_by_id(api, path, schema, key, item):
    seen, offset = [], 0
    while True:
        page = api.get(f"{path}?_limit=4&_offset={offset}", schema, status=200).body
        seen += page[key]
        assert page["limit"] == 4 and page["offset"] == offset and page["returnedItems"] == len(page[key])
        if len(page[key]) < 4:
            break
        offset += 1
    assert len(seen) == page["totalItems"] > 0 and len({x["id"] for x in seen}) == len(seen)
    assert [x["id"] for x in seen] == sorted(x["id"] for x in seen)  # no documented default: by id
    for entry in seen[:3]:
        assert api.get(f"{path}/{entry['id']}", item, status=200).body == entry


@pytest.mark.parametrize("path,schema,key,item", LISTS)
def test_an_unknown_id_is_404_and_a_learner_is_refused(api, anon, path, schema, key, item):
    api.get(f"{path}/9a3b6f1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", status=404)
    learner = anon.login(anon.learners()[0].username)
    learner.get(path, status=403)


def test_filter_and_sort_like_every_absorb_list(api):
    found = api.get("/countries?_filter=countryCode eq 'CA' or startswith(name,'United')&_sort=-name",
                    "country-page", status=200).body
    assert [c["name"] for c in found["countries"]] == ["United States", "United Kingdom", "Canada"]
    roles = api.get("/roles?_sort=name", "role-page", status=200).body["roles"]
    assert [r["name"] for r in roles] == sorted(r["name"] for r in roles)
    manual = api.get("/groups?_filter=isAutomatic eq false", "group-page", status=200).body
    assert manual["totalItems"] == 5 and not any(g["isAutomatic"] for g in manual["groups"])
    api.get("/groups?_filter=userIds eq 'x'", status=422)
    api.get("/roles?_sort=colour", status=422)
    api.get("/countries?_limit=0", status=422)


def test_provinces_of_a_country_are_a_bare_array(api):
    canada = fixed_id("country", "CA")
    assert api.get(f"/countries/{canada}", "country", status=200).body["countryCode"] == "CA"
    provinces = api.get(f"/provinces?countryId={canada}", "province-list", status=200).body
    assert len(provinces) == 13 and "Ontario" in {p["name"] for p in provinces}  # every one: no page unless asked
    for p in provinces[:2]:
        assert api.get(f"/provinces/{p['id']}", "province", status=200).body == p
    paged = api.get(f"/provinces?countryId={canada}&_limit=5&_offset=2", "province-list", status=200).body
    assert paged == provinces[10:13]
    named = api.get(f"/provinces?countryId={canada}&_filter=startswith(name,'N')&_sort=-name", "province-list").body
    assert [p["name"] for p in named] == ["Nunavut", "Nova Scotia", "Northwest Territories",
                                          "Newfoundland and Labrador", "New Brunswick"]
    assert api.get(f"/provinces?countryId={fixed_id('country', 'FR')}", "province-list", status=200).body == []
    assert api.get("/provinces?countryId=9a3b6f1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "province-list").body == []
    api.get("/provinces?countryId=canada", status=400)


def test_groups_hold_real_users_and_automatic_groups_follow_their_rule(api):
    groups = api.get("/groups", "group-page", status=200).body["groups"]
    assert all(u in api.world.users for g in groups for u in g["userIds"])
    everyone = next(g for g in groups if g["name"] == "All Learners")
    assert everyone["isAutomatic"] and set(everyone["userIds"]) == {u.id for u in api.learners()}
    admins = next(g for g in groups if g["name"] == "Administrators")
    assert admins["userIds"] == [api.user_named("admin").id]


def test_same_seed_same_reference_data_and_countries_are_the_same_in_every_tenant():
    def reference(tenant_seed: int, tenant: str = "default") -> dict:
        store = create_app({"seed": tenant_seed}).state.store
        if tenant not in store.tenants:
            store.create_tenant(tenant)
        data = plain(dump_world(store.tenants[tenant].world("absorb")))
        return {k: data[k] for k in ("groups", "roles", "countries", "provinces")}

    first = reference(42)
    assert reference(42) == first
    other = reference(7, "elsewhere")
    assert other["countries"] == first["countries"] and other["provinces"] == first["provinces"]
    assert {r["id"] for r in other["roles"]}.isdisjoint(r["id"] for r in first["roles"])


def test_the_dashboard_counts_reference_data(client):
    counts = client.get("/_emulator/tenants/default").get_json()["counts"]["absorb"]
    assert counts["groups"] == 7 and counts["roles"] == 6 and counts["countries"] == 12 and counts["provinces"] == 90
