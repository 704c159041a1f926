"""Real identity providers for the single sign-on tests, each started once per test session.

Outside CI the tests skip when Node.js (for the OpenID provider) is missing; with ``CI=true``
they fail instead."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

HERE = Path(__file__).parent
CALLBACK = "http://testserver/accounts/oidc/campus/login/callback/"

# The provider's people, by the login typed at its sign-in page (also their ``sub``).
OIDC_ACCOUNTS = {
    "invited": {"claims": {"email": "invited@example.org", "email_verified": True, "name": "Ines Invited",
                           "given_name": "Ines", "family_name": "Invited"}},
    "mentor": {"claims": {"email": "mentor@example.org", "email_verified": True, "name": "Mia Mentor"}},
    "unknown": {"claims": {"email": "stranger@example.org", "email_verified": True, "name": "Sam Stranger"}},
    "unverified": {"claims": {"email": "mentor@example.org", "email_verified": False}},
    "visitor": {"claims": {"email": "visitor@elsewhere.net", "email_verified": True}},
    "wrong-aud": {"claims": {"email": "mentor@example.org", "email_verified": True}, "tamper": "aud"},
    "wrong-iss": {"claims": {"email": "mentor@example.org", "email_verified": True}, "tamper": "iss"},
    "expired": {"claims": {"email": "mentor@example.org", "email_verified": True}, "tamper": "exp"},
}


def missing(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI must run the single sign-on tests)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], *, ready: str, timeout: float = 20) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith(ready):
            return process, line[len(ready):].strip()
    process.kill()
    raise RuntimeError("the identity provider did not start:\n" + "".join(lines))


def node_or_missing() -> str:
    node = shutil.which("node")
    if node is None:
        missing("Node.js is not installed: the OpenID Connect tests run panva's oidc-provider")
    if not (Path(settings.BASE_DIR) / "node_modules" / "oidc-provider").is_dir():
        missing("oidc-provider is not installed (npm ci)")
    return node


@contextmanager
def running_oidc_provider(folder: Path, redirect_uri: str):
    """panva's oidc-provider on a free port, with one client whose callback is ``redirect_uri``."""
    node = node_or_missing()
    config = folder / "config.json"
    client = {"client_id": "mentorprogram", "client_secret": "a-test-client-secret-of-some-length",
              "redirect_uri": redirect_uri}
    config.write_text(json.dumps({**client, "accounts": OIDC_ACCOUNTS}))
    process, issuer = start([node, str(HERE / "oidc_provider.mjs"), str(free_port()), str(config)], ready="READY ")
    try:
        yield SimpleNamespace(issuer=issuer, **client)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    with running_oidc_provider(tmp_path_factory.mktemp("oidc"), CALLBACK) as provider:
        yield provider


SAML_IDP_ENTITY = "https://idp.example.edu/idp/shibboleth"
SAML_IDP_SSO = "https://idp.example.edu/idp/profile/SAML2/Redirect/SSO"


@pytest.fixture(scope="session")
def saml_idp_keys(tmp_path_factory):
    """The identity provider's signing key and self-signed certificate, made for this test run."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    if shutil.which("xmlsec1") is None:
        missing("xmlsec1 is not installed: the SAML tests sign and check assertions with it")
    folder = tmp_path_factory.mktemp("saml")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example.edu")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    key_file, cert_file = folder / "idp.key", folder / "idp.crt"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    cert_file.write_text(cert_pem)
    body = "".join(line for line in cert_pem.splitlines() if "CERTIFICATE" not in line)
    return SimpleNamespace(key_file=str(key_file), cert_file=str(cert_file), cert_body=body, folder=folder)
