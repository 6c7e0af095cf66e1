"""Secrets out of a recording: API keys, passwords, tokens, client secrets and OAuth codes.

A secret is replaced by a placeholder naming its kind and its order of appearance, ``<masked:token-1>``: the
same value always gets the same placeholder within one recording, so ``verify`` can still follow a token from
the answer that issued it to the requests that carry it, and a reader can see that two calls used one key,
without the file holding any of them. Once a value of 16 characters or more is known to be a secret, it is masked
wherever else it appears in the recording (the API key repeated as Absorb's ``privateKey``, a token in a URL);
a shorter one (a password) only where it is named, lest a username that equals it vanish too.

Where a secret is found: the headers ``Authorization`` (after its scheme), ``x-api-key``, ``Cookie`` and the like;
query and form fields and JSON keys that name one (``password``, ``privateKey``, ``client_secret``,
``access_token``, ``code`` in a query or form...); and an answer the vendor calls a secret as a whole
(``Vendor.secret_answer``: Absorb's ``/authenticate`` answers its token as a bare JSON string).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .har import Exchange

SECRET_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "set-cookie", "proxy-authorization",
                            "x-auth-token", "api-key", "apikey"})
# JSON keys, query and form names, compared lower-cased without "_" and "-"
SECRET_NAMES = frozenset({"password", "privatekey", "apikey", "clientsecret", "secret", "token", "accesstoken",
                          "refreshtoken", "idtoken", "authorizationcode", "assertion", "newpassword",
                          "oldpassword", "currentpassword", "sessiontoken"})
SECRET_ENDINGS = ("password", "secret", "token", "apikey", "privatekey")
FORM_ONLY_NAMES = frozenset({"code"})  # OAuth's authorization code: a query or form field, not a JSON key
PLACEHOLDER = re.compile(r"<masked:[a-z0-9-]+-\d+>")
# Only values this long are searched for outside their named places: keys and tokens are long and random,
# while a short password could be a username or a word of any text.
MIN_SECRET_LENGTH = 16


def _plain(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def names_secret(name: str, *, form: bool = False) -> bool:
    plain = _plain(name)
    if plain in SECRET_NAMES or plain.endswith(SECRET_ENDINGS):
        return plain not in ("tokentype",)
    return form and plain in FORM_ONLY_NAMES


class Masker:
    """One recording's secrets and their placeholders (kept in memory only, never written)."""

    def __init__(self) -> None:
        self.placeholders: dict[str, str] = {}
        self.counts: dict[str, int] = {}

    def placeholder(self, value: str, kind: str) -> str:
        if not value or PLACEHOLDER.fullmatch(value):
            return value
        known = self.placeholders.get(value)
        if known is None:
            kind = re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-") or "secret"
            self.counts[kind] = self.counts.get(kind, 0) + 1
            known = self.placeholders[value] = f"<masked:{kind}-{self.counts[kind]}>"
        return known

    # -- the parts of an exchange ---------------------------------------------------------------------------
    def header(self, name: str, value: str) -> str:
        if name.lower() not in SECRET_HEADERS:
            return value
        scheme, space, rest = value.partition(" ")
        if space and scheme.lower() in ("bearer", "basic", "token", "oauth"):
            return f"{scheme} {self.placeholder(rest.strip(), 'token' if scheme.lower() != 'basic' else 'basic')}"
        return self.placeholder(value, "token" if name.lower() == "authorization" else name)

    def pairs(self, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(k, self.placeholder(v, _plain(k)) if names_secret(k, form=True) else v) for k, v in pairs]

    def tree(self, node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (self.placeholder(v, _plain(k)) if isinstance(v, str) and names_secret(k) else self.tree(v))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [self.tree(v) for v in node]
        return node

    def body(self, text: str | None, mime: str, *, whole_is_secret: bool = False) -> str | None:
        if not text:
            return text
        mime = mime.split(";", 1)[0].strip().lower()
        if mime == "application/x-www-form-urlencoded":
            return urlencode(self.pairs(parse_qsl(text, keep_blank_values=True)))
        if mime.endswith("json") or whole_is_secret:
            try:
                parsed = json.loads(text)
            except ValueError:
                return text
            if whole_is_secret and isinstance(parsed, str):
                return json.dumps(self.placeholder(parsed, "token"))
            masked = self.tree(parsed)
            return text if masked == parsed else json.dumps(masked, ensure_ascii=False)
        return text

    def everywhere(self, text: str) -> str:
        """Every known secret masked in ``text`` (longest first, so a secret inside another one cannot split it)."""
        for value in sorted(self.placeholders, key=len, reverse=True):
            if len(value) >= MIN_SECRET_LENGTH and value in text:
                text = text.replace(value, self.placeholders[value])
        return text

    def exchange(self, ex: Exchange, secret_answer: Callable[[bytes], bool] | None = None) -> Exchange:
        """``ex`` with its secrets masked (a new object): the named places first, then every known value anywhere."""
        request_headers = [(k, self.header(k, v)) for k, v in ex.request_headers]
        response_headers = [(k, self.header(k, v)) for k, v in ex.response_headers]
        query = self.pairs(ex.query)
        request_body = self.body(ex.request_body, ex.request_mime)
        whole = (secret_answer is not None and ex.status < 300 and bool(ex.response_body)
                 and secret_answer(ex.response_body.encode()[:64]))
        response_body = self.body(ex.response_body, ex.response_mime, whole_is_secret=whole) or ""
        fix = self.everywhere
        return Exchange(
            vendor=ex.vendor, method=ex.method, url=fix(_masked_url(ex.url, query, ex.query)), path=fix(ex.path),
            query=[(k, fix(v)) for k, v in query], request_headers=[(k, fix(v)) for k, v in request_headers],
            request_body=None if request_body is None else fix(request_body), request_mime=ex.request_mime,
            status=ex.status, response_headers=[(k, fix(v)) for k, v in response_headers],
            response_body=fix(response_body), response_mime=ex.response_mime, started=ex.started,
            time_ms=ex.time_ms, comment=ex.comment)


def _masked_url(url: str, masked: list[tuple[str, str]], original: list[tuple[str, str]]) -> str:
    """The URL with its query string rebuilt from the masked pairs when masking changed any."""
    if masked == original:
        return url
    base = url.split("?", 1)[0]
    return f"{base}?{urlencode(masked)}" if masked else base
