"""HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): the file ``proxy`` writes, ``verify`` reads and the
journal downloads as.

One ``Exchange`` is one request and its answer, as plain data. HAR has no field for "which vendor" or "the path
after the vendor's base URL"; they travel as the custom fields ``_vendor`` and ``_vendorPath`` (HAR allows
custom fields that start with an underscore). A HAR without them (a browser's) is read by the URL: a path under
``/absorb``, ``/ispring`` or ``/pearson`` names the vendor.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..version import __version__

VENDORS = ("absorb", "ispring", "pearson")
REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 301: "Moved Permanently", 302: "Found",
           304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout", 409: "Conflict",
           413: "Payload Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Entity",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
           504: "Gateway Timeout"}


class HarError(ValueError):
    """A file that is not a HAR this module can read (the message says where)."""


@dataclass(slots=True)
class Exchange:
    """One request and the answer it got."""

    vendor: str
    method: str
    url: str  # as sent, query string included
    path: str  # after the vendor's base URL: "/users/1"; the query is not part of it
    query: list[tuple[str, str]] = field(default_factory=list)
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: str | None = None
    request_mime: str = ""
    status: int = 0
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: str = ""
    response_mime: str = ""
    started: str = ""  # ISO 8601
    time_ms: float = 0.0
    comment: str = ""

    def header(self, name: str, *, response: bool = False) -> str | None:
        wanted = name.lower()
        pairs = self.response_headers if response else self.request_headers
        return next((v for k, v in pairs if k.lower() == wanted), None)

    @property
    def operation(self) -> str:
        return f"{self.method} {self.path}"


def text_of(raw: bytes) -> tuple[str, str | None]:
    """A body as HAR text: UTF-8 when it is, else base64 (the second value is the HAR ``encoding``)."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), "base64"


def _pairs(items: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in items]


def to_entry(ex: Exchange) -> dict[str, Any]:
    request: dict[str, Any] = {
        "method": ex.method, "url": ex.url, "httpVersion": "HTTP/1.1", "cookies": [],
        "headers": _pairs(ex.request_headers), "queryString": _pairs(ex.query), "headersSize": -1,
        "bodySize": len(ex.request_body.encode()) if ex.request_body else 0}
    if ex.request_body is not None:
        request["postData"] = {"mimeType": ex.request_mime, "text": ex.request_body}
    response = {
        "status": ex.status, "statusText": REASONS.get(ex.status, ""), "httpVersion": "HTTP/1.1", "cookies": [],
        "headers": _pairs(ex.response_headers),
        "content": {"size": len(ex.response_body.encode()), "mimeType": ex.response_mime, "text": ex.response_body},
        "redirectURL": "", "headersSize": -1, "bodySize": len(ex.response_body.encode())}
    entry: dict[str, Any] = {
        "startedDateTime": ex.started, "time": round(ex.time_ms, 3), "request": request, "response": response,
        "cache": {}, "timings": {"send": 0, "wait": round(ex.time_ms, 3), "receive": 0},
        "_vendor": ex.vendor, "_vendorPath": ex.path}
    if ex.comment:
        entry["comment"] = ex.comment
    return entry


def document(exchanges: list[Exchange], comment: str = "") -> dict[str, Any]:
    log: dict[str, Any] = {"version": "1.2", "creator": {"name": "lms-emulator", "version": __version__},
                           "pages": [], "entries": [to_entry(ex) for ex in exchanges]}
    if comment:
        log["comment"] = comment
    return {"log": log}


def write(path: str | Path, exchanges: list[Exchange], comment: str = "") -> None:
    """The HAR file, written whole to a temporary name and then renamed (a reader never sees half a file)."""
    target = Path(path)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(json.dumps(document(exchanges, comment), indent=1, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    temporary.replace(target)


def read(path: str | Path) -> list[Exchange]:
    """The exchanges of a HAR file, in order."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HarError(f"{path}: not a readable JSON file ({exc})") from None
    return from_document(doc, str(path))


def from_document(doc: Any, where: str = "HAR") -> list[Exchange]:
    entries = doc.get("log", {}).get("entries") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise HarError(f"{where}: no log.entries (not a HAR file)")
    return [_exchange(entry, f"{where}: entry {i}") for i, entry in enumerate(entries)]


def _exchange(entry: Any, where: str) -> Exchange:
    try:
        req, resp = entry["request"], entry["response"]
        url = str(req["url"])
        vendor, path = entry.get("_vendor"), entry.get("_vendorPath")
        if not (isinstance(vendor, str) and isinstance(path, str)):
            vendor, path = vendor_of_url(url)
        content = resp.get("content") or {}
        text = content.get("text") or ""
        if content.get("encoding") == "base64":
            text = base64.b64decode(text).decode("utf-8", "replace")
        post = req.get("postData")
        return Exchange(
            vendor=vendor, method=str(req["method"]).upper(), url=url, path=path,
            query=[(q["name"], q["value"]) for q in req.get("queryString") or []]
            or parse_qsl(urlsplit(url).query, keep_blank_values=True),
            request_headers=[(h["name"], h["value"]) for h in req.get("headers") or []],
            request_body=post.get("text") if isinstance(post, dict) else None,
            request_mime=(post or {}).get("mimeType", "") if isinstance(post, dict) else "",
            status=int(resp["status"]), response_headers=[(h["name"], h["value"]) for h in resp.get("headers") or []],
            response_body=text, response_mime=str(content.get("mimeType") or ""),
            started=str(entry.get("startedDateTime") or ""), time_ms=float(entry.get("time") or 0),
            comment=str(entry.get("comment") or ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise HarError(f"{where}: not a HAR entry ({type(exc).__name__}: {exc})") from None


def vendor_of_url(url: str) -> tuple[str, str]:
    """(vendor, path after its prefix) from a URL served like the emulator's: ``/absorb/users`` -> absorb, /users."""
    path = urlsplit(url).path
    first, _, rest = path.lstrip("/").partition("/")
    if first not in VENDORS:
        raise ValueError(f"cannot tell the vendor of {url} (no _vendor field; the path is not under "
                         f"/{', /'.join(VENDORS)})")
    return first, "/" + rest
