"""The GC policy: off in a test process; in a server, the start-up world and every new one are frozen."""
from __future__ import annotations

import dataclasses
import gc
import subprocess
import sys

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


def test_no_collection_while_worlds_are_built():
    seen = []

    class Probe:  # a vendor's build, looking at the collector
        def __init__(self, vendor):
            self.vendor = vendor

        def __call__(self, ctx):
            seen.append(gc.isenabled())
            return self.vendor.build_world(ctx)

    vendors = [dataclasses.replace(v, build_world=Probe(v)) for v in all_vendors()]
    assert gc.isenabled()
    Store(vendors).create_tenant("t")
    assert seen == [False, False, False] and gc.isenabled()  # off for the build, on again after
    gc.disable()
    try:
        with gcpolicy.building(), gcpolicy.building():  # builds in two threads at once
            assert not gc.isenabled()
        assert not gc.isenabled()  # a process that had it off keeps it off
    finally:
        gc.enable()
    with gcpolicy.building():
        with gcpolicy.building():
            pass
        assert not gc.isenabled()  # on again only when the last build ends
    assert gc.isenabled()
