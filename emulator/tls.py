"""``serve --tls``: HTTPS with a certificate from a local certificate authority the emulator makes and keeps.

Real clients hard-code ``https://`` (an iSpring organisation sync builds every URL as ``https://{domain}/...``),
so the emulator can serve HTTPS itself. The authority (``ca.pem``, its key ``ca-key.pem`` readable by the user
only) is made once, with trustme, in ``<cache>/tls/`` (``LMS_EMULATOR_CACHE``, else ``~/.cache/lms-emulator``)
and kept: a client told once to trust it (``REQUESTS_CA_BUNDLE``, ``NODE_EXTRA_CA_CERTS``, ``SSL_CERT_FILE``)
keeps trusting every later start. Each start issues a fresh server certificate from it, valid for a year, for
``localhost``, ``127.0.0.1``, ``::1``, this machine's name, the address bound (unless a wildcard) and the names
in ``LMS_EMULATOR_TLS_NAMES`` (``Settings.tls_names``, comma-separated: a compose service's name, say). Its
files live in a private temporary directory, removed when the server stops.
"""
from __future__ import annotations

import atexit
import contextlib
import datetime
import ipaddress
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

import trustme

from .config import tls_dir

WILDCARDS = ("0.0.0.0", "::", "")
LEAF_DAYS = 365


@dataclass(frozen=True)
class ServerCertificate:
    """The files a server needs: its certificate chain and key, and the authority's certificate clients trust."""

    cert_file: Path
    key_file: Path
    ca_file: Path


def authority(directory: Path | None = None) -> tuple[trustme.CA, Path]:
    """The emulator's certificate authority, made on first use and kept in ``directory``; with the path of its
    certificate. Two servers starting at once agree: the first file put in place wins, and both read it."""
    directory = directory or tls_dir()
    cert_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    if not (cert_path.exists() and key_path.exists()):
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        made = trustme.CA(organization_name="lms-emulator local CA")
        staging = Path(tempfile.mkdtemp(dir=directory))
        try:
            (staging / "ca-key.pem").write_bytes(made.private_key_pem.bytes())
            os.chmod(staging / "ca-key.pem", 0o600)
            (staging / "ca.pem").write_bytes(made.cert_pem.bytes())
            for name in ("ca-key.pem", "ca.pem"):  # the key first: ca.pem present means both are
                with contextlib.suppress(FileExistsError):
                    os.link(staging / name, directory / name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    ca = trustme.CA.from_pem(cert_path.read_bytes(), key_path.read_bytes())
    return ca, cert_path


def names(host: str, extra: str = "") -> list[str]:
    """What the server certificate is valid for (see the module's docstring); ``extra``: ``Settings.tls_names``."""
    found = ["localhost", "127.0.0.1", "::1", socket.gethostname()]
    if host not in WILDCARDS:
        found.append(host)
    found += [n.strip() for n in extra.split(",") if n.strip()]
    unique: list[str] = []
    for name in found:
        if name and name not in unique and _valid_name(name):
            unique.append(name)
    return unique


def _valid_name(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return all(part and len(part) < 64 and part.replace("-", "").replace("_", "").isalnum()
                   for part in name.rstrip(".").split("."))


def server_certificate(host: str, directory: Path | None = None, extra_names: str = "") -> ServerCertificate:
    """A fresh server certificate for ``host`` from the kept authority, in files removed at exit."""
    ca, ca_file = authority(directory)
    now = datetime.datetime.now(datetime.timezone.utc)
    leaf = ca.issue_cert(*names(host, extra_names), common_name="lms-emulator",
                         not_before=now - datetime.timedelta(days=1),
                         not_after=now + datetime.timedelta(days=LEAF_DAYS))
    private = Path(tempfile.mkdtemp(prefix="lms-emulator-tls-"))
    atexit.register(shutil.rmtree, private, True)
    cert_file, key_file = private / "server.pem", private / "server-key.pem"
    cert_file.write_bytes(b"".join(pem.bytes() for pem in leaf.cert_chain_pems))
    key_file.write_bytes(leaf.private_key_pem.bytes())
    os.chmod(key_file, 0o600)
    return ServerCertificate(cert_file, key_file, ca_file)

