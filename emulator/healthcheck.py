"""``python -m emulator.healthcheck``: exit 0 when the emulator on this machine answers, 1 otherwise.

The container image's ``HEALTHCHECK``: it asks ``GET /`` on loopback at ``LMS_EMULATOR_PORT`` (8080), over
HTTPS when ``LMS_EMULATOR_TLS`` is on (trusting the emulator's own authority), with the standard library only
so that it starts fast.
"""
from __future__ import annotations

import ssl
import sys
import urllib.request

from .config import ENV_PREFIX, SettingsError, check, tls_dir
from .core.env import variable


def main() -> int:
    try:
        port = check("port", variable("port") or "8080", ENV_PREFIX + "PORT")
        tls = check("tls", variable("tls") or "0", ENV_PREFIX + "TLS")
    except SettingsError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    context = ssl.create_default_context(cafile=str(tls_dir() / "ca.pem")) if tls else None
    url = f"{'https' if tls else 'http'}://localhost:{port}/"
    try:
        with urllib.request.urlopen(url, timeout=5, context=context) as answer:  # noqa: S310 - loopback only
            return 0 if answer.status == 200 else 1
    except (OSError, ValueError) as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
