"""Serve any WSGI app the way ``lms-emulator serve`` serves the emulator: ``emulator.servers.run``.

    python bench/serve_app.py --server granian --port 8081 [--threads N] constant_app:create_app()

``bench/run.py`` runs the constant app with it, so that both apps meet the same server code and the same
GC policy. Prints one line when listening.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from emulator import servers  # noqa: E402
from emulator.core import gcpolicy  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", choices=servers.SERVERS, default="granian")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("app", help="module:factory() or module:attribute")
    args = parser.parse_args()
    module, _, attr = args.app.partition(":")
    target = getattr(importlib.import_module(module), attr.removesuffix("()"))
    app = target() if attr.endswith("()") else target
    gcpolicy.enable()
    with contextlib.suppress(KeyboardInterrupt):
        servers.run(app, args.server, args.host, args.port, args.threads,
                    on_ready=lambda port: print(f"{args.app} listening on http://{args.host}:{port}", flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
