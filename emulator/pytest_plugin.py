"""The pytest plugin (entry point ``pytest11``): fixtures ``lms_emulator`` and ``lms_tenant``.

``lms_emulator`` is one live server per test session (so one per pytest-xdist worker);
``lms_tenant`` is a fresh isolated tenant per test, removed afterwards. Pin the worlds in your ini file
(``lms_emulator_seed``, ``lms_emulator_anchor``) or per test::

    @pytest.mark.lms_tenant(seed=7, anchor="2030-01-01T00:00:00Z", fixture="learner-mid-course")
    def test_snapshot(lms_tenant): ...

A world the size of a real portal (``lms_emulator_users = 10000`` for every tenant, or per test)::

    @pytest.mark.lms_tenant(users=10000)
    def test_full_sync(lms_tenant): ...

A call the emulator does not emulate gets a stub (``lms_tenant.stub(...)`` or the marker)::

    @pytest.mark.lms_stub("GET", "/absorb/certificates/*", json={"id": "c1"})
    def test_certificates(lms_tenant): ...

``lms_emulator_tls = true`` (or ``--lms-emulator-tls``) serves HTTPS (``serve --tls``); the tenant's sessions
trust the emulator's certificate authority. Faker, a dependency of the emulator, ships a pytest plugin of its
own (a ``faker`` fixture) that would load in every suite that installs lms-emulator: it is left out unless the
suite asks for it (``-p faker``).
"""
from __future__ import annotations

from typing import Any
from collections.abc import Iterator

import pytest

from .testing import EmulatorProcess, EmulatorServer, Tenant, _Live

FAKER_PLUGIN = "faker"  # Faker's pytest11 entry point name


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """As this plugin registers: block Faker's plugin when it has not loaded yet (entry points load in no set
    order; ``pytest_configure`` takes it out otherwise). One named with ``-p faker`` loads before either."""
    if not pluginmanager.has_plugin(FAKER_PLUGIN):
        pluginmanager.set_blocked(FAKER_PLUGIN)


def _forget_plugin(manager: pytest.PytestPluginManager, plugin: object) -> None:
    """Unregister ``plugin`` loaded before this one, and drop its registration from the replayed history
    pytest's fixture manager reads at session start (``pytest_plugin_registered`` is a historic hook: without
    this its fixtures would still be found). pluggy keeps that history in ``_call_history``; where a later
    pluggy keeps it elsewhere, the plugin is unregistered all the same."""
    manager.unregister(plugin, FAKER_PLUGIN)
    manager.set_blocked(FAKER_PLUGIN)
    history = getattr(manager.hook.pytest_plugin_registered, "_call_history", None)
    if isinstance(history, list):
        history[:] = [call for call in history if call[0].get("plugin") is not plugin]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("lms_emulator_seed", "seed of the lms_emulator server's worlds (default 42)", default=None)
    parser.addini("lms_emulator_anchor", "ISO 8601 instant the seeded dates of every tenant hang off, so the "
                  "worlds are the same on any day (default: each tenant's creation day)", default=None)
    parser.addini("lms_emulator_users", "grow every tenant's seeded world to this many users (20-100000; "
                  "default: the 56-user world)", default=None)
    parser.addini("lms_emulator_tls", "serve the lms_emulator server over HTTPS (serve --tls)", type="bool",
                  default=False)
    parser.addoption("--lms-emulator-tls", action="store_true", default=False,
                     help="lms_emulator: serve HTTPS with the emulator's own certificate authority (serve --tls)")
    parser.addoption("--lms-emulator-live", choices=("process", "thread"), default="process",
                     help="lms_emulator: 'lms-emulator serve' (granian) in a child process (default), or "
                          "Werkzeug in a thread of the test process")


def pytest_configure(config: pytest.Config) -> None:
    asked = [str(arg) for arg in (getattr(config.option, "plugins", None) or [])]
    faker = config.pluginmanager.get_plugin(FAKER_PLUGIN)
    if faker is not None and FAKER_PLUGIN not in asked:
        _forget_plugin(config.pluginmanager, faker)
    config.addinivalue_line("markers", "lms_tenant(**fields): create this test's lms_tenant with these "
                            "POST /_emulator/tenants fields (seed, anchor, fixture, id, users)")
    config.addinivalue_line("markers", "lms_stub(method, path, **answer): give this test's lms_tenant a stub for a "
                            "call the emulator does not emulate (status, json, text, content_type, headers, "
                            "delay_ms; as Tenant.stub); repeatable")


@pytest.fixture(scope="session")
def lms_emulator(pytestconfig: pytest.Config) -> Iterator[_Live]:
    """A live emulator on a free port for the whole test session (one per xdist worker).

    By default ``lms-emulator serve`` in a child process (``EmulatorProcess``): a test's sequence of calls
    ran 1.4x faster than on Werkzeug in a thread of the test process with one test process, and 0.9x with
    two test processes on two cores (``bench/bench_suite.py``); ``--lms-emulator-live thread`` picks the
    thread (``EmulatorServer``, which also gives the test the ``app`` and ``store``)."""
    settings: dict[str, Any] = {}
    for name in ("seed", "anchor", "users"):
        value = pytestconfig.getini(f"lms_emulator_{name}")
        if value:
            settings[name] = value
    live = pytestconfig.getoption("--lms-emulator-live", default="process")
    tls = bool(pytestconfig.getoption("--lms-emulator-tls", default=False) or pytestconfig.getini("lms_emulator_tls"))
    if tls and live == "thread":
        raise pytest.UsageError("lms_emulator: --lms-emulator-tls needs the default live server (process)")
    with (EmulatorServer(settings) if live == "thread" else EmulatorProcess(settings, tls=tls)) as server:
        yield server


@pytest.fixture
def lms_tenant(request: pytest.FixtureRequest, lms_emulator: _Live) -> Iterator[Tenant]:
    """A fresh isolated tenant for one test (``@pytest.mark.lms_tenant(...)`` fields), deleted afterwards."""
    marker = request.node.get_closest_marker("lms_tenant")
    tenant = lms_emulator.create_tenant(**(marker.kwargs if marker else {}))
    for stub in request.node.iter_markers("lms_stub"):
        tenant.stub(*stub.args, **stub.kwargs)
    yield tenant
    tenant.delete()
