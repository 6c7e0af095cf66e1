"""Routes of Absorb's OAuth 2.0 authorization-code flow: ``/oauth/authorize`` (the portal's login and consent
pages, served by the emulator) and ``/oauth/token``. The rules are ``oauth``'s.

The pages are plain HTML forms posting back to ``/oauth/authorize``, so a test completes the flow without a
browser: one form POST with the authorize query's fields, ``username``, ``password`` and ``consent=allow`` is
answered with the redirect carrying the code (a browser goes login page -> consent page -> redirect).
"""
from __future__ import annotations

import base64
import binascii
from html import escape
from typing import Any
from urllib.parse import unquote

from flask import Response, jsonify, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from emulator.core.errors import PayloadTooLarge
from emulator.core.http import MAX_BODY_BYTES, current_store
from emulator.core.openapi import Param, documented
from emulator.core.store import Tenant
from emulator.absorb.domain import oauth
from emulator.absorb.http.auth import _single_header, api_version
from emulator.absorb.http.routes import bp
from emulator.core.tenantcall import bind_tenant
from emulator.absorb.domain.models import AbsorbWorld

AUTHORIZE_QUERY = (
    Param("client_id", {"type": "string"}, "The OAuth client's id (Portal Settings).", required=True),
    Param("redirect_uri", {"type": "string"}, "Where the browser is sent back; registered for the client.",
          required=True),
    Param("response_type", {"type": "string", "enum": ["code"]}, "Always 'code'.", required=True),
    Param("scope", {"type": "string"}, "Space-delimited scopes; the vendor documents 'admin.v1'."),
    Param("state", {"type": "string"}, "Returned unchanged with the code."),
)
# The forms post these fields in the body (hidden inputs); a client may also send them in the query.
FORM_QUERY = tuple(Param(p.name, p.schema, p.description) for p in AUTHORIZE_QUERY)
OAUTH_ERRORS = {400: "oauth-error", 401: "oauth-error", 413: None}  # 413: a body over 1 MiB (Absorb's error body)


def _tenant_of(client_id: str | None) -> Tenant:
    """The portal: named by ``x-api-key`` when the call carries one, else by the client id (the authorize page is
    opened in a browser, without headers)."""
    api_key = _single_header(request.environ, "x-api-key")
    store = current_store()
    tenant = store.tenant_for("absorb", api_key) if api_key else store.tenant_for("absorb", client_id or "")
    if tenant is None:
        raise oauth.OAuthError("invalid_client", "client_id is missing or names no OAuth client of this portal.",
                               401 if api_key or request.path.endswith("/token") else 400)
    if api_key:
        api_version(request.environ)
    bind_tenant(tenant, "absorb")
    return tenant


def _fields() -> dict[str, str]:
    """The query's fields and the form's (the form wins): the pages post the authorize query back."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    found = {k: v for k, v in request.args.items()}
    if request.mimetype == "application/json":
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            found |= {k: v for k, v in body.items() if isinstance(v, str)}
    else:
        found |= {k: v for k, v in request.form.items()}
    return found


# -- the authorization endpoint ----------------------------------------------------------------------------------

@bp.get("/oauth/authorize")
@documented("OAuth 2.0: the login page of the authorization-code flow (opened in a browser; no headers)",
            query=AUTHORIZE_QUERY, auth=False, responses={200: None, 302: None, **OAUTH_ERRORS})
def authorize_page() -> BaseResponse:
    fields = _fields()
    tenant = _tenant_of(fields.get("client_id"))
    with tenant.lock:
        try:
            asked = oauth.check_authorize(AbsorbWorld.of(tenant), fields)
        except oauth.RedirectError as err:
            return _back(err)
        return _page(LOGIN_PAGE, asked, fields, AbsorbWorld.of(tenant).portal)


@bp.post("/oauth/authorize")
@documented("OAuth 2.0: the login and consent forms (username and password; then consent=allow or deny). "
            "username, password and consent=allow in one POST skip the consent page.",
            query=FORM_QUERY, auth=False, responses={200: None, 302: None, **OAUTH_ERRORS})
def authorize_submit() -> BaseResponse:
    fields = _fields()
    tenant = _tenant_of(fields.get("client_id"))
    with tenant.lock:
        world, now = AbsorbWorld.of(tenant), tenant.clock.now()
        try:
            asked = oauth.check_authorize(world, fields)
            ticket = fields.get("ticket")
            if ticket is None:
                ticket = oauth.log_in(world, asked, fields.get("username", ""), fields.get("password", ""), now)
                if ticket is None:
                    return _page(LOGIN_PAGE, asked, fields, world.portal, status=401,
                                 error="The username or password is not valid.")
                if fields.get("consent") not in ("allow", "deny"):
                    user = oauth.login_user(world, ticket)
                    return _page(CONSENT_PAGE, asked, fields, world.portal, ticket=ticket,
                                 who=user.full_name if user else "")
            decision = fields.get("consent") or fields.get("decision")
            return redirect(oauth.consent(world, asked, ticket, decision == "allow", now), code=302)
        except oauth.RedirectError as err:
            return _back(err)


def _back(err: oauth.RedirectError) -> BaseResponse:
    return redirect(oauth.with_query(err.redirect_uri, {"error": err.error, "error_description": err.description,
                                                        "state": err.state}), code=302)


# -- the token endpoint ------------------------------------------------------------------------------------------

@bp.post("/oauth/token")
@documented("OAuth 2.0: exchange an authorization code, or a refresh token, for an access token (form-encoded: "
            "grant_type, code, redirect_uri, refresh_token, client_id, client_secret; or HTTP Basic for the client)",
            auth=False, responses={200: "oauth-token", **OAUTH_ERRORS})
def token() -> Response:
    fields = _fields()
    basic = _basic_client()
    if basic is not None:
        fields.setdefault("client_id", basic[0])
        fields.setdefault("client_secret", basic[1])
    tenant = _tenant_of(fields.get("client_id"))
    with tenant.lock:
        answer = oauth.exchange(AbsorbWorld.of(tenant), fields, tenant.clock.now())
    response = jsonify(answer)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _basic_client() -> tuple[str, str] | None:
    """RFC 6749 2.3.1: the client's id and secret in ``Authorization: Basic`` (form-urlencoded, then base64)."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        client_id, _, secret = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise oauth.OAuthError("invalid_client", "The Basic credentials are not valid base64.", 401) from None
    return unquote(client_id), unquote(secret)


# -- the pages -------------------------------------------------------------------------------------------------

PASSED_ON = ("client_id", "redirect_uri", "response_type", "scope", "state")

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f5f8;color:#1d2733;margin:0}
main{max-width:380px;margin:8vh auto;background:#fff;border-radius:10px;box-shadow:0 2px 12px #0002;padding:32px}
h1{font-size:1.3rem;margin:0 0 4px}p.sub{color:#5b6775;margin:0 0 24px;font-size:.9rem}
label{display:block;font-size:.85rem;font-weight:600;margin:14px 0 6px}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:10px;border:1px solid #c3cbd5;
border-radius:6px;font-size:1rem}
button{margin-top:22px;width:100%;padding:11px;border:0;border-radius:6px;font-size:1rem;cursor:pointer;
background:#0b63ce;color:#fff}button.deny{background:#e6e9ee;color:#1d2733;margin-top:10px}
.error{background:#fdecec;color:#a11;padding:10px;border-radius:6px;font-size:.9rem}
ul{padding-left:20px;color:#3a4654}footer{margin-top:22px;font-size:.75rem;color:#8a95a3;text-align:center}
"""

LOGIN_PAGE = """<h1>Sign in</h1><p class="sub">{portal} &middot; to continue to <b>{client}</b></p>{error}
<form method="post" action="{action}">{hidden}
<label for="username">Username</label><input id="username" name="username" type="text" autocomplete="username"
 autofocus required value="{username}">
<label for="password">Password</label><input id="password" name="password" type="password"
 autocomplete="current-password" required>
<button type="submit">Sign in</button></form>"""

CONSENT_PAGE = """<h1>Allow access?</h1><p class="sub">Signed in as <b>{who}</b> on {portal}</p>
<p><b>{client}</b> asks to use the Absorb Integration API on your behalf:</p><ul>{scopes}</ul>
<form method="post" action="{action}">{hidden}<input type="hidden" name="ticket" value="{ticket}">
<button type="submit" name="consent" value="allow">Allow</button>
<button class="deny" type="submit" name="consent" value="deny">Deny</button></form>"""

SCOPE_TEXT = {"admin.v1": "call the Integration API with your role", "openid": "know who you are",
              "profile": "read your name", "offline_access": "stay signed in (a refresh token for 1 year)"}


def _page(body: str, asked: oauth.AuthorizeRequest, fields: dict[str, str], portal: str, *, status: int = 200,
          error: str = "", ticket: str = "", who: str = "") -> Response:
    hidden = "".join(f'<input type="hidden" name="{name}" value="{escape(fields[name])}">'
                     for name in PASSED_ON if fields.get(name) is not None)
    values: dict[str, Any] = {
        "portal": escape(portal), "client": escape(asked.client.name),
        "action": escape(request.path), "hidden": hidden, "username": escape(fields.get("username", "")),
        "error": f'<p class="error" role="alert">{escape(error)}</p>' if error else "", "ticket": escape(ticket),
        "who": escape(who), "scopes": "".join(f"<li>{escape(SCOPE_TEXT.get(s, s))}</li>"
                                             for s in asked.scope.split())}
    html = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
            f"content=\"width=device-width,initial-scale=1\"><title>Absorb LMS - sign in</title><style>{STYLE}"
            f"</style></head><body><main>{body.format(**values)}<footer>lms-emulator &middot; the portal's sign-in "
            f"page, emulated</footer></main></body></html>")
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"  # a consent page must not be framed (clickjacking)
    return response

