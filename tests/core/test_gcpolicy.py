"""The GC policy: off in a test process; in a server, the start-up world and every new one are frozen."""
from __future__ import annotations

import subprocess
import sys

from emulator.core import gcpolicy

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
