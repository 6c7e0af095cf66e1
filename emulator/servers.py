"""The HTTP servers ``lms-emulator serve`` can run the app on: granian (the default), gunicorn, werkzeug.

``run(app, server, host, port, threads, on_ready)`` binds, calls ``on_ready(port)`` once the socket
listens, and serves in this process until Ctrl-C or SIGTERM. There is always one worker: every tenant
lives in this process's memory, so a second worker process would hold tenants of its own.

* **granian** (a Rust HTTP server): reads and parses each request's headers in Rust, so an idle client or one
  sending its headers slowly holds no Python thread; its RSGI interface reads the body on the event loop
  (``emulator.granian_bridge``), so one that never sends its body holds none either (408 after the deadline).
  Run in this process (granian's thread worker, no supervisor process), on a socket bound here without
  ``SO_REUSEPORT``: granian's own listener sets it, and a second emulator started on the same port would then
  silently share it.
* **gunicorn**: the Procfile's server with its settings (``emulator.gunicorn_conf``: its worker class, limits);
  one forked worker serving the app built here.
* **werkzeug**: the development server, a thread per connection (``--threads`` does not apply).

Figures for each are in docs/PERFORMANCE.md (``make bench``). ``--tls`` is served by granian and werkzeug
(``emulator.tls``); every server writes the request log (``core.requestlog``) when it is on.
"""
from __future__ import annotations

import os
import signal
import socket
from typing import TYPE_CHECKING, Any
from collections.abc import Callable

from werkzeug.serving import WSGIRequestHandler
from .core import gcpolicy

if TYPE_CHECKING:  # the type only: trustme's import (~150 ms) is for --tls alone
    from .tls import ServerCertificate

SERVERS = ("granian", "gunicorn", "werkzeug")
# Python threads running the app. Both servers read each request whole before a thread takes it (granian through
# emulator.granian_bridge, gunicorn through emulator.gunicorn_worker), and both wait out delay faults without a
# thread. With 8 connections at most 8 are busy: wrk -c8, alternating, 1 vs 16 threads: the list 0.99x, varied
# reads 1.16x, p99 14 vs 19 ms (docs/PERFORMANCE.md). gunicorn: 8, as the Procfile.
DEFAULT_THREADS = {"granian": 32, "gunicorn": 8}
BACKLOG = 1024

OnReady = Callable[[int], None]


class ServerError(RuntimeError):
    """The server could not start (address in use, unknown server, bad thread count)."""


def check(server: str, threads: int | None, workers: int) -> None:
    """Refuse what cannot work, before the app is built."""
    if server not in SERVERS:
        raise ServerError(f"unknown server {server!r}; choose one of {', '.join(SERVERS)}")
    if workers != 1:
        raise ServerError("--workers must be 1: every tenant lives in the one process's memory, so a second "
                          "worker would answer with tenants, tokens and writes of its own")
    if threads is not None:
        if server == "werkzeug":
            raise ServerError("--threads does not apply to werkzeug (it starts a thread per connection)")
        if threads < 1:
            raise ServerError("--threads must be at least 1")


def run(app: Any, server: str, host: str, port: int, threads: int | None = None,
        on_ready: OnReady | None = None, tls: ServerCertificate | None = None) -> None:
    """``tls``: serve HTTPS with this certificate (``emulator.tls``)."""
    check(server, threads, 1)
    threads = threads or DEFAULT_THREADS.get(server, 1)
    on_ready = on_ready or (lambda port: None)
    {"granian": _granian, "gunicorn": _gunicorn, "werkzeug": _werkzeug}[server](app, host, port, threads, on_ready,
                                                                             tls)


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket, exclusively bound (``SO_REUSEADDR`` only, as every server sets), with
    ``TCP_NODELAY`` as granian's own listener has (without it, Nagle and delayed ACKs held answers 40 ms)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # accepted sockets inherit it: no 40 ms stalls
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.listen(BACKLOG)
    return sock


# -- granian ------------------------------------------------------------------------------------

def _granian(app: Any, host: str, port: int, threads: int, on_ready: OnReady,
             tls: ServerCertificate | None = None) -> None:
    # granian, gunicorn and werkzeug's server load only for the server chosen (one per process)
    from granian._granian import SocketHolder
    from granian.constants import Interfaces, SSLProtocols
    from granian.log import LogLevels
    from granian.server.mt import MTServer

    from .granian_bridge import RsgiBridge  # granian's RSGI types: with granian only

    sock = listen(host, port)
    bound = sock.getsockname()[1]
    fd = sock.detach()  # granian's socket holder owns the descriptor from here on (and closes it)

    class InProcess(MTServer):
        """granian's thread worker in this process. Its guard is for a free-threaded Python; with the GIL
        the one worker thread serves as a worker process would (the worker is the same Rust code)."""

        def _check_gil(self) -> None:
            pass

        def _init_shared_socket(self) -> None:
            # The ignore: granian's stub gives SocketHolder no constructor (it is (fd, uds, backlog)) and types
            # these private attributes as the None they start as.
            self._ssp, self._shd, self._sfd = None, SocketHolder(fd, False, BACKLOG), fd  # type: ignore[call-arg,assignment]

    https: dict[str, Any] = {} if tls is None else {"ssl_cert": tls.cert_file, "ssl_key": tls.key_file,
                                                     "ssl_protocol_min": SSLProtocols.tls12}  # clients of TLS 1.2 too
    bridge = RsgiBridge(app, threads)  # the app on threads of its own; bodies read on granian's event loop
    granian = InProcess("emulator:create_app", address=host, port=bound, interface=Interfaces.RSGI, workers=1,
                        backlog=BACKLOG, log_level=LogLevels.error, **https)
    granian.on_startup(lambda: on_ready(bound))
    _hide_cgi_variables()
    # The ignore: granian's annotation asks for a callable; an RSGI application object (``__rsgi__``) is what it runs.
    granian.serve(target_loader=lambda *args: bridge, wrap_loader=False)  # type: ignore[arg-type]


CGI_NAMES = ("CONTENT_TYPE", "CONTENT_LENGTH", "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_USER", "AUTH_TYPE",
             "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "PATH_INFO", "QUERY_STRING", "REQUEST_METHOD")


def _hide_cgi_variables() -> None:
    """granian starts every WSGI environ from a copy of ``os.environ``: a variable named like request data
    (``HTTP_PROXY``, ``CONTENT_TYPE``) would reach the app as if the client had sent it (it cannot be told
    apart afterwards). The serving process makes no outgoing calls, so such variables are dropped from it."""
    for key in [k for k in os.environ if k.startswith("HTTP_") or k in CGI_NAMES]:
        del os.environ[key]


# -- gunicorn -----------------------------------------------------------------------------------

def _gunicorn(app: Any, host: str, port: int, threads: int, on_ready: OnReady,
              tls: ServerCertificate | None = None) -> None:
    from gunicorn.app.base import Application  # the chosen server only (see _granian)

    listen(host, port).close()  # a clear error now if the address is taken (gunicorn would retry, then log)

    class Embedded(Application):
        def init(self, parser: Any, opts: Any, args: Any) -> None:
            return None

        def load_config(self) -> None:
            self.load_config_from_module_name_or_filename("python:emulator.gunicorn_conf")
            address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            for key, value in {"bind": [address], "workers": 1, "threads": threads,  # worker class: gunicorn_conf's
                               "control_socket_disable": True,  # one per user's home: two servers would clash
                               "post_worker_init": _gunicorn_worker_init,  # serve prints the start-up output
                               "on_starting": lambda arbiter: None,  # serve checked its settings already
                               "when_ready": lambda arbiter: on_ready(arbiter.LISTENERS[0].sock.getsockname()[1]),
                               **({} if tls is None else {"certfile": str(tls.cert_file), "keyfile": str(tls.key_file)})
                               }.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    Embedded().run()  # the arbiter stops on SIGINT/SIGTERM (SystemExit(0))


def _gunicorn_worker_init(worker: Any) -> None:
    gcpolicy.enable()


# -- werkzeug -----------------------------------------------------------------------------------

def _werkzeug(app: Any, host: str, port: int, threads: int, on_ready: OnReady,
              tls: ServerCertificate | None = None) -> None:
    from werkzeug.serving import make_server  # the chosen server only (see _granian)

    context = None if tls is None else (str(tls.cert_file), str(tls.key_file))
    sock = listen(host, port)  # bound here: werkzeug's own refusal is two unprefixed lines and an exit
    try:
        server = make_server(host, port, app, threaded=True, ssl_context=context, request_handler=_QuietHandler,
                             fd=sock.fileno())
    except OSError as exc:
        raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    finally:
        sock.close()  # werkzeug serves on its own duplicate of the descriptor
    previous = signal.signal(signal.SIGTERM, _interrupt)
    on_ready(server.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()


class _QuietHandler(WSGIRequestHandler):
    """werkzeug's handler without its own access lines: the emulator's request log (``core.requestlog``) prints
    one line per request on every server, when asked."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
