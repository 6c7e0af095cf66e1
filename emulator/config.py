"""Settings from arguments and ``LMS_EMULATOR_*`` environment variables.

Arguments win over the environment, which wins over the defaults here. Every value is checked where it
enters: a bad one raises ``SettingsError`` naming its source (``--port`` or ``LMS_EMULATOR_PORT``), which the
command line reports in one line with exit status 2.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from collections.abc import Callable

from .core.clock import check_anchor
from .core.forward import TargetError, Targets
from .core.scale import check_users
from .core.env import ENV_PREFIX, SettingsError, boolean, switches, variable, whole_number
from .core.wire import parse_iso_datetime

__all__ = ["ENV_PREFIX", "Settings", "SettingsError", "check", "tls_dir"]


def tls_dir() -> Path:
    """Where ``serve --tls`` keeps its certificate authority (``ca.pem``, ``ca-key.pem``): see ``emulator.tls``."""
    return switches().cache / "tls"


@dataclass
class Settings:
    host: str = "127.0.0.1"  # secure by default: loopback only unless told otherwise
    port: int = 8080
    seed: int = 42
    admin_token: str | None = None
    state_file: str | None = None
    fixtures: str | None = None
    strict: bool = False
    cors_origins: str = "*"  # vendor routes
    admin_cors_origins: str = ""  # the admin API: no cross-origin page by default (it holds every secret)
    journal_size: int = 1000
    anchor: str | None = None  # ISO 8601 instant every new tenant's seeded dates hang off (else its creation day)
    print_credentials: str = "table"  # start-up output: table, json or none
    default_tenant: bool = True
    rate_limit: str = ""  # comma-separated vendors whose documented rate limit every tenant gets ("absorb")
    log_requests: bool | None = None  # one line per request on stdout; None: `serve` logs when stdout is no terminal
    log_format: str = "text"  # the request log's lines: text or json
    tls: bool = False  # serve HTTPS with a certificate from the emulator's local certificate authority
    fallback_target: str | None = None  # where vendor calls no route and no stub answers go (core.stubs)
    webhook_allow: str = ""  # hosts, addresses or networks webhooks may call besides loopback (core.outbound)
    users: int | None = None  # every new tenant's seeded world grown to this many users (core.scale); None: default
    tls_names: str = ""  # more names for the --tls server certificate, comma-separated (emulator.tls)
    fast_pages: bool = True  # the page step answers pages in front of Flask (core.pipeline.PageStep); 0: never
    # seconds a client has to send a whole request, from its first byte; later: 408 and the connection closed
    # (granian: emulator.granian_bridge; gunicorn: emulator.gunicorn_worker). The default is core.http's
    # BODY_DEADLINE, written out here so that `serve --help` loads no Flask (tests/test_cli.py compares them).
    body_timeout: float = 10.0

    @classmethod
    def load(cls, overrides: dict[str, Any] | None = None, *, option_names: bool = False) -> Settings:
        """Defaults, then the environment, then ``overrides``; each value checked. ``option_names``: name a bad
        override by its command-line option (``--port``) rather than its key. Core's switches
        (``core.env.Switches``) are checked here too, so that a bad one stops the start as a bad setting does."""
        switches()
        values: dict[str, Any] = {}
        known = {f.name for f in fields(cls)}
        for name in known:
            raw = variable(name)
            if raw is not None:
                values[name] = check(name, raw, ENV_PREFIX + name.upper())
        for key, value in (overrides or {}).items():
            if key not in known:
                raise SettingsError(f"unknown setting {key!r} (known: {', '.join(sorted(known))})")
            if value is not None:
                values[key] = check(key, value, "--" + key.replace("_", "-") if option_names else key)
        return cls(**values)


def _integer(low: int, high: int | None, what: str) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number = whole_number(value, what)
        if number < low or (high is not None and number > high):
            raise ValueError(f"{number} is not {what}")
        return number
    return parse


def _seconds(low: float, high: float) -> Callable[[Any], float]:
    """A number of seconds in (``low``, ``high``]: ``2``, ``0.5``."""
    def parse(value: Any) -> float:
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a number of seconds")
        try:
            number = float(value) if isinstance(value, (int, float)) else float(str(value).strip())
        except ValueError:
            raise ValueError(f"{str(value)!r} is not a number of seconds") from None
        if not low < number <= high:  # NaN fails both comparisons
            raise ValueError(f"{number:g} is not a number of seconds above {low:g} and at most {high:g}")
        return number
    return parse


def _maybe_boolean(value: Any) -> bool | None:
    """A boolean, or unset (empty, ``auto``): the server decides."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "auto")):
        return None
    return boolean(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value


def _non_empty(value: Any) -> str:
    if not _text(value).strip():
        raise ValueError("must not be empty")
    return value


def _optional(value: Any) -> str | None:
    """Text that may be unset: empty (``LMS_EMULATOR_ADMIN_TOKEN=``) means not given."""
    return _text(value) if _text(value).strip() else None


def _anchor(value: Any) -> str | None:
    if not _optional(value):
        return None
    try:
        instant = parse_iso_datetime(_text(value))
    except (ValueError, TypeError):
        raise ValueError(f"{value!r} is not an ISO 8601 date-time (e.g. 2030-01-01T00:00:00Z)") from None
    check_anchor(instant)  # its ValueError says which anchors can seed a world
    return value


def _hosts(value: str) -> str:
    """Comma-separated host names, addresses or networks (``core.outbound.Policy`` reads them)."""
    for part in (p.strip() for p in value.split(",")):
        if part and not all(c.isalnum() or c in ".-:/_" for c in part):
            raise ValueError(f"{part!r} is not a host name, an address or a network")
    return value


def _fallback(value: Any) -> str | None:
    """``absorb=URL`` items or a bare URL, comma-separated (``core.forward.Targets``)."""
    if not _optional(value):
        return None
    try:
        Targets.parse(_text(value))
    except TargetError as exc:
        raise ValueError(str(exc)) from None
    return value


def _one_of(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
        return value
    return parse


CHECKS: dict[str, Callable[[Any], Any]] = {
    "host": _non_empty, "port": _integer(0, 65535, "a port number (0-65535; 0 picks a free port)"),
    "seed": _integer(0, None, "a seed (a non-negative integer)"), "admin_token": _optional,
    "state_file": _optional, "fixtures": _optional, "strict": boolean, "cors_origins": _text,
    "admin_cors_origins": _text,
    "journal_size": _integer(1, None, "a journal size (a positive integer)"), "anchor": _anchor,
    "print_credentials": _one_of("table", "json", "none"), "default_tenant": boolean, "rate_limit": _text,
    "log_requests": _maybe_boolean, "log_format": _one_of("text", "json"), "tls": boolean,
    "fallback_target": _fallback,
    "webhook_allow": lambda value: _hosts(_text(value)),
    "users": lambda value: check_users(None if isinstance(value, str) and not value.strip() else value),
    "fast_pages": boolean, "tls_names": _text,
    "body_timeout": _seconds(0, 3600),
}


def check(name: str, value: Any, where: str) -> Any:
    """``value`` for setting ``name``, parsed and checked; ``SettingsError`` naming ``where`` otherwise."""
    try:
        return CHECKS[name](value)
    except ValueError as exc:
        raise SettingsError(f"{where}: {exc}") from None
