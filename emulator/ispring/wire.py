"""iSpring Learn request bodies: JSON or XML, as the document offers both on every route with a body.

An XML body is read into the same shape as its JSON twin: the root element (``<request>`` in the
document) is the object; an element with children is an object, or a list when its children share one
name that repeats or is an item name (``<userIds><id>…</id></userIds>``); repeated siblings are a list;
a leaf is its text. Names a route declares as arrays are always lists (one ``<groups>x</groups>`` is
``["x"]``, an empty ``<userIds/>`` is ``[]``). A document type declaration is refused (no entities).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

from flask import request

from ..core.errors import BadRequest
from ..core.http import json_body

XML_TYPES = ("application/xml", "text/xml")
ITEM_NAMES = frozenset({"id", "item", "field", "userRole", "rule", "workLeaveStatus", "value", "values"})


def is_xml(mimetype: str) -> bool:
    return mimetype in XML_TYPES or mimetype.endswith("+xml")


def read_body(arrays: Iterable[str] = (), *, optional: bool = False) -> Any:
    """The request's body as JSON-ready data; 400 for another content type or a body that does not parse.

    ``optional``: no body (or an empty one) is ``{}``."""
    raw = request.get_data(cache=True)
    if optional and not raw.strip():
        return {}
    if is_xml(request.mimetype):
        return decode_xml(raw, frozenset(arrays))
    if request.mimetype != "application/json":
        raise BadRequest(f"Content-Type must be application/json or application/xml "
                         f"(got {request.mimetype or 'none'}).")
    return json_body(request, unsupported=BadRequest)


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
