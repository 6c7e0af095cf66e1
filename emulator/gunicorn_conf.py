"""gunicorn settings used by the Procfile (``gunicorn -c python:emulator.gunicorn_conf``)."""
from __future__ import annotations

import os
import sys
from typing import Any

# gthread whose event loop reads each request whole before a thread takes it: slow or idle clients
# cannot hold the threads (see emulator.gunicorn_worker and bench/bench_slowclients.py).
worker_class = "emulator.gunicorn_worker.BufferingThreadWorker"
# gunicorn's parser reads request lines of any length: the worker refuses those over its REQUEST_LINE_LIMIT
# (64 KiB) with 414 in the vendor's shape. gunicorn's own maximum, 8,190 bytes, refused a valid 1,414-character
# _filter once percent-encoded, which granian accepts (issue 31).
limit_request_line = 0
# No control socket: `gunicornc worker add 1` would start a second worker holding tenants of its own
# (every tenant lives in the one worker's memory), and two servers in one home directory would share its path.
control_socket_disable = True


def on_starting(server: Any) -> None:
    """Check the LMS_EMULATOR_* settings before any worker starts: a bad one is one clear line and exit status 2,
    as ``lms-emulator serve`` gives, not a worker's traceback and gunicorn's exit status 3."""
    # in the hooks: gunicorn execs this file in its master to read the settings above; the emulator loads in the
    # hooks that use it
    from emulator.config import Settings, SettingsError

    try:
        Settings.load()
    except SettingsError as exc:
        print(f"lms-emulator: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None


def post_fork(server: Any, worker: Any) -> None:
    """Before the app is built: it learns the address gunicorn binds (its Host check depends on it), and whether
    to log requests."""
    bind = (worker.cfg.bind or [""])[0]
    if bind and not bind.startswith(("unix:", "fd://")):
        host = bind.rsplit(":", 1)[0] if bind.count(":") == 1 or bind.startswith("[") else bind
        os.environ.setdefault("LMS_EMULATOR_HOST", host.strip("[]"))
    # the request log's default, as `lms-emulator serve` decides it: on when the output is not a terminal
    os.environ.setdefault("LMS_EMULATOR_LOG_REQUESTS", "0" if sys.stdout.isatty() else "1")


def post_worker_init(worker: Any) -> None:
    """The app and its default world are built: keep them out of the collector's full scans, and print the
    start-up output (``emulator.startup``) once, from the first worker, as ``lms-emulator serve`` does."""
    from emulator.core import gcpolicy  # in the hook: see on_starting

    gcpolicy.enable()
    if getattr(worker, "age", 1) == 1:  # the first worker spawned; later ones (restarts, more workers) stay quiet
        from emulator import startup  # in the hook: see on_starting

        startup.print_from_gunicorn(worker)
