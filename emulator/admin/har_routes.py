"""``GET /_emulator/tenants/{id}/journal.har``: a tenant's journal as HAR 1.2 (``record.har``), to open in a
browser's network panel or to feed to ``lms-emulator verify``. The journal's filters apply (``method``, ``path``,
``status``, ``since``, ``vendor``, ``limit``); secrets are masked as the journal masks them (``***``).

The journal keeps what a HAR needs but the answer's headers: the answer's media type is told from its body
(JSON, XML, else text), and a body the journal cut short says so in the entry's ``comment``.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from flask import Response, request

from ..core.exchange import current
from ..core.journal import journal_of
from ..core.store import Tenant
from ..record.har import Exchange, document
from . import service
from .routes import bp

TRUNCATED = "...<truncated,"


def _tenant(tenant_id: str) -> Tenant:
    tenant = service.store().get(tenant_id)  # 404 for an unknown tenant
    current().admin_tenant = tenant
    return tenant


def _answer_type(body: str | None) -> str:
    text = (body or "").lstrip()
    if not text:
        return ""
    try:
        json.loads(text)
        return "application/json"
    except ValueError:
        return "application/xml" if text.startswith("<") else "text/plain"


def exchange(entry: dict[str, Any], base: str) -> Exchange:
    """One rendered journal entry (``core.journal.render``) as an exchange."""
    vendor, path, query = entry["vendor"], entry["path"], entry.get("query") or ""
    prefix = f"/{vendor}"
    headers = list((entry.get("headers") or {}).items())
    request_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    answer = entry.get("responseBody") or ""
    cut = [name for name, text in (("request", entry.get("body")), ("response", answer)) if text and TRUNCATED in text]
    notes = [f"journal entry {entry.get('seq')}"] + [f"{name} body cut short by the journal" for name in cut]
    if entry.get("stub"):
        notes.append(f"answered by stub {entry['stub']}")
    return Exchange(
        vendor=vendor, method=entry["method"], url=f"{base}{path}" + (f"?{query}" if query else ""),
        path=path[len(prefix):] if path.lower().startswith(prefix) else path,
        query=parse_qsl(query, keep_blank_values=True), request_headers=headers, request_body=entry.get("body"),
        request_mime=request_type, status=entry.get("status") or 0,
        response_headers=[("Content-Type", t)] if (t := _answer_type(answer)) else [], response_body=answer,
        response_mime=_answer_type(answer), started=entry.get("time") or "",
        time_ms=float(entry.get("durationMs") or 0), comment="; ".join(notes))


@bp.get("/tenants/<tenant_id>/journal.har")
def get_journal_har(tenant_id: str) -> Response:
    tenant = _tenant(tenant_id)
    entries = journal_of(tenant).query(request.args)
    base = request.host_url.rstrip("/")
    body = document([exchange(e, base) for e in entries if e.get("status") is not None],
                    comment=f"lms-emulator journal of tenant {tenant.id}")
    response = Response(json.dumps(body, indent=1, ensure_ascii=False), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="lms-emulator-{tenant.id}-journal.har"'
    return response
