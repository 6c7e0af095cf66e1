"""The app's rules compile their URL builders on first use (``app.EmulatorRule``): what they build is what
werkzeug's own rules build, and the app routes by them as before."""
from __future__ import annotations

from flask import url_for
from werkzeug.routing import Map, Rule

from emulator.app import EmulatorRule, create_app


def _built(rule_class: type[Rule]) -> list[str]:
    url_map = Map([rule_class("/absorb/users/<user_id>/enrollments", endpoint="enrollments"),
                   rule_class("/pages/<int:page>", endpoint="page", defaults={"size": 20}),
                   rule_class("/pages/<int:page>/<int:size>", endpoint="page")])
    adapter = url_map.bind("localhost")
    return [adapter.build("enrollments", {"user_id": "a b/c"}),
            adapter.build("enrollments", {"user_id": "u1", "_limit": "5"}),  # unknown values: a query string
            adapter.build("page", {"page": 3}), adapter.build("page", {"page": 3, "size": 50}),
            adapter.build("enrollments", {"user_id": "u2"}, force_external=True)]


def test_a_lazy_rule_builds_what_werkzeugs_rule_builds():
    assert _built(EmulatorRule) == _built(Rule) == [
        "/absorb/users/a%20b/c/enrollments", "/absorb/users/u1/enrollments?_limit=5", "/pages/3", "/pages/3/50",
        "http://localhost/absorb/users/u2/enrollments"]


def test_the_app_routes_and_builds_with_the_lazy_rule():
    app = create_app({"default_tenant": False})
    assert {type(rule) for rule in app.url_map.iter_rules()} == {EmulatorRule}
    with app.test_request_context():
        assert url_for("index") == "/"
        assert url_for("openapi_document", vendor_name="absorb") == "/absorb/openapi.json"
    assert app.test_client().get("/absorb/openapi.json").status_code == 200
