"""What ``lms-emulator proxy`` and ``lms-emulator verify`` do (their options: ``record.options``)."""
from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import requests
from werkzeug.serving import make_server

from ..app import create_app
from ..startup import plain_access_log
from ..testing import EmulatorServer
from . import har
from .contract_check import ContractCheck
from .proxy import Proxy, Recorder, TargetError, Targets
from .verify import Replay, report, run, table

FAILED = 2


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the proxy as Ctrl-C does: summary and files written


def proxy(args: argparse.Namespace) -> int:
    try:
        targets = Targets.parse(args.target, args.vendor)
    except TargetError as exc:
        return _fail(FAILED, str(exc))
    app = create_app({"default_tenant": False})
    secret_answers = {name: v.secret_answer for name, v in app.state.vendors.items()}
    recorder = Recorder(Path(args.record) if args.record else None, secret_answers, mask=not args.no_mask)
    wsgi = Proxy(targets, recorder, ContractCheck(app), timeout=args.timeout)
    try:
        server = make_server(args.host, args.port, wsgi, threaded=True)
    except OSError as exc:
        return _fail(1, f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    plain_access_log()
    signal.signal(signal.SIGTERM, _stop)
    lines = [f"lms-emulator proxy listening on http://{args.host}:{server.server_port}"]
    lines += [f"  {line}" for line in targets.describe()]
    lines.append(f"  recording to {args.record}" + (" (secrets in clear)" if args.no_mask else " (secrets masked)")
                 if args.record else "  not recording (no --record)")
    print("\n".join(lines), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    print(recorder.summary(), flush=True)
    if args.differences:
        Path(args.differences).write_text(json.dumps({"differences": recorder.differences()}, indent=1) + "\n",
                                          encoding="utf-8")
    return 0


def verify(args: argparse.Namespace) -> int:
    try:
        exchanges = har.read(args.har)
    except (har.HarError, ValueError) as exc:
        return _fail(FAILED, str(exc))
    if args.vendor:
        exchanges = [ex for ex in exchanges if ex.vendor in args.vendor]
    body: dict[str, Any] = {k: v for k, v in (("seed", args.seed), ("fixture", args.fixture),
                                              ("anchor", args.anchor)) if v is not None}
    server = None if args.url else EmulatorServer({"default_tenant": False}).start()
    url = (args.url or (server.url if server else "")).rstrip("/")
    headers = {"Authorization": f"Bearer {args.admin_token}"} if args.admin_token else {}
    try:
        created = requests.post(f"{url}/_emulator/tenants", json=body, headers=headers, timeout=30)
        if created.status_code != 201:
            return _fail(FAILED, f"cannot create a tenant on {url}: {created.status_code} {created.text[:300]}")
        tenant = created.json()
        replay = Replay(url=url, tenant=tenant, admin_headers=headers)
        outcomes = run(replay, exchanges)
        if not args.keep_tenant:
            requests.delete(f"{url}/_emulator/tenants/{tenant['id']}", headers=headers, timeout=30)
    except requests.RequestException as exc:
        return _fail(FAILED, f"cannot reach the emulator at {url}: {exc}")
    finally:
        if server is not None:
            server.stop()
    print(table(outcomes), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report(outcomes), indent=1) + "\n", encoding="utf-8")
    return 1 if any(o.differences for o in outcomes) else 0


def _fail(status: int, message: str) -> int:
    print(f"lms-emulator: {message}", file=sys.stderr, flush=True)
    return status
