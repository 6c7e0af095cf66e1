"""``lms-emulator serve | openapi`` (also ``python -m emulator``)."""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import textwrap
import time
from typing import Any

from . import servers, startup
from .version import __version__
from .config import ENV_PREFIX, Settings, SettingsError
from .record import options as record_options
from .core import gcpolicy

DESCRIPTION = textwrap.fill(
    "An offline emulator of the Absorb LMS Integration API v2, iSpring Learn and Pearson English Learning "
    "Services REST APIs: the vendors' paths, auth, errors and JSON shapes over real HTTP, against seeded, "
    "stateful, resettable data (one isolated tenant per test suite).", 100)
EXIT_CODES = """exit status:
  0  the command finished, or the server was stopped (Ctrl-C)
  1  the server could not start or keep running (e.g. the port is taken)
  2  a bad option, environment value or start-up file (one line on stderr says which)"""
# serve's options that are settings (the rest of Settings has no option): name -> help
SERVE_OPTIONS = {
    "host": "bind address",
    "port": "port (0 picks a free one; the start-up output shows it)",
    "seed": "seed of the generated worlds: same seed, same world",
    "anchor": "ISO 8601 instant the seeded dates hang off, for worlds identical on any day "
              "(default: the tenant's creation day, 00:00 UTC)",
    "admin_token": "require 'Authorization: Bearer TOKEN' on the admin API (/_emulator)",
    "state_file": "keep all tenants in this file across restarts",
    "fixtures": "a fixture file or a shipped fixture's name: the default tenant is built from it; "
                "or a directory whose fixture files can be named in POST /_emulator/tenants",
    "cors_origins": "vendor routes: '*', a comma-separated list of origins, or '' for no CORS",
    "admin_cors_origins": "the admin API (/_emulator): origins allowed to read it cross-origin (default: none)",
    "print_credentials": "start-up output: 'table' (for people), 'json' (one line, for scripts) or 'none'",
    "log_format": "the request log: 'text' (one line per request) or 'json' (one object per line)",
    "rate_limit": "give every tenant these vendors' documented rate limit ('absorb': 200 requests per second "
                  "plus a burst of 100, then 429); per tenant: POST /_emulator/tenants/{id}/rate-limit",
    "fallback_target": "forward vendor calls that no route and no stub answers to this real service: "
                       "'absorb=https://rest.myabsorb.com' (comma-separated for several vendors), or a bare URL "
                       "that gets the whole path",
    "webhook_allow": "hosts, addresses or networks (comma-separated) webhook callbacks may reach besides "
                     "loopback (default: loopback only)",
    "users": "grow every tenant's seeded world to N users (20-100000), with courses, enrollments, departments, "
             "groups and classes in proportion (default: the 56-user world)",
    "body_timeout": "seconds a client has to send a whole request, from its first byte: later it is answered 408 "
                    "in the vendor's shape and the connection closed (granian and gunicorn)",
}
# serve's on/off settings (options without a value)
SERVE_FLAGS = ("strict", "tls", "log_requests")
METAVARS = {"fixtures": "PATH|NAME", "print_credentials": "FORM", "log_format": "FORM", "anchor": "DATETIME",
            "rate_limit": "VENDORS"}
METAVARS["fallback_target"] = "[VENDOR=]URL"
METAVARS["webhook_allow"] = "HOSTS"
METAVARS["users"] = "N"
METAVARS["body_timeout"] = "SECONDS"
OTHER_ENV = {"CACHE": "~/.cache/lms-emulator  (derived files that make start-up cheap; tls/: --tls's authority)",
             "TLS_NAMES": "(none)  (more names for --tls's server certificate, comma-separated)",
             "SCHEMAS": "the package's schemas/  (a directory of contract schemas to use instead)",
             "VERIFY_PAGES": "0  (1: trust no cached page; each is recomputed and compared, as the test suite does)"}


def serve(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        servers.check(args.server, args.threads, args.workers)
    except servers.ServerError as exc:
        return _fail(2, str(exc))
    from .app import create_app  # here: Flask and the vendors load for the commands that build an app only

    settings = Settings.load({name: getattr(args, name) for name in (*SERVE_OPTIONS, *SERVE_FLAGS)},
                             option_names=True)
    if settings.tls and args.server == "gunicorn":
        return _fail(2, "--tls is served by granian (the default) and werkzeug; gunicorn's buffering worker reads "
                        "plain HTTP only (put a TLS proxy in front of the Procfile's gunicorn)")
    if settings.log_requests is None:  # auto: a CI job's output (no terminal) shows every request
        settings = dataclasses.replace(settings, log_requests=not sys.stdout.isatty())
    certificate = None
    if settings.tls:
        from . import tls  # here only: trustme and cryptography cost ~150 ms of a start without --tls

        certificate = tls.server_certificate(settings.host, extra_names=settings.tls_names)
    gcpolicy.enable()  # before the build: the default world is frozen as it is made, not scanned first
    try:
        app = create_app(settings)
    except BaseException:
        gcpolicy.disable()
        raise

    gcpolicy.enable()  # the default world stays out of the collector's full scans (see core.gcpolicy)

    def ready(port: int) -> None:  # once listening; ``port`` is the one bound (--port 0 picks one)
        startup.plain_access_log()
        base = startup.base_url(settings.host, port, "https" if certificate else "http")
        text = startup.report(app, base, started)
        if text and settings.print_credentials == "table":
            extra = [startup.wildcard_note(settings.host),
                     startup.trust_hint(certificate.ca_file) if certificate else ""]
            text = "\n".join([text, *[line for line in extra if line]])
        if text:
            print(text, flush=True)

    try:
        servers.run(app, args.server, settings.host, settings.port, args.threads, on_ready=ready, tls=certificate)
    except servers.ServerError as exc:  # cannot bind (port taken, address not local)
        return _fail(1, str(exc))
    except KeyboardInterrupt:
        pass
    return 0


def openapi(args: argparse.Namespace) -> int:
    # here: Flask and the vendors load for the commands that build an app only
    from .core.openapi import build_document
    from .app import create_app

    app = create_app({"default_tenant": False})
    json.dump(build_document(app, args.vendor), sys.stdout, indent=2)
    sys.stdout.write("\n")
    sys.stdout.flush()
    return 0


def proxy(args: argparse.Namespace) -> int:
    from .record import commands  # requests and jsonschema: imported by these commands only, not by serve

    return commands.proxy(args)


def verify(args: argparse.Namespace) -> int:
    from .record import commands  # here: requests and jsonschema load for proxy and verify only

    return commands.verify(args)


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error told in one line (and exit status 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _env_help() -> str:
    defaults = Settings()
    rows = [(ENV_PREFIX + name.upper(), "auto (on when stdout is not a terminal)" if name == "log_requests"
             else _shown(getattr(defaults, name))) for name in (*SERVE_OPTIONS, *SERVE_FLAGS, "journal_size")]
    rows += [(ENV_PREFIX + name, text) for name, text in OTHER_ENV.items()]
    width = max(len(name) for name, _ in rows)
    lines = [f"  {name:<{width}}  {value}" for name, value in rows]
    return ("environment (an option on the command line wins), with its default:\n" + "\n".join(lines)
            + "\n\n" + EXIT_CODES)


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "1" if value else "0"
    return repr(value) if value == "" or value == "*" else str(value)


def parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    top = _Parser(prog="lms-emulator", description=DESCRIPTION, formatter_class=formatter,
                  epilog="Run 'lms-emulator serve --help' for the server's options.\n\n" + EXIT_CODES)
    top.add_argument("--version", action="version", version=f"lms-emulator {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="{serve,openapi,proxy,verify}",
                             parser_class=_Parser)
    p = sub.add_parser("serve", help="serve every vendor under its prefix (/absorb, /ispring, /pearson)",
                       description="Serve every vendor under its prefix, with the admin API and dashboard at "
                                   "/_emulator/. Prints the default tenant's credentials when ready.",
                       formatter_class=formatter, epilog=_env_help())
    defaults = Settings()
    for name, text in SERVE_OPTIONS.items():
        default = getattr(defaults, name)
        shown = "" if default is None or "(default" in text else f" (default: {_shown(default)})"
        p.add_argument("--" + name.replace("_", "-"), default=None, help=text + shown,
                       metavar=METAVARS.get(name, name.split("_")[-1].upper()))
    p.add_argument("--strict", action="store_const", const=True, default=None,
                   help="validate every request and response against the contract (default: off)")
    p.add_argument("--tls", action="store_const", const=True, default=None,
                   help="serve HTTPS with a certificate from the emulator's own certificate authority, made once "
                        "and kept in the cache (its path, and how to trust it, are printed at start)")
    p.add_argument("--log-requests", action=argparse.BooleanOptionalAction, default=None,
                   help="one line per request on stdout: method, path, status, tenant, ms (default: on when "
                        "stdout is not a terminal, as in CI)")
    p.add_argument("--server", default="granian", choices=servers.SERVERS,
                   help="HTTP server: granian (default), gunicorn or werkzeug; see the README for which when")
    p.add_argument("--threads", type=int, default=None, metavar="N",
                   help="Python threads serving requests (default: granian 32, gunicorn 8; not for werkzeug)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="worker processes: only 1, since every tenant lives in the one process's memory")
    p.set_defaults(func=serve)
    o = sub.add_parser("openapi", help="print a vendor's OpenAPI 3.1 document",
                       description="Print a vendor's OpenAPI 3.1 document (the one served at /<vendor>/openapi.json).")
    o.add_argument("vendor", choices=["absorb", "ispring", "pearson"])
    o.set_defaults(func=openapi)
    record_options.add_parsers(sub, formatter, proxy, verify)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # after parsing: --help, --version and a usage error load no Flask (persistence brings the store)
    from .core.errors import EmulatorError
    from .core.persistence import StateError

    try:
        return int(args.func(args))
    except (SettingsError, StateError) as exc:
        return _fail(2, str(exc))
    except EmulatorError as exc:  # a fixture or state that does not load at start
        return _fail(2, exc.message)
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as other tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot fail again
        return 0
    except OSError as exc:  # cannot bind (port taken, address not local) and the like
        return _fail(1, f"cannot serve: {exc.strerror or exc}" if args.command == "serve" else str(exc))


def _fail(status: int, message: str) -> int:
    print(f"lms-emulator: {message}", file=sys.stderr, flush=True)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
