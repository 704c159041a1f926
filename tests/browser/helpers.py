"""Helpers for the browser tests: audit a page, visit a path, sign in and out (see README.md)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from tests.factories import TEST_PASSWORD

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(settings.VAR_DIR) / "test-artifacts"
FAILING_IMPACTS = ("serious", "critical")
TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    candidates = [os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"), shutil.which("chromium-browser")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


@dataclass
class TabRecord:
    """What happened in one tab since its last audit."""

    base_url: str
    problems: list[str] = field(default_factory=list)
    landed: str | None = None
    unaudited: list[str] = field(default_factory=list)
    audited: list[str] = field(default_factory=list)


RECORDS: dict[int, TabRecord] = {}


def record_for(page) -> TabRecord:
    return RECORDS[id(page)]


AXE_RUN = """async (impacts) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}"""


def audit(page) -> None:
    """Check the page the tab shows now: accessibility (axe-core), CSP, script and server errors."""
    page.wait_for_load_state("load")
    record = record_for(page)
    violations = page.evaluate(AXE_RUN, list(FAILING_IMPACTS))
    problems, record.problems = record.problems, []
    if record.landed is not None:
        record.audited.append(record.landed)
        record.landed = None
    assert not violations, f"accessibility violations on {page.url}:\n" + "\n".join(violations)
    assert not problems, "\n".join(problems)


def visit(page, path: str, *, status: int = 200) -> None:
    """Open ``path`` on the live server, check the status, and audit the page."""
    response = page.goto(path)
    assert response is not None and response.status == status, f"{path} answered {response and response.status}"
    audit(page)


def sign_in(page, user, password: str = TEST_PASSWORD) -> None:
    """Sign in through the form, as a person would, and land on the page it leads to."""
    visit(page, "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    audit(page)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: "/accounts/logout/" not in url)
    audit(page)
