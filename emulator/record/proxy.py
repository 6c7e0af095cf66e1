"""``lms-emulator proxy``: a recording proxy in front of the real vendor.

Each request is forwarded to the vendor base URL the user named on the command line (``--target``), never
anywhere else: the upstream URL is that base URL with the request's path appended, and a URL whose scheme or
host differs from the target's is refused (no target is ever read from a request). Redirects are handed back
to the client, not followed. The vendor's answer goes back unchanged; the exchange, with its secrets masked
(``masking``), goes to the HAR file, which is rewritten whole after every call (so a recording stopped at any
point is a valid file), and the answer is held to the emulator's contract (``contract_check``).

Which vendor: ``/absorb/...``, ``/ispring/...`` and ``/pearson/...`` name theirs, so a client configured for the
emulator points at the proxy unchanged; with ``--vendor``, a path under no vendor prefix is that vendor's too.
"""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import requests
from werkzeug.wrappers import Request, Response

from ..core.forward import HOP_BY_HOP, TargetError, checked_base, join
from .contract_check import ContractCheck, Finding
from .har import VENDORS, Exchange, text_of, write
from .masking import Masker

DROPPED_ANSWER_HEADERS = HOP_BY_HOP | {"content-encoding"}  # requests decodes the body: its length changes
TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Targets:
    """The vendor base URLs given on the command line: the only places the proxy forwards to."""

    by_vendor: dict[str, str]  # vendor -> base URL (no trailing slash)
    default_vendor: str | None = None  # --vendor: a path under no vendor prefix belongs to it
    whole_paths: str | None = None  # a --target naming no vendor, without --vendor: gets the whole path

    @classmethod
    def parse(cls, values: Iterable[str], vendor: str | None = None) -> Targets:
        by_vendor: dict[str, str] = {}
        whole: str | None = None
        for value in values:
            name, sep, url = value.partition("=")
            if not sep or "://" in name:
                name, url = (vendor or ""), value
            try:
                url = checked_base(url)
            except TargetError as exc:
                raise TargetError(f"--target {value}: {exc}") from None
            if name and name not in VENDORS:
                raise TargetError(f"--target {value}: unknown vendor '{name}' (known: {', '.join(VENDORS)})")
            if name:
                by_vendor[name] = url
            else:
                whole = url
        if vendor is not None and vendor not in by_vendor:
            raise TargetError(f"--vendor {vendor}: give its base URL with --target URL")
        if not by_vendor and whole is None:
            raise TargetError("--target: at least one vendor base URL is needed")
        return cls(by_vendor, vendor, whole)

    def upstream(self, path: str) -> tuple[str, str, str] | None:
        """(vendor, the vendor's path, the URL to call) for a request path, or None where no target serves it."""
        first, _, rest = path.lstrip("/").partition("/")
        if first in self.by_vendor:
            return first, "/" + rest, join(self.by_vendor[first], "/" + rest)
        if first in VENDORS and self.whole_paths is not None:
            return first, "/" + rest, join(self.whole_paths, path)
        if self.default_vendor is not None:
            return self.default_vendor, path, join(self.by_vendor[self.default_vendor], path)
        return None

    def describe(self) -> list[str]:
        lines = [f"/{v}/... -> {url}/..." for v, url in sorted(self.by_vendor.items())]
        if self.default_vendor:
            lines.append(f"any other path -> {self.by_vendor[self.default_vendor]}/... ({self.default_vendor})")
        if self.whole_paths:
            lines.append(f"/absorb, /ispring, /pearson -> {self.whole_paths}/<the whole path>")
        return lines


@dataclass
class Recorder:
    """The exchanges so far (raw, in memory only), the HAR file, and what the contract said of each."""

    path: Path | None
    secret_answers: dict[str, Callable[[bytes], bool] | None]
    mask: bool = True
    raw: list[Exchange] = field(default_factory=list)
    findings: list[tuple[Exchange, Finding | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    masker: Masker = field(default_factory=Masker)  # the recording's secrets, in memory only
    shown: list[Exchange] = field(default_factory=list)  # the exchanges as the file holds them

    def add(self, ex: Exchange, finding: Finding | None) -> None:
        with self.lock:
            self.raw.append(ex)
            self.findings.append((ex, finding))
            self._mask_latest()
            if self.path is not None:
                write(self.path, self.masked(), comment="recorded by lms-emulator proxy")

    def _mask_latest(self) -> None:
        """The new exchange masked; if it taught the masker a new secret, every earlier one again (the secret
        may have appeared in clear before it was known to be one), else only the new one."""
        if not self.mask:
            self.shown.append(self.raw[-1])
            return
        known = len(self.masker.placeholders)
        latest = self.masker.exchange(self.raw[-1], self.secret_answers.get(self.raw[-1].vendor))
        if len(self.masker.placeholders) == known:
            self.shown.append(latest)
        else:
            self.shown = [self.masker.exchange(ex, self.secret_answers.get(ex.vendor)) for ex in self.raw]

    def masked(self) -> list[Exchange]:
        """Every exchange as written: secrets masked wherever they appear (``masking``)."""
        return list(self.shown)

    def differences(self) -> list[dict[str, Any]]:
        """What the contract does not describe, per exchange, secrets masked (a schema error quotes the value)."""
        hide = self.masker.everywhere if self.mask else str
        return [{"index": i, "operation": ex.operation, "vendor": ex.vendor, "status": ex.status,
                 "route": finding.operation, "problems": [hide(p) for p in finding.problems]}
                for i, ((_, finding), ex) in enumerate(zip(self.findings, self.masked(), strict=True))
                if finding is not None and finding.problems]

    def summary(self) -> str:
        calls: Counter[tuple[str, str, int]] = Counter()
        problems: Counter[tuple[str, str, int]] = Counter()
        hide = self.masker.everywhere if self.mask else str
        shown = list(zip(self.masked(), (finding for _, finding in self.findings), strict=True))
        for ex, finding in shown:
            key = (ex.vendor, f"{ex.method} {ex.path}", ex.status)
            calls[key] += 1
            if finding is not None and finding.problems:
                problems[key] += 1
        if not calls:
            return "lms-emulator proxy: no calls were made"
        rows = [("vendor", "operation", "status", "calls", "contract")]
        rows += [(v, op, str(status), str(n), "ok" if not problems[(v, op, status)] else
                  f"{problems[(v, op, status)]} differ")
                 for (v, op, status), n in sorted(calls.items())]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
        total = sum(problems.values())
        lines.append(f"{sum(calls.values())} calls, {total} that the emulator's contract does not describe"
                     + (f" (recorded to {self.path})" if self.path else ""))
        for ex, finding in shown:
            if finding is not None and finding.problems:
                lines.append(f"  {ex.vendor} {ex.method} {ex.path} -> {ex.status}: "
                             + "; ".join(hide(p) for p in finding.problems))
        return "\n".join(lines)


class Proxy:
    """The WSGI app ``lms-emulator proxy`` serves."""

    def __init__(self, targets: Targets, recorder: Recorder, check: ContractCheck | None,
                 timeout: float = TIMEOUT) -> None:
        self.targets = targets
        self.recorder = recorder
        self.check = check
        self.timeout = timeout
        self.local = threading.local()  # one requests.Session per serving thread (a Session is not thread-safe)

    def session(self) -> requests.Session:
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
            session.trust_env = False  # the target is the one the user named: no proxy from the environment
        return session

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        return self.answer(request)(environ, start_response)

    def answer(self, request: Request) -> Response:
        try:
            found = self.targets.upstream(request.path)
        except TargetError as exc:
            return _plain(400, "Refused", str(exc))
        if found is None:
            return _plain(404, "NoTarget", f"The proxy has no --target for {request.path} (targets: "
                                           + "; ".join(self.targets.describe()) + ").")
        vendor, path, url = found
        query = request.query_string.decode("latin-1")
        body = request.get_data()
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
        started = datetime.now(timezone.utc)
        clock = time.perf_counter()
        try:
            upstream = self.session().request(request.method, url + (f"?{query}" if query else ""),
                                              headers=dict(headers), data=body or None, allow_redirects=False,
                                              timeout=self.timeout)
        except requests.RequestException as exc:
            return _plain(502, "BadGateway", f"The proxy could not reach {url}: {type(exc).__name__}.")
        elapsed = (time.perf_counter() - clock) * 1000
        answer_headers = [(k, v) for k, v in upstream.headers.items() if k.lower() not in DROPPED_ANSWER_HEADERS]
        content = upstream.content
        ex = Exchange(
            vendor=vendor, method=request.method, url=url + (f"?{query}" if query else ""), path=path,
            query=parse_qsl(query, keep_blank_values=True), request_headers=headers,
            request_body=text_of(body)[0] if body else None, request_mime=request.headers.get("Content-Type", ""),
            status=upstream.status_code, response_headers=answer_headers, response_body=text_of(content)[0],
            response_mime=upstream.headers.get("Content-Type", ""),
            started=started.isoformat(timespec="milliseconds").replace("+00:00", "Z"), time_ms=elapsed)
        self.recorder.add(ex, self.check.check(ex) if self.check is not None else None)
        response = Response(content, status=upstream.status_code)
        response.headers.clear()
        for k, v in answer_headers:
            response.headers.add(k, v)
        return response


def _plain(status: int, error: str, message: str) -> Response:
    """The proxy's own refusals (never the vendor's answer): plain JSON naming the proxy."""
    return Response(json.dumps({"error": error, "message": message, "source": "lms-emulator proxy"}),
                    status=status, mimetype="application/json")
