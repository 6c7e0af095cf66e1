"""Fixtures every vendor's tests share: a fresh app (seed 42, default tenant) per test."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.core.env import VERIFY_ENV, switches
from emulator.core.store import Store, Tenant

# Every cached list page is recomputed and compared on each hit: a write that forgets to clear the
# page cache fails the test that reads the list next (servers started by the tests inherit this).
os.environ.setdefault(VERIFY_ENV, "1")

# Under CI (CI=true, set by .ci/run) a test that skips fails instead: what CI expects to run must run (the
# browser test included). Only these skips are by design (a hostile row made for the other server's own limit).
CI = os.environ.get("CI", "").lower() in ("true", "1")
EXPECTED_SKIPS = ("a limit of ",)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
        if not any(expected in reason for expected in EXPECTED_SKIPS):
            report.outcome = "failed"
            report.longrepr = f"skipped under CI=true, where it must run: {reason}"


@pytest.hookimpl(tryfirst=True)
def pytest_collectreport(report: pytest.CollectReport) -> None:
    """A module that skips as a whole (no Chromium, no playwright) fails under CI, as a skipped test does."""
    if CI and report.skipped:
        reason = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where it must run: {reason}"


Switch = Callable[[str, "str | None"], None]  # the ``switch`` fixture


@pytest.fixture(autouse=True)
def _switches_read_again() -> Iterator[None]:
    """Core reads its environment switches once per process (``core.env.switches``); a test that changed one
    (``switch``) leaves the next test a fresh reading, after monkeypatch has put the environment back."""
    yield
    switches.cache_clear()


@pytest.fixture
def switch(monkeypatch: pytest.MonkeyPatch) -> Switch:
    """``switch(VERIFY_ENV, "0")``: set one of core's environment switches for this test (None unsets it), and
    have the process read them again."""
    def set_switch(name: str, value: str | None) -> None:
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
        switches.cache_clear()
    return set_switch


@pytest.fixture
def app() -> Iterator[Flask]:
    made = create_app({"seed": 42})
    yield made
    if made.state.outbox is not None:  # a webhook sender started by the test ends with it
        made.state.outbox.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def store(app: Flask) -> Store:
    return app.state.store


@pytest.fixture
def tenant(store: Store) -> Tenant:
    return store.tenants["default"]




def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The image test (tests/test_image.py: minutes, mostly downloads and the image build) first, then the other
    slow tests, the fuzzing runs (the longest) leading: under ``-n 2`` they overlap the rest of the suite on the
    other worker instead of running alone at the end (``make test`` adds ``--dist worksteal``: an idle worker
    takes tests queued for the other)."""
    items.sort(key=lambda item: (item.get_closest_marker("image") is None, item.get_closest_marker("slow") is None,
                                 "test_fuzz.py" not in item.nodeid))
