"""The ceiling of our stack: a minimal Flask app answering a constant JSON page.

``bench/run.py`` starts it under the same gunicorn settings as the emulator and
compares the two. ``BENCH_PAGES`` names a JSON file ``{name: body}``; ``GET /c/<name>``
answers that body, serialised per request with the same JSON provider as the
emulator (orjson), so the comparison isolates what the emulator does on top:
routing, authentication, the store lookups, filtering, sorting and dumping.
"""
from __future__ import annotations

import json
import os
from typing import Any

import orjson
from flask import Flask, Response, abort, jsonify
from flask.json.provider import DefaultJSONProvider


class FastJSONProvider(DefaultJSONProvider):
    """orjson, as ``emulator.app.FastJSONProvider`` (copied: this app imports nothing of the emulator,
    so that its start-up time is the floor of the stack)."""

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS),
                                        mimetype="application/json")


def create_app() -> Flask:
    app = Flask(__name__)
    app.json = FastJSONProvider(app)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    pages: dict[str, Any] = {}
    path = os.environ.get("BENCH_PAGES")
    if path:
        with open(path, encoding="utf-8") as handle:
            pages = json.load(handle)

    @app.get("/")
    def index() -> Response:
        return jsonify({"service": "constant"})

    @app.route("/c/<name>", methods=["GET", "POST"])
    def page(name: str) -> Response:
        if name not in pages:
            abort(404)
        return jsonify(pages[name])

    return app
