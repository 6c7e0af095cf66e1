"""``lms-emulator serve | openapi``."""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from .config import Settings


def _banner(app: Any, settings: Settings, started: float) -> str:
    store = app.extensions["lms_emulator"]["store"]
    base = f"http://{settings.host}:{settings.port}"
    lines = [f"lms-emulator listening on {base} (ready in {time.perf_counter() - started:.2f}s)"]
    tenant = store.tenants.get("default")
    if tenant is not None:
        lines.append("Default tenant credentials:")
        for name, world in tenant.worlds.items():
            lines.append(f"  {name} ({base}/{name}): " + json.dumps(world.credentials()))
    if store.rate_limited:
        lines.append("Rate limit on for: " + ", ".join(store.rate_limited))
    lines.append(f"Admin API: {base}/_emulator/" + (" (admin token required)" if settings.admin_token else ""))
    return "\n".join(lines)


def serve(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    from werkzeug.serving import make_server

    from .app import create_app

    settings = Settings.load({"host": args.host, "port": args.port, "seed": args.seed,
                              "admin_token": args.admin_token, "state_file": args.state_file,
                              "fixtures": args.fixtures, "strict": args.strict or None,
                              "cors_origins": args.cors_origins, "rate_limit": args.rate_limit})
    try:
        app = create_app(settings)
    except ValueError as exc:  # a setting that names nothing real: say which, no traceback
        print(f"lms-emulator: {exc}", file=sys.stderr)
        return 2
    from .core import gcpolicy

    gcpolicy.enable()  # the default world stays out of the collector's full scans (see core.gcpolicy)
    server = make_server(settings.host, settings.port, app, threaded=True)
    print(_banner(app, settings, started), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def openapi(args: argparse.Namespace) -> int:
    from .core.openapi import build_document
    from .app import create_app

    app = create_app({"default_tenant": False})
    json.dump(build_document(app, args.vendor), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lms-emulator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="serve every vendor under its prefix")
    p.add_argument("--host", default=None, help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default 8080)")
    p.add_argument("--seed", type=int, default=None, help="seed of the generated worlds (default 42)")
    p.add_argument("--admin-token", default=None, help="require this token on the admin API (/_emulator)")
    p.add_argument("--state-file", default=None, help="keep all tenants in this file across restarts")
    p.add_argument("--fixtures", default=None, help="load a fixture file (or directory) into the default tenant")
    p.add_argument("--strict", action="store_true", help="validate every request and response against the contract")
    p.add_argument("--cors-origins", default=None, help="'*' (default), a comma-separated list, or '' for no CORS")
    p.add_argument("--rate-limit", default=None, metavar="VENDORS",
                   help="give every tenant the vendor's documented rate limit ('absorb': 200/s plus a burst of 100)")
    p.set_defaults(func=serve)
    o = sub.add_parser("openapi", help="print a vendor's OpenAPI 3.1 document")
    o.add_argument("vendor", choices=["absorb", "ispring", "pearson"])
    o.set_defaults(func=openapi)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
