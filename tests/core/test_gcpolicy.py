"""The GC policy: off in a test process; in a server, the start-up world and every new one are frozen."""
from __future__ import annotations

import dataclasses
import gc
import subprocess
import sys
import threading

from emulator.app import all_vendors
from emulator.core import gcpolicy
from emulator.core.store import Store

CHILD = r"""
import gc
from emulator.app import create_app
from emulator.core import gcpolicy
app = create_app({"seed": 42})
store = app.state.store
assert gc.get_freeze_count() == 0
gcpolicy.enable()
after_start = gc.get_freeze_count()
assert after_start > 10000, after_start  # modules, schemas and the default world are frozen
store.create_tenant("second")
after_tenant = gc.get_freeze_count()
assert after_tenant > after_start + 1000, (after_start, after_tenant)  # and the new tenant's worlds
gc.unfreeze()
full = gc.collect()
print("ok", after_start, after_tenant)
"""


def test_not_enabled_in_a_test_process():
    assert not gcpolicy.enabled()


def test_a_server_freezes_its_worlds():
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok")


def test_the_collector_is_off_while_worlds_are_built_and_back_after():
    seen = []

    def spying(vendor):
        def build_world(ctx):
            seen.append(gc.isenabled())
            return vendor.build_world(ctx)
        return dataclasses.replace(vendor, build_world=build_world)

    store = Store([spying(v) for v in all_vendors()], seed=1)
    assert gc.isenabled()
    store.create_tenant("t")
    assert seen == [False, False, False] and gc.isenabled()
    try:
        # nested and overlapping builds: back on only when the last one ends, and only if it was on before
        with gcpolicy.paused():
            thread = threading.Thread(target=store.create_tenant, args=("u",))
            thread.start()
            thread.join()
            assert not gc.isenabled() and seen[3:] == [False, False, False]
        assert gc.isenabled()
        gc.disable()
        with gcpolicy.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
