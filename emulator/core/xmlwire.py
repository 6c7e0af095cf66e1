"""XML answers written from a JSON Schema's OpenAPI ``xml`` entries, with ``xml.etree.ElementTree``.

A vendor whose document offers ``application/xml`` names its elements in its schemas the OpenAPI way:
``"xml": {"name": "response", "wrapped": true}``. The rules (OpenAPI 3, "XML Object"):

- an object is one element, named by its schema's ``xml.name``, else by its property name; each
  property is a child element, in the data's order;
- an array is its items, each named by the items' ``xml.name``, else by the property name; with
  ``wrapped`` they sit inside one element named by the array's ``xml.name`` (else the property name);
- a scalar is an element holding its text (``true``/``false`` for booleans); ``None`` is left out.

ElementTree escapes text; characters XML 1.0 cannot carry at all (most C0 controls) become U+FFFD,
so any data gives a well-formed document. Element names come from schemas and data keys the vendor
validates (``check_name``).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
import xml.etree.ElementTree as ET

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

# What XML 1.0 cannot carry: C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF. (The same set as
# the negation of the spec's Char ranges, written positively: that form compiled in 3.5 ms at every start.)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def check_name(name: str) -> bool:
    """True when ``name`` can be an element name as written (no prefix, not starting with 'xml')."""
    return NAME.match(name) is not None and not name.lower().startswith("xml")


def encode_xml(vendor: str, schema_name: str, data: Any, root: str = "response") -> bytes:
    """``data`` (JSON-ready) as an XML document shaped by ``schemas/<vendor>/<schema_name>.json``.

    The document's root is the one element the schema gives; several (an unwrapped array) or
    none are put inside ``<root>``.
    """
    from . import contract  # jsonschema and its registry: imported on the first XML answer, not at start-up

    schema = contract.schema(vendor, schema_name)
    resolver = contract.registry().resolver(base_uri=schema.get("$id", ""))
    elements = _elements(resolver, schema, data, root)
    if len(elements) == 1:
        top = elements[0]
    else:
        top = ET.Element(root)
        top.extend(elements)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def _resolve(resolver: Any, schema: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Follow ``$ref`` (keywords beside the ref win over the target's, ``xml`` included)."""
    while isinstance(schema.get("$ref"), str):
        found = resolver.lookup(schema["$ref"])
        resolver = found.resolver
        schema = {**found.contents, **{k: v for k, v in schema.items() if k != "$ref"}}
    return resolver, schema


def _elements(resolver: Any, schema: dict[str, Any], value: Any, name: str) -> list[ET.Element]:
    resolver, schema = _resolve(resolver, schema)
    xml = schema.get("xml") or {}
    if value is None:
        return []
    if isinstance(value, list):
        item_resolver, items = _resolve(resolver, schema.get("items") or {})
        item_name = (items.get("xml") or {}).get("name", name)
        children = [el for item in value for el in _elements(item_resolver, items, item, item_name)]
        if not xml.get("wrapped"):
            return children
        wrapper = ET.Element(xml.get("name", name))
        wrapper.extend(children)
        return [wrapper]
    element = ET.Element(xml.get("name", name))
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = properties.get(key, extra if isinstance(extra, dict) else {})
            element.extend(_elements(resolver, sub, item, str(key)))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = _NOT_XML.sub("\ufffd", str(value))
    return [element]
