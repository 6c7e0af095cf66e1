"""The pytest plugin (entry point ``pytest11``): fixtures ``lms_emulator`` and ``lms_tenant``.

``lms_emulator`` is one live server per test session (so one per pytest-xdist worker);
``lms_tenant`` is a fresh isolated tenant per test, removed afterwards.
"""
from __future__ import annotations

from typing import Iterator

import pytest

from .testing import EmulatorServer, Tenant


@pytest.fixture(scope="session")
def lms_emulator() -> Iterator[EmulatorServer]:
    """A live emulator on a free port for the whole test session (one per xdist worker)."""
    with EmulatorServer() as server:
        yield server


@pytest.fixture
def lms_tenant(lms_emulator: EmulatorServer) -> Iterator[Tenant]:
    """A fresh isolated tenant for one test, deleted afterwards."""
    tenant = lms_emulator.create_tenant()
    yield tenant
    tenant.delete()
