"""gunicorn settings used by the Procfile (``gunicorn -c python:emulator.gunicorn_conf``)."""
from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """The app and its default world are built: keep them out of the collector's full scans."""
    from emulator.core import gcpolicy

    gcpolicy.enable()
