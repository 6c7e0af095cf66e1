"""OpenAPI 3.1 documents built from the routes and ``schemas/`` (never kept by hand beside them).

Each route declares its contract with ``@documented(...)``: summary, query
parameters, body schema and the schema of each response status. The builder
walks the app's URL map, reads those declarations and embeds the vendor's JSON
Schemas as components; strict mode (``core.strict``) reads the same
declarations to check requests and responses at run time.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

from flask import Flask

from .state import app_state



@dataclass(frozen=True)
class Param:
    name: str
    schema: dict[str, Any]
    description: str = ""
    required: bool = False
    where: str = "query"


@dataclass(frozen=True)
class Operation:
    summary: str
    responses: dict[int, str | None]  # status -> schema name (None: no body)
    query: tuple[Param, ...] = ()
    body: str | None = None
    body_media: str = "application/json"
    auth: bool = True
    body_required: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def documented(summary: str, *, responses: dict[int, str | None], query: tuple[Param, ...] = (),
               body: str | None = None, body_media: str = "application/json", auth: bool = True,
               body_required: bool = True) -> Callable[..., Any]:
    """Attach an ``Operation`` to a view function (kept through ``functools.wraps``)."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        view.__dict__["contract"] = Operation(summary=summary, responses=responses, query=query, body=body,
                                              body_media=body_media, auth=auth, body_required=body_required)
        return view

    return wrap


def operation_of(view: Callable[..., Any] | None) -> Operation | None:
    return getattr(view, "contract", None) if view is not None else None


_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-zA-Z_]+)>")
_REF = re.compile(r"^([a-z0-9-]+)\.json(#.*)?$")

REASONS = {200: "OK", 201: "Created", 204: "No Content", 302: "Found", 400: "Bad Request", 401: "Unauthorized",
           403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
           413: "Payload Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Entity",
           429: "Too Many Requests", 500: "Internal Server Error"}


def _component(vendor: str, name: str) -> dict[str, Any]:
    """A schemas/ file as an OpenAPI component: file refs become component refs."""
    from . import contract  # jsonschema is imported on first use, not at start-up

    doc = copy.deepcopy(contract.schema(vendor, name))
    doc.pop("$id", None)
    doc.pop("$schema", None)

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str):
                    match = _REF.match(value)
                    if match:
                        value = f"#/components/schemas/{match.group(1)}" + (match.group(2) or "#")[1:]
                    elif value.startswith("#/"):
                        value = f"#/components/schemas/{name}" + value[1:]
                out[key] = rewrite(value)
            return out
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    return rewrite(doc)


def build_document(app: Flask, vendor_name: str) -> dict[str, Any]:
    vendor = app_state(app).vendors[vendor_name]
    meta = vendor.openapi or {}
    error_schema = meta.get("error_schema", "error")
    headers: list[Param] = list(meta.get("headers", ()))
    paths: dict[str, dict[str, Any]] = {}
    used: set[str] = {error_schema}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(vendor.blueprint.name + "."):
            continue
        op = operation_of(app.view_functions.get(rule.endpoint))
        if op is None:
            continue
        path = _CONVERTER.sub(r"{\1}", rule.rule[len(vendor.prefix):])
        params = [{"name": arg, "in": "path", "required": True,
                   "schema": {"type": "string", "format": "uuid"} if f"<guid:{arg}>" in rule.rule
                   else {"type": "string"}}
                  for arg in _CONVERTER.findall(rule.rule)]  # in path order (rule.arguments is a set)
        params += [_param(p) for p in (headers if op.auth or meta.get("headers_without_auth") else ())]
        params += [_param(p) for p in op.query]
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        for method in methods:
            operation_id = rule.endpoint.split(".", 1)[1] + (f"_{method.lower()}" if len(methods) > 1 else "")
            entry: dict[str, Any] = {
                "operationId": operation_id,
                "summary": op.summary,
                "tags": [vendor.title],
                "parameters": params,
                "responses": {},
            }
            if not op.auth:
                entry["security"] = []
            if op.body:
                used.add(op.body)
                entry["requestBody"] = {"required": op.body_required, "content": {
                    op.body_media: {"schema": {"$ref": f"#/components/schemas/{op.body}"}}}}
            for status, schema_name in sorted(op.responses.items()):
                name = schema_name if status < 400 else (schema_name or error_schema)
                response: dict[str, Any] = {"description": REASONS.get(status, str(status))}
                if name:
                    used.add(name)
                    ref = {"schema": {"$ref": f"#/components/schemas/{name}"}}
                    response["content"] = {media: ref for media in meta.get("media_types", ("application/json",))}
                entry["responses"][str(status)] = response
            paths.setdefault(path, {})[method.lower()] = entry
    used |= _referenced(vendor_name, used)
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{vendor.title} (lms-emulator)", "version": meta.get("version", "1"),
                 "description": meta.get("description", "")},
        "servers": [{"url": vendor.prefix, "description": "this emulator"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {name: _component(vendor_name, name) for name in sorted(used)},
            "securitySchemes": meta.get("security_schemes", {}),
        },
        "security": meta.get("security", []),
    }


def _referenced(vendor: str, names: set[str]) -> set[str]:
    """Every schema file reachable by $ref from ``names``."""
    from . import contract  # jsonschema is imported on first use, not at start-up

    seen, todo = set(names), list(names)
    while todo:
        text = repr(contract.schema(vendor, todo.pop()))
        for other in re.findall(r"'([a-z0-9-]+)\.json", text):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def _param(p: Param) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name, "in": p.where, "required": p.required, "schema": p.schema}
    if p.description:
        out["description"] = p.description
    return out
