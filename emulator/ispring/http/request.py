"""iSpring Learn request bodies: JSON or XML, as the document offers both on every route with a body.

An XML body is read into the same shape as its JSON twin: the root element (``<request>`` in the
document) is the object; an element with children is an object, or a list when its children share one
name that repeats or is an item name (``<userIds><id>…</id></userIds>``); repeated siblings are a list;
a leaf is its text. Names a route declares as arrays are always lists (one ``<groups>x</groups>`` is
``["x"]``, an empty ``<userIds/>`` is ``[]``). A document type declaration is refused (no entities).

The document also lists header forms of some inputs (``X-User-Ids``, ``X-Fields``, ``X-Status``...), in
OpenAPI's default header style (``simple``, not exploded): an array is ``a,b,c``, an object ``k,v,k,v``. A
route names the ones it documents; a header fills a key the body does not have, and a request may carry its
input in headers alone (no body).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

from flask import request

from emulator.core.errors import BadRequest
from emulator.core.http import json_body
from emulator.core.openapi import Param

XML_TYPES = ("application/xml", "text/xml")
ITEM_NAMES = frozenset({"id", "item", "field", "userRole", "rule", "workLeaveStatus", "value", "values"})


def is_xml(mimetype: str) -> bool:
    return mimetype in XML_TYPES or mimetype.endswith("+xml")


# header -> (body key, OpenAPI type): the document's header forms of body inputs
HEADER_INPUTS: dict[str, tuple[str, str]] = {
    "X-Name": ("name", "string"), "X-Parent-Department-Id": ("parentDepartmentId", "string"),
    "X-Code": ("code", "string"), "X-Department-Id": ("departmentId", "string"), "X-Fields": ("fields", "object"),
    "X-Password": ("password", "string"), "X-Role": ("role", "string"), "X-Role-Id": ("roleId", "string"),
    "X-Manageable-Department-Ids": ("manageableDepartmentIds", "array"), "X-Group-Ids": ("groupIds", "array"),
    "X-Send-Login-Email": ("sendLoginEmail", "string"), "X-Invitation-Message": ("invitationMessage", "string"),
    "X-Send-Login-SMS": ("sendLoginSMS", "string"), "X-Invitation-SMS-Message": ("invitationSMSMessage", "string"),
    "X-User-Ids": ("userIds", "array"), "X-Status": ("status", "string"),
}
_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"}, "array": {"type": "array", "items": {"type": "string"}},
    "object": {"type": "object", "additionalProperties": {"type": "string"}}}


def header_params(*names: str) -> tuple[Param, ...]:
    """The OpenAPI entries of a route's header inputs (for ``@documented(query=...)``)."""
    return tuple(Param(name, _SCHEMAS[HEADER_INPUTS[name][1]], f"The body's {HEADER_INPUTS[name][0]}, as a header",
                       where="header") for name in names)


def _from_header(value: str, kind: str) -> Any:
    if kind == "string":
        return value.strip()
    parts = [p.strip() for p in value.split(",")] if value.strip() else []
    if kind == "array":
        return parts
    if len(parts) % 2:
        raise BadRequest("An object header is name,value pairs: 'login,jdoe,email,jdoe@example.com'.")
    return dict(zip(parts[::2], parts[1::2], strict=True))


def read_body(arrays: Iterable[str] = (), *, optional: bool = False, headers: Iterable[str] = ()) -> Any:
    """The request's body as JSON-ready data; 400 for another content type or a body that does not parse.

    ``optional``: no body (or an empty one) is ``{}``. ``headers``: the route's documented header inputs
    (``HEADER_INPUTS``), which fill what the body leaves out; with one sent, the body may be left out."""
    given = {HEADER_INPUTS[h][0]: _from_header(request.headers[h], HEADER_INPUTS[h][1])
             for h in headers if h in request.headers}
    raw = request.get_data(cache=True)
    if (optional or given) and not raw.strip():
        return given
    if is_xml(request.mimetype):
        body = decode_xml(raw, frozenset(arrays))
    elif request.mimetype != "application/json":
        raise BadRequest(f"Content-Type must be application/json or application/xml "
                         f"(got {request.mimetype or 'none'}).")
    else:
        body = json_body(request, unsupported=BadRequest)
    return {**given, **body} if given and isinstance(body, dict) else body


def decode_xml(raw: bytes, arrays: frozenset[str]) -> Any:
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        raise BadRequest("The XML body must not declare a document type.")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise BadRequest(f"The body is not well-formed XML ({exc}).") from None
    value = _value(root, arrays)
    return value if isinstance(value, dict) else {} if value == "" else value


def _value(element: ET.Element, arrays: frozenset[str]) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    tags = [c.tag for c in children]
    if len(set(tags)) == 1 and tags[0] in ITEM_NAMES:  # a wrapped array: <userIds><id>…</id></userIds>
        return [_value(c, arrays) for c in children]
    out: dict[str, Any] = {}
    for child in children:
        value = _value(child, arrays)
        if child.tag in arrays:
            items = out.setdefault(child.tag, [])
            if isinstance(value, list):
                items.extend(value)
            elif value != "":
                items.append(value)
        elif child.tag in out:  # repeated siblings
            if tags.count(child.tag) > 1 and not isinstance(out[child.tag], list):
                out[child.tag] = [out[child.tag]]
            out[child.tag].append(value)
        else:
            out[child.tag] = [value] if tags.count(child.tag) > 1 else value
    return out
