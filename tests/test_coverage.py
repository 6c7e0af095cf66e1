"""docs/COVERAGE.md is generated (``make coverage``) from docs/operations/*.txt and the routes, and kept current."""
from __future__ import annotations

from pathlib import Path

import pytest

from emulator import coverage
from emulator.app import create_app


@pytest.fixture(scope="module")
def app():
    return create_app({"default_tenant": False})


def test_docs_coverage_md_is_current(app):
    expected = coverage.render(app)
    current = coverage.PAGE.read_text(encoding="utf-8") if coverage.PAGE.exists() else ""
    assert current == expected, "docs/COVERAGE.md is stale: run `make coverage` and commit docs/COVERAGE.md"


@pytest.mark.parametrize("vendor", coverage.VENDOR_ORDER)
def test_each_vendor_lists_its_operations_once(vendor):
    ops = coverage.read_operations(vendor)
    assert ops, vendor
    keys = [(op.method, op.path) for op in ops]
    assert len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]


def test_an_operation_is_served_where_a_route_answers_its_method(app, tmp_path: Path):
    (tmp_path / "absorb.txt").write_text("# test\n## Users\nGET /Users/{userId}  Get user\nDELETE /users/{userId}  "
                                         "Delete user\n## Badges\nGET /badges  List badges (a path no vendor serves)\n")
    page = coverage.render(app, tmp_path)
    assert "| `GET /Users/{userId}` | Get user | [`get_user`](../emulator/absorb/http/routes.py) |" in page  # any case
    assert "| `DELETE /users/{userId}` | Delete user | not served |" in page
    assert "| [Absorb LMS Integration API v2](#absorb) | 3 | 1 (33%) | 2 |" in page
    assert "served, but in no list above" in page and "`POST /authenticate`" in page  # the routes it did not name


def test_a_bad_line_names_file_and_line(tmp_path: Path):
    (tmp_path / "absorb.txt").write_text("## Users\nFETCH /users  nope\n")
    with pytest.raises(coverage.OperationsError, match="absorb.txt:2"):
        coverage.read_operations("absorb", tmp_path)


def test_check_fails_with_the_command_to_run(monkeypatch, tmp_path: Path, capsys):
    monkeypatch.setattr(coverage, "PAGE", tmp_path / "COVERAGE.md")
    assert coverage.main(["--check"]) == 1
    assert "run `make coverage`" in capsys.readouterr().err
