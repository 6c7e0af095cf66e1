"""Keep the worlds out of the cyclic garbage collector's full scans, in a server process.

A server process holds ~43,000 long-lived objects the collector tracks once the app is up (modules,
schemas, the default world; each further tenant adds ~2,500). CPython's full collection walks all of
them: 7-10 ms when idle, 25 ms measured under load, while every request in flight waits; under
``make bench`` those pauses were the emulator's p99.
``gc.freeze()`` moves the objects alive now to a permanent generation the collector never scans
(reference counting still frees them when a tenant is deleted or reset).

Only a server opts in (``enable``: the gunicorn hook in ``emulator.gunicorn_conf`` and ``lms-emulator
serve``); a test process that builds an app per test must not, or every test's garbage would stay.
While worlds are built, in any process, the collector does not run at all (``building``): a build makes
millions of objects and no garbage cycles, and CPython 3.11 otherwise walks the growing heap again and again as
they are promoted (an iSpring world of 50,000 users: 4.1 s of CPU with the collector, 2.0 s without).

Once enabled, young garbage is collected when a build begins (``gc.collect(1)``, about a millisecond: the
young generations are small then), and the store calls ``settle`` when the tenant's worlds are built, before
the collector is back on: ``gc.freeze()`` moves them to the permanent generation without a scan (collecting
after the build instead walked every new object once: 0.5 s for iSpring's and Pearson's worlds of 50,000
users, found nothing). A build makes no garbage in cycles (none found after seeded, sized and fixture
builds); what else is alive at the freeze (requests in flight) is frozen too and freed by reference counting
as usual; only garbage in a reference cycle made by a request during a build would stay, and none was found
under gunicorn or ``lms-emulator serve`` (a review drove 60 fixture loads: +1 MB). Worlds and tenants hold no
cycles, so deleting or resetting a tenant frees it.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_state = {"enabled": False}  # process-wide, like the collector it steers
_builds = {"running": 0, "resume": False}  # builds under way (threads may build at once); re-enable after them?
_builds_lock = threading.Lock()


def enable() -> None:
    """Freeze what the start-up built: the app, its modules and its worlds. No collection first (Python's
    own recipe for servers): a full one found nothing unreachable at start-up and cost 15 ms of it."""
    gc.freeze()
    _state["enabled"] = True


def settle() -> None:
    """New worlds were built (inside ``building``): freeze them too (a no-op unless ``enable`` was called)."""
    if _state["enabled"]:
        gc.freeze()


@contextmanager
def building() -> Iterator[None]:
    """No automatic collection while this (and any other) build runs; the collector is switched back on when
    the last build ends, if it was on when the first began (a process that switched it off keeps it off)."""
    with _builds_lock:
        if not _builds["running"]:
            _builds["resume"] = gc.isenabled()
            gc.disable()
            if _state["enabled"]:
                gc.collect(1)  # the young garbage, not frozen by ``settle``
        _builds["running"] += 1
    try:
        yield
    finally:
        with _builds_lock:
            _builds["running"] -= 1
            if not _builds["running"] and _builds["resume"]:
                gc.enable()


def enabled() -> bool:
    return _state["enabled"]
