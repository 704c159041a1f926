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


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    node = shutil.which("node")
    if node is None:
        missing("Node.js is not installed: the OpenID Connect tests run panva's oidc-provider")
    if not (Path(settings.BASE_DIR) / "node_modules" / "oidc-provider").is_dir():
        missing("oidc-provider is not installed (npm ci)")
    config = tmp_path_factory.mktemp("oidc") / "config.json"
    client = {"client_id": "mentorprogram", "client_secret": "a-test-client-secret-of-some-length",
              "redirect_uri": CALLBACK}
    config.write_text(json.dumps({**client, "accounts": OIDC_ACCOUNTS}))
    process, issuer = start([node, str(HERE / "oidc_provider.mjs"), str(free_port()), str(config)], ready="READY ")
    yield SimpleNamespace(issuer=issuer, **client)
    process.terminate()
    process.wait(timeout=10)
