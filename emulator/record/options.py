"""The command-line options of ``lms-emulator proxy`` and ``verify`` (argparse only: cheap to import, so ``serve``
does not pay for what the commands import; they run in ``record.commands``)."""
from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

VENDOR_NAMES = ("absorb", "ispring", "pearson")
PROXY_DESCRIPTION = """\
Listen like 'serve' and forward every call to the real vendor (--target), answering with the vendor's answer
unchanged. Every exchange goes to a HAR 1.2 file (--record), secrets masked, and each answer is held to the
emulator's contract for that operation (status documented? body valid against the schema?). A summary is
printed when the proxy stops (Ctrl-C); --differences writes what the contract does not describe as JSON.

The proxy forwards only to the --target base URLs given here (a request never names where it goes).
/absorb/..., /ispring/... and /pearson/... name their vendor, as on the emulator, so a client set up for the
emulator points at the proxy unchanged: --target absorb=https://rest.myabsorb.com calls
https://rest.myabsorb.com/users for /absorb/users. With --vendor, other paths are that vendor's too."""
VERIFY_DESCRIPTION = """\
Replay a recording's requests against a fresh emulator tenant (on --url, or an emulator started for the run)
and compare each answer with the recorded one: status, media type, the headers that matter, the body's shape
(keys, types, date-times) and its deterministic values. Tokens, ids and dates the vendor created during the
recording are mapped to those the emulator creates, and the tenant's own credentials replace the recorded
ones, so "authenticate, enroll, read back" replays as a flow. Prints one row per exchange; exit status 1 when
anything differs (run it in CI to keep the emulator honest for your own flows)."""
VERIFY_EXIT = """exit status:
  0  every answer agrees with its recording
  1  at least one answer differs (the table names each exchange and what differs)
  2  a bad option or an unreadable HAR file"""


def add_parsers(sub: Any, formatter: type[argparse.HelpFormatter], proxy: Callable[[argparse.Namespace], int],
                verify: Callable[[argparse.Namespace], int]) -> None:
    p = sub.add_parser("proxy", help="record calls to the real vendor through a proxy (HAR), checked against "
                                     "the emulator's contract",
                       description=PROXY_DESCRIPTION, formatter_class=formatter)
    p.add_argument("--target", action="append", required=True, metavar="[VENDOR=]URL",
                   help="the vendor's base URL (repeat for several vendors); 'absorb=URL' names the vendor; a bare "
                        "URL with --vendor is that vendor's, without it the whole path (/absorb/...) is appended")
    p.add_argument("--vendor", choices=VENDOR_NAMES, help="the vendor of paths under no vendor prefix")
    p.add_argument("--record", metavar="FILE.har", help="write every exchange to this HAR 1.2 file")
    p.add_argument("--differences", metavar="FILE.json",
                   help="at exit, write the answers the emulator's contract does not describe, as JSON")
    p.add_argument("--no-mask", action="store_true",
                   help="keep secrets (API keys, passwords, tokens) in clear in the recording (default: masked)")
    p.add_argument("--host", default="127.0.0.1", help="bind address (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8081, help="port (default: 8081; 0 picks a free one)")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="how long to wait for the vendor's answer (default: 60)")
    p.set_defaults(func=proxy)

    v = sub.add_parser("verify", help="replay a HAR recording against a fresh emulator tenant and compare",
                       description=VERIFY_DESCRIPTION, formatter_class=formatter, epilog=VERIFY_EXIT)
    v.add_argument("har", metavar="FILE.har", help="the recording (from 'proxy', the journal, or a browser)")
    v.add_argument("--url", help="a running emulator (default: one started in this process)")
    v.add_argument("--admin-token", help="the running emulator's admin token, if it is locked")
    v.add_argument("--seed", type=int, help="the fresh tenant's seed")
    v.add_argument("--fixture", help="build the fresh tenant from this fixture")
    v.add_argument("--anchor", metavar="DATETIME", help="the fresh tenant's anchor")
    v.add_argument("--vendor", choices=VENDOR_NAMES, action="append",
                   help="replay only this vendor's exchanges (repeatable)")
    v.add_argument("--json", metavar="FILE.json", help="also write the results as JSON")
    v.add_argument("--keep-tenant", action="store_true", help="leave the tenant behind (default: deleted)")
    v.set_defaults(func=verify)
