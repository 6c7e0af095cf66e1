"""``lms-emulator verify FILE.har``: replay a recording against a fresh emulator tenant and compare the answers.

Each recorded request is sent again, in order, to a tenant created for the run (on ``--url``, or on an emulator
started in this process), after three rewrites:

1. the tenant's credentials replace the recorded ones (``CREDENTIALS``: Absorb's ``x-api-key`` and
   ``/authenticate`` body, iSpring's client id and secret and ``X-Auth-Account-Url``, a Pearson token issued
   by the admin API): masked or not, the vendor's credentials mean nothing to the emulator;
2. what the vendor created earlier in the recording (tokens, ids, dates) becomes the emulator's counterpart
   (``shapes.Correspondence``, learnt from each earlier pair of answers);
3. nothing else: the client's own values (a username, an enrollment status) are sent as recorded.

Each answer is then compared with the recorded one (``shapes``): status, media type, the headers that matter,
the body's shape, and its deterministic values. The report is a table, one row per exchange; any difference
makes the exit status 1.
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import requests

from .har import Exchange
from .masking import PLACEHOLDER
from .shapes import PRESENCE_HEADERS, Correspondence, Difference, Echoes, compare_bodies

TIMEOUT = 30.0
JOURNAL_MASK = "***"  # how the journal (and so its HAR download) masks a secret
DROPPED_HEADERS = frozenset({"host", "content-length", "connection", "keep-alive", "transfer-encoding",
                             "accept-encoding", "cookie", "te", "upgrade", "proxy-authorization"})


@dataclass
class Replay:
    """What a run knows: the tenant, the counterpart table, what the client sent, tokens the admin API issued."""

    url: str  # the emulator's base URL
    tenant: dict[str, Any]  # POST /_emulator/tenants's answer
    admin_headers: dict[str, str] = field(default_factory=dict)
    mapping: Correspondence = field(default_factory=Correspondence)
    echoes: Echoes = field(default_factory=Echoes)
    session: requests.Session = field(default_factory=requests.Session)
    tokens: dict[str, str] = field(default_factory=dict)  # vendor -> the token the emulator issued last


@dataclass
class Outcome:
    index: int
    exchange: Exchange
    status: int | None  # the emulator's (None: no answer)
    differences: list[Difference]


@dataclass
class Sent:
    """A request about to be replayed (rewritten in place by ``CREDENTIALS``)."""

    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    json_body: Any = None
    form: list[tuple[str, str]] | None = None
    raw: str | None = None


def _set_header(sent: Sent, name: str, value: str) -> None:
    for key in list(sent.headers):
        if key.lower() == name.lower():
            sent.headers[key] = value


def _absorb(replay: Replay, sent: Sent) -> None:
    creds = replay.tenant["absorb"]
    _set_header(sent, "x-api-key", creds["apiKey"])
    if sent.path.lower().rstrip("/") == "/authenticate" and isinstance(sent.json_body, dict):
        wanted = {"username": creds["admin"]["username"], "password": creds["admin"]["password"],
                  "privatekey": creds["apiKey"]}
        sent.json_body = {k: wanted.get(k.lower(), v) for k, v in sent.json_body.items()}


def _ispring(replay: Replay, sent: Sent) -> None:
    creds = replay.tenant["ispring"]
    _set_header(sent, "x-auth-account-url", creds["accountUrl"])
    if sent.path.rstrip("/").endswith("/token") and sent.form is not None:
        owner = next((c for c in creds["clients"] if c["role"].lower().endswith("owner")), creds["clients"][0])
        wanted = {"client_id": owner["clientId"], "client_secret": owner["clientSecret"]}
        sent.form = [(k, wanted.get(k, v)) for k, v in sent.form]


def _pearson(replay: Replay, sent: Sent) -> None:
    """Pearson's tokens come from outside the API: a masked token not yet seen becomes one the admin API issues
    for the tenant's first sample user, who also stands in for the user named in the path."""
    auth = next((v for k, v in sent.headers.items() if k.lower() == "authorization"), "")
    recorded = auth.partition(" ")[2].strip()
    if not PLACEHOLDER.fullmatch(recorded) or recorded in replay.mapping.values:
        return
    user = replay.tenant["pearson"]["users"][0]["id"]
    answer = replay.session.post(f"{replay.url}/_emulator/tenants/{replay.tenant['id']}/pearson/tokens",
                                 json={"userId": user}, headers=replay.admin_headers, timeout=TIMEOUT)
    answer.raise_for_status()
    replay.mapping.know(recorded, answer.json()["token"])
    parts = sent.path.split("/")
    if len(parts) > 2 and parts[1].lower() == "users" and parts[2] not in replay.mapping.values:
        replay.mapping.know(parts[2], user)


CREDENTIALS: dict[str, Callable[[Replay, Sent], None]] = {"absorb": _absorb, "ispring": _ispring, "pearson": _pearson}
CREDENTIAL_PATHS = {"absorb": ("/authenticate",), "ispring": ("/api/v3/token",)}


def _mime(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def prepare(replay: Replay, ex: Exchange) -> Sent:
    mapping = replay.mapping
    headers = {k: mapping.text(v) for k, v in ex.request_headers if k.lower() not in DROPPED_HEADERS}
    sent = Sent(path=ex.path, query=[(k, mapping.text(v)) for k, v in ex.query], headers=headers)
    mime = _mime(ex.request_mime)
    body = ex.request_body
    if body:
        if mime == "application/x-www-form-urlencoded":
            sent.form = [(k, mapping.text(v)) for k, v in parse_qsl(body, keep_blank_values=True)]
        elif mime.endswith("json"):
            try:
                sent.json_body = mapping.value(json.loads(body))
            except ValueError:
                sent.raw = mapping.text(body)
        else:
            sent.raw = mapping.text(body)
    CREDENTIALS[ex.vendor](replay, sent)
    sent.path = mapping.path(sent.path)
    _latest_token(replay, ex.vendor, sent)
    return sent


def _masked(value: str) -> bool:
    return bool(PLACEHOLDER.fullmatch(value)) or value == JOURNAL_MASK


def _latest_token(replay: Replay, vendor: str, sent: Sent) -> None:
    """A masked token the mapping does not know (the journal masks every token as ``***``) becomes the token the
    emulator issued last for this vendor."""
    latest = replay.tokens.get(vendor)
    for name, value in list(sent.headers.items()):
        if name.lower() != "authorization" or latest is None:
            continue
        scheme, space, token = value.partition(" ")
        if space and _masked(token.strip()):
            sent.headers[name] = f"{scheme} {latest}"
        elif not space and _masked(value.strip()):
            sent.headers[name] = latest


def remember_token(replay: Replay, ex: Exchange, answer: requests.Response) -> None:
    """The emulator's token from a sign-in's answer (Absorb: a bare JSON string; iSpring: ``access_token``)."""
    if answer.status_code != 200 or ex.path.lower().rstrip("/") not in CREDENTIAL_PATHS.get(ex.vendor, ()):
        return
    try:
        body = answer.json()
    except ValueError:
        return
    token = body if isinstance(body, str) else body.get("access_token") if isinstance(body, dict) else None
    if isinstance(token, str):
        replay.tokens[ex.vendor] = token


def send(replay: Replay, ex: Exchange, sent: Sent) -> requests.Response:
    if sent.form is not None:
        data: str | None = urlencode(sent.form)
    elif sent.json_body is not None:
        data = json.dumps(sent.json_body)
    else:
        data = sent.raw
    url = f"{replay.url}/{ex.vendor}{sent.path}" + (f"?{urlencode(sent.query)}" if sent.query else "")
    return replay.session.request(ex.method, url, headers=sent.headers, data=data.encode() if data else None,
                                  allow_redirects=False, timeout=TIMEOUT)


def compare(replay: Replay, ex: Exchange, answer: requests.Response) -> list[Difference]:
    found: list[Difference] = []
    if answer.status_code != ex.status:
        found.append(Difference("status", str(ex.status), str(answer.status_code)))
    recorded_mime, mime = _mime(ex.response_mime), _mime(answer.headers.get("Content-Type"))
    if (ex.response_body or answer.content) and recorded_mime != mime:
        found.append(Difference("media type", recorded_mime or "(none)", mime or "(none)"))
    for name in PRESENCE_HEADERS:
        has_recorded, has = ex.header(name, response=True) is not None, name in answer.headers
        if has_recorded != has:
            found.append(Difference(f"header {name}", "present" if has_recorded else "absent",
                                    "present" if has else "absent"))
    allow = ex.header("allow", response=True)
    if allow is not None and _methods(allow) != _methods(answer.headers.get("Allow", "")):
        found.append(Difference("header Allow", allow, answer.headers.get("Allow", "(absent)")))
    if found and answer.status_code != ex.status:
        return found  # another status: another body, no use comparing it
    recorded, emulated = _json(ex.response_body, recorded_mime), _json(answer.text, mime)
    if recorded is not _NOT_JSON and emulated is not _NOT_JSON:
        found.extend(compare_bodies(recorded, emulated, replay.mapping, replay.echoes))
        replay.mapping.learn(recorded, emulated)
    return found


def _methods(value: str) -> set[str]:
    return {m.strip().upper() for m in value.split(",") if m.strip()}


_NOT_JSON: Any = object()


def _json(text: str, mime: str) -> Any:
    if not text or not mime.endswith("json"):
        return _NOT_JSON
    try:
        return json.loads(text)
    except ValueError:
        return _NOT_JSON


def remember_sent(replay: Replay, ex: Exchange) -> None:
    """What the client sent, for the answers that read it back (recorded values: compared through the mapping).
    Not the credentials of a sign-in: the tenant's own replace them."""
    if ex.path.lower().rstrip("/") in CREDENTIAL_PATHS.get(ex.vendor, ()):
        return
    replay.echoes.add_pairs(ex.query)
    if ex.request_body:
        mime = _mime(ex.request_mime)
        if mime == "application/x-www-form-urlencoded":
            replay.echoes.add_pairs(parse_qsl(ex.request_body, keep_blank_values=True))
        elif mime.endswith("json"):
            with contextlib.suppress(ValueError):  # a malformed body reads nothing back
                replay.echoes.add_tree(json.loads(ex.request_body))


def run(replay: Replay, exchanges: list[Exchange]) -> list[Outcome]:
    outcomes = []
    for i, ex in enumerate(exchanges):
        remember_sent(replay, ex)
        try:
            answer = send(replay, ex, prepare(replay, ex))
        except requests.RequestException as exc:
            outcomes.append(Outcome(i, ex, None, [Difference("answer", str(ex.status), f"none ({exc})")]))
            continue
        remember_token(replay, ex, answer)
        outcomes.append(Outcome(i, ex, answer.status_code, compare(replay, ex, answer)))
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    rows = [("#", "vendor", "operation", "recorded", "emulator", "result")]
    for o in outcomes:
        rows.append((str(o.index), o.exchange.vendor, o.exchange.operation, str(o.exchange.status),
                     "-" if o.status is None else str(o.status),
                     "same" if not o.differences else f"{len(o.differences)} difference(s)"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    differing = [o for o in outcomes if o.differences]
    for o in differing:
        lines.append(f"#{o.index} {o.exchange.vendor} {o.exchange.operation}:")
        lines.extend(f"  {d}" for d in o.differences)
    lines.append(f"{len(outcomes)} exchanges, {len(differing)} with differences"
                 if differing else f"{len(outcomes)} exchanges, no difference")
    return "\n".join(lines)


def report(outcomes: list[Outcome]) -> dict[str, Any]:
    return {"exchanges": len(outcomes), "differing": sum(1 for o in outcomes if o.differences),
            "results": [{"index": o.index, "vendor": o.exchange.vendor, "operation": o.exchange.operation,
                         "recordedStatus": o.exchange.status, "emulatorStatus": o.status,
                         "differences": [{"where": d.where, "recorded": d.recorded, "emulator": d.emulator}
                                         for d in o.differences]}
                        for o in outcomes]}
