"""gunicorn settings used by the Procfile (``gunicorn -c python:emulator.gunicorn_conf``)."""
from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """The app and its default world are built: keep them out of the collector's full scans, and print the
    start-up output (``emulator.startup``) once, from the first worker, as ``lms-emulator serve`` does."""
    from emulator.core import gcpolicy

    gcpolicy.enable()
    if getattr(worker, "age", 1) == 1:  # the first worker spawned; later ones (restarts, more workers) stay quiet
        from emulator import startup

        startup.print_from_gunicorn(worker)
