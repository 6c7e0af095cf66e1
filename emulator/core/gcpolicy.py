"""Keep the worlds out of the cyclic garbage collector's full scans, in a server process.

A server process holds ~43,000 long-lived objects the collector tracks once the app is up (modules,
schemas, the default world; each further tenant adds ~2,500). CPython's full collection walks all of
them: 7-10 ms when idle, 25 ms measured under load, while every request in flight waits; under
``make bench`` those pauses were the emulator's p99.
``gc.freeze()`` moves the objects alive now to a permanent generation the collector never scans
(reference counting still frees them when a tenant is deleted or reset).

Only a server opts in (``enable``: the gunicorn hook in ``emulator.gunicorn_conf`` and ``lms-emulator
serve``); a test process that builds an app per test must not, or every test's garbage would stay.
While worlds are built, in any process, the collector does not run at all (``paused``).

Once enabled, young garbage is collected when a build begins (``gc.collect(1)``, about a millisecond: the
young generations are small then), and the store calls ``settle`` when the tenant's worlds are built, before
the collector is back on: ``gc.freeze()`` moves them to the permanent generation without a scan (collecting
after the build instead walked every new object once: 0.5 s for iSpring's and Pearson's worlds of 50,000
users, and found nothing). A build makes no garbage in cycles (none found after seeded, sized and fixture
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
_building = {"depth": 0, "was_on": False}  # builds under way (``paused``), and the collector's state before them
_building_lock = threading.Lock()


def enable() -> None:
    """Freeze what the start-up built: the app, its modules and its worlds. No collection first (Python's
    own recipe for servers): a full one found nothing unreachable at start-up and cost 15 ms of it."""
    gc.freeze()
    _state["enabled"] = True


def disable() -> None:
    """Undo ``enable``: a start that stopped (a bad setting, fixture or state file) leaves the process as it was,
    which matters when the CLI runs inside another program (the tests call ``cli.main`` in process)."""
    gc.unfreeze()
    _state["enabled"] = False


def settle() -> None:
    """New worlds were built (inside ``paused``): freeze them too (a no-op unless ``enable`` was called)."""
    if _state["enabled"]:
        gc.freeze()


def enabled() -> bool:
    return _state["enabled"]


@contextmanager
def paused() -> Iterator[None]:
    """Building worlds: the cyclic collector stays off meanwhile, in every process (tests too).

    A 50,000-user world is millions of new objects, and every full collection on the way walks all of them:
    11 full collections took 4 of the 16 s of CPU Absorb's world alone cost at 50,000 users (issue 32).
    Worlds hold no reference cycles, so there is nothing for the collector to find in them; other threads'
    garbage in a cycle waits until the build ends. Builds may nest or overlap (two tenants created at once):
    the collector comes back on when the last one ends, if it was on before the first began.
    """
    with _building_lock:
        if _building["depth"] == 0:
            _building["was_on"] = gc.isenabled()
            gc.disable()
            if _state["enabled"]:
                gc.collect(1)  # the young garbage, not frozen by ``settle``
        _building["depth"] += 1
    try:
        yield
    finally:
        with _building_lock:
            _building["depth"] -= 1
            if _building["depth"] == 0 and _building["was_on"]:
                gc.enable()
