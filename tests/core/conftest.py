"""Fixtures of the core tests."""
from __future__ import annotations

import pytest

from emulator.core.odata import compiler, parser, sorting


@pytest.fixture(scope="session", autouse=True)
def _fresh_odata_caches():
    """Start each session with empty filter, sort and parser caches. Mutation testing (``make mutation``)
    runs every mutant's tests in a process forked from one that ran them all once already: without this
    a cached compiled filter would answer for the mutated compiler, and no test could notice the mutant."""
    for cached in (compiler._compile_cached, sorting.parse_sort, parser._parser):
        cached.cache_clear()
