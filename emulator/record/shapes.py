"""Comparing a recorded answer with the emulator's, and following what the vendor created through a recording.

Two tenants never hold the same data, so two answers are compared by what must agree whatever the data:
status, media type, the headers that matter, and the body's shape (keys, JSON types, date-times where the vendor
had date-times). Values are compared where they are deterministic: a value the client sent earlier in the
recording and reads back (under the same key), and an id, token or date the vendor created earlier, which must
come back as the emulator's counterpart.

``Correspondence`` is that counterpart table: walking a recorded answer beside the emulator's, every id (a key
named ``id``/``...Id``/``..._id``, or a GUID), masked secret (``<masked:token-1>``) and date-time the vendor
answered is paired with what the emulator answered in the same place (list items by position). Later recorded
requests are rewritten through it before they are replayed, so "authenticate, enroll, read back" replays with
the emulator's token and ids.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from ..core.wire import is_guid
from .masking import PLACEHOLDER

DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$|^/Date\(-?\d+")
ID_KEY = re.compile(r"^(id|ID|Id)$|[a-z0-9](Id|ID|_id)$|^[A-Z][A-Za-z0-9]*Id$")
# Headers whose presence (and for Allow, value) is part of an answer's contract; the rest vary by server.
PRESENCE_HEADERS = ("location", "www-authenticate", "retry-after")
MIN_REWRITE_LENGTH = 6  # shorter recorded values are rewritten only where they are a whole value, never inside text


@dataclass(frozen=True, slots=True)
class Difference:
    where: str  # "status", "header Location", "body $.items[0].id"
    recorded: str
    emulator: str

    def __str__(self) -> str:
        return f"{self.where}: recorded {self.recorded}, emulator {self.emulator}"


def kind(value: Any) -> str:
    """The JSON type of a value, with date-time strings told apart from other strings."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "date-time string" if DATE_TIME.match(value) else "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def is_variable(key: str | None, value: Any) -> bool:
    """Whether the vendor chose this value (an id, a secret, a date), so the emulator's may differ."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return False
    if isinstance(value, str) and (is_guid(value) or PLACEHOLDER.fullmatch(value) or DATE_TIME.match(value)):
        return True
    return key is not None and bool(ID_KEY.search(key)) and value not in ("", 0)


@dataclass
class Correspondence:
    """Recorded value -> the emulator's counterpart (as text: the forms they take in paths, queries, bodies)."""

    values: dict[str, Any] = field(default_factory=dict)

    def learn(self, recorded: Any, emulator: Any, key: str | None = None) -> None:
        if isinstance(recorded, dict) and isinstance(emulator, dict):
            for k, v in recorded.items():
                if k in emulator:
                    self.learn(v, emulator[k], k)
        elif isinstance(recorded, list) and isinstance(emulator, list):
            for r, e in zip(recorded, emulator, strict=False):
                self.learn(r, e, key)
        elif is_variable(key, recorded) and emulator is not None and not isinstance(emulator, (dict, list)):
            self.values.setdefault(str(recorded), emulator)

    def know(self, recorded: str, emulator: Any) -> None:
        self.values[recorded] = emulator

    def value(self, recorded: Any) -> Any:
        """A JSON leaf rewritten: a whole known value, or known values inside a longer text."""
        if isinstance(recorded, (str, int)) and not isinstance(recorded, bool) and str(recorded) in self.values:
            mapped = self.values[str(recorded)]
            return mapped if isinstance(recorded, (type(mapped), str)) else recorded
        if isinstance(recorded, str):
            return self.text(recorded)
        if isinstance(recorded, dict):
            return {k: self.value(v) for k, v in recorded.items()}
        if isinstance(recorded, list):
            return [self.value(v) for v in recorded]
        return recorded

    def text(self, text: str) -> str:
        """Known values replaced inside a header value or query value (long ones only: a short id could be part of
        anything)."""
        if text in self.values:
            return str(self.values[text])
        for recorded in sorted(self.values, key=len, reverse=True):
            if len(recorded) >= MIN_REWRITE_LENGTH and recorded in text:
                text = text.replace(recorded, str(self.values[recorded]))
        return text

    def path(self, path: str) -> str:
        """Each path segment that is a known value, replaced (percent-encoded again)."""
        return "/".join(quote(str(self.values[unquote(seg)]), safe="") if unquote(seg) in self.values else seg
                        for seg in path.split("/"))


@dataclass
class Echoes:
    """(key, value) pairs the client sent in the recording: read back under the same key, they must agree."""

    pairs: set[tuple[str, str]] = field(default_factory=set)

    def add_tree(self, node: Any, key: str | None = None) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                self.add_tree(v, k)
        elif isinstance(node, list):
            for v in node:
                self.add_tree(v, key)
        elif key is not None and node is not None and not isinstance(node, bool) and str(node) != "":
            self.pairs.add((key.lower(), json.dumps(node)))

    def add_pairs(self, pairs: list[tuple[str, str]]) -> None:
        for k, v in pairs:
            if v:
                self.pairs.add((k.lower(), json.dumps(v)))

    def sent(self, key: str | None, value: Any) -> bool:
        return key is not None and (key.lower(), json.dumps(value)) in self.pairs


def compare_bodies(recorded: Any, emulator: Any, mapping: Correspondence, echoes: Echoes) -> list[Difference]:
    found: list[Difference] = []
    _walk(recorded, emulator, "$", None, mapping, echoes, found, False)
    return found


def _walk(rec: Any, emu: Any, where: str, key: str | None, mapping: Correspondence, echoes: Echoes,
          found: list[Difference], listed: bool) -> None:
    """``listed``: inside a list, where the n-th item of one tenant is not the n-th of the other: shape only."""
    if rec is None or emu is None:  # data: a field the vendor left empty here may be set there, and back
        return
    rk, ek = kind(rec), kind(emu)
    if rk != ek:
        found.append(Difference(f"body {where}", f"{rk} {_shown(rec)}", f"{ek} {_shown(emu)}"))
        return
    if isinstance(rec, dict):
        for k in rec:
            if k not in emu:
                found.append(Difference(f"body {where}", f"key '{k}'", "no such key"))
        for k in emu:
            if k not in rec:
                found.append(Difference(f"body {where}", "no such key", f"key '{k}'"))
        for k, v in rec.items():
            if k in emu:
                _walk(v, emu[k], f"{where}.{k}", k, mapping, echoes, found, listed)
        return
    if isinstance(rec, list):
        if emu:  # the items of one list share a shape: each recorded item against the emulator's in its place
            for i, item in enumerate(rec):
                _walk(item, emu[min(i, len(emu) - 1)], f"{where}[{i}]", key, mapping, echoes, found, True)
        return
    if rk == "date-time string" or listed:
        return  # the emulator's clock is not the vendor's; list items are compared by shape
    if str(rec) in mapping.values and is_variable(key, rec):
        expected = mapping.values[str(rec)]
    elif echoes.sent(key, rec):
        expected = mapping.value(rec)
    else:
        return
    if emu != expected:
        found.append(Difference(f"body {where}", f"{_shown(rec)} (expected here: {_shown(expected)})", _shown(emu)))
