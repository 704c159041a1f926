"""The production stack of README › Deploying, driven by Chromium over HTTPS through nginx:
two gunicorn web nodes behind one round-robin upstream, a worker and beat, PostgreSQL and Redis,
DEBUG=0. Whatever a request needs (session, flash message, CSV preview, rate-limit counts) must
be shared, since consecutive requests land on different nodes; each test proves the crossing
from the nodes' own request logs (nginx sends the request id, each node logs it)."""

from __future__ import annotations

import http.client
import json
import re
import socket
import ssl

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import CHROMIUM_ARGS, chromium_path
from tests.factories import TEST_PASSWORD
from tests.reminders.live import smtp_sink

from .stack import HOST, bring_up, json_lines, query, wait_until

pytestmark = pytest.mark.deploy

IMPORT_CSV = (
    "email,name,role,department\n"
    "stack.new@medicine.example.edu,Dr. Ana Lopez,mentor,Pediatrics\n"
    "not-an-email,Dr. Sam Reed,mentor,Surgery\n"
)
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def sink():
    with smtp_sink() as sink:
        yield sink


@pytest.fixture(scope="module")
def stack(tmp_path_factory, sink):
    stack = bring_up(tmp_path_factory.mktemp("stack"), sink.port)
    try:
        yield stack
    finally:
        stack.close()


@pytest.fixture(scope="module")
def browser(stack):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


class Tab:
    """A browser tab on the stack that keeps every page (document) answer it got, redirects
    included, and the console errors (CSP violations among them)."""

    def __init__(self, browser, stack):
        self.stack = stack
        self.context = browser.new_context(base_url=stack.url, ignore_https_errors=True, locale="en-US",
                                           timezone_id="America/Los_Angeles")
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.documents: list = []
        self.errors: list[str] = []
        self.page.on("response", self._answered)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _answered(self, response):
        if response.request.resource_type == "document":
            self.documents.append(response)

    def mark(self) -> int:
        return len(self.documents)

    def since(self, mark: int) -> list:
        return self.documents[mark:]

    def node(self, response) -> str:
        return self.stack.node_of(response.headers.get("x-request-id"))

    def sign_in(self, email: str, password: str = TEST_PASSWORD, *, totp_secret: str = "") -> None:
        self.page.goto("/accounts/login/")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in", exact=True).click()
        if totp_secret:  # the second factor the production settings require of coordinators
            expect(self.page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
            self.page.locator("input[name=code]").fill(pyotp.TOTP(totp_secret).now())
            self.page.get_by_role("button", name="Sign in with the code").click()

    def close(self) -> None:
        assert not [d for d in self.documents if d.status >= 500], [(d.url, d.status) for d in self.documents]
        assert not self.errors, self.errors
        self.context.close()


@pytest.fixture
def tab(browser, stack):
    tab = Tab(browser, stack)
    yield tab
    tab.close()


def crossing(tab: Tab, mark: int) -> tuple:
    """The POST answered with a redirect since ``mark`` and the page it led to."""
    answers = tab.since(mark)
    posted = next(a for a in answers if a.request.method == "POST")
    landed = answers[answers.index(posted) + 1]
    assert posted.status == 302 and landed.request.method == "GET" and landed.status == 200, [
        (a.request.method, a.url, a.status) for a in answers]
    return posted, landed


def test_it_carries_a_mentor_signed_in_through_both_nodes_to_an_rsvp_and_its_flash_message(stack, tab):
    world, page = stack.world, tab.page
    tab.sign_in(world["mentor"])
    expect(page).to_have_url(f"{stack.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Community").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentor Community")
    page.get_by_role("link", name=world["program"]["community_name"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world["program"]["community_name"])
    page.get_by_role("region", name="Next meeting").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world["meeting"]["title"])

    mark = tab.mark()
    page.get_by_role("group", name="Will you come?").get_by_role("button", name="Yes").click()
    expect(page.get_by_role("alert")).to_contain_text("is saved: yes")
    expect(page.get_by_role("button", name="Yes", pressed=True)).to_be_visible()
    posted, landed = crossing(tab, mark)
    assert tab.node(posted) != tab.node(landed), "the RSVP and the page showing its message came from one node"
    assert query(stack, "SELECT r.answer FROM community_rsvp r JOIN mentorprogram_user u ON u.id = r.user_id "
                        "WHERE u.email = %s", (world["mentor"],)) == [("yes",)]
    # One session, served by both nodes: every page since signing in was a signed-in page.
    assert {tab.node(d) for d in tab.documents} == {"web-a", "web-b"}


def test_it_answers_with_hsts_csp_and_secure_cookies(stack, tab):
    tab.sign_in(stack.world["mentor"])
    expect(tab.page).to_have_url(f"{stack.url}/")
    answer = tab.documents[-1]
    headers = answer.headers
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    cookies = {c["name"]: c for c in tab.context.cookies()}
    assert cookies["sessionid"]["secure"] and cookies["sessionid"]["httpOnly"]
    assert cookies["csrftoken"]["secure"]

    # Static files come from nginx itself (no request id: no web node saw them), hashed and kept a year.
    stylesheet = tab.page.locator("link[rel=stylesheet]").first.get_attribute("href")
    assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet), stylesheet
    static = stack.get(stylesheet)
    assert static.status == 200 and "X-Request-ID" not in static.headers
    assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert static.headers["Strict-Transport-Security"].startswith("max-age=31536000")

    plain = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=5)
    plain.request("GET", "/profile/", headers={"Host": HOST})
    moved = plain.getresponse()
    assert moved.status == 301 and moved.headers["Location"] == f"https://{HOST}/profile/"


def test_it_previews_and_confirms_a_csv_import_on_different_nodes_and_the_worker_invites(stack, tab, sink):
    world, page = stack.world, tab.page
    tab.sign_in(world["coordinator"], totp_secret=world["coordinator_totp"])
    expect(page).to_have_url(f"{stack.url}/")
    page.goto("/admin/mentorprogram/membership/import/")
    page.get_by_label("Program").select_option(label=world["program"]["name"])
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV.encode()}])
    mark = tab.mark()
    page.get_by_role("button", name="Preview").click()
    preview_table = page.get_by_role("table", name=f"Rows of the file for {world['program']['name']}")
    expect(preview_table).to_be_visible()
    expect(preview_table.locator("tr.import-create")).to_contain_text("stack.new@medicine.example.edu")
    (preview,) = tab.since(mark)
    assert preview.request.method == "POST" and preview.status == 200
    assert not query(stack, "SELECT 1 FROM mentorprogram_user WHERE email = %s", ("stack.new@medicine.example.edu",))

    mark = tab.mark()
    page.get_by_role("button", name=re.compile(r"^Import 1 change")).click()
    expect(page.locator(".messagelist")).to_contain_text(f"Imported into {world['program']['name']}: 1 new people")
    confirm, changelist = crossing(tab, mark)
    assert tab.node(preview) != tab.node(confirm), "the preview and its confirmation came from one node"
    assert tab.node(confirm) != tab.node(changelist), "the import and its flash message came from one node"
    assert query(stack, "SELECT m.status FROM mentorprogram_membership m JOIN mentorprogram_user u "
                        "ON u.id = m.user_id WHERE u.email = %s", ("stack.new@medicine.example.edu",)) == [("invited",)]

    assert wait_until(lambda: any("stack.new@medicine.example.edu" in (m["To"] or "") for m in sink.accepted), 30), (
        "the worker sent no invitation:\n" + stack.tail("worker"))
    # The outbox's send task that the confirmation queued logs the id of that request.
    def sends_queued_by_the_confirmation() -> list[dict]:
        return [line for line in json_lines(stack.logs / "worker.log")
                if line.get("task") == "mentorprogram.tasks.send_emails"
                and line.get("request_id") == confirm.headers["x-request-id"]]

    assert wait_until(sends_queued_by_the_confirmation, 10), stack.tail("worker")


def test_the_worker_delivers_the_reminder_beat_dispatched_and_logs_its_tasks_as_json(stack, sink):
    mentor = stack.world["mentor"]
    assert wait_until(lambda: any(mentor in (m["To"] or "") for m in sink.accepted), 45), (
        "no reminder reached the mentor:\n" + stack.tail("worker") + "\n" + stack.tail("beat"))
    (reminder,) = [m for m in sink.accepted if mentor in (m["To"] or "")]
    subject = " ".join(str(reminder["Subject"]).split())
    assert subject.startswith(f"Reminder: {stack.world['program']['community_name']} meets"), subject
    tasks = [line for line in json_lines(stack.logs / "worker.log") if line.get("logger") == "mentorprogram.task"]
    assert any(t["task"].startswith("reminders.") and t["status"] == "SUCCESS" for t in tasks), tasks[-5:]
    assert all({"time", "level", "request_id", "duration_ms", "task_id"} <= set(t) for t in tasks)
    assert not any(mentor in json.dumps(line) for line in json_lines(stack.logs / "worker.log"))


def test_healthz_answers_200_through_nginx(stack):
    answer = stack.get("/healthz")
    assert answer.status == 200
    state = json.loads(answer.read())
    assert state["database"] == "ok" and state["broker"] == "ok"


def test_the_sign_in_rate_limit_counts_across_both_nodes(stack, tab):
    page, locked = tab.page, stack.world["locked"]
    page.goto("/accounts/login/")
    mark = tab.mark()
    for _ in range(5):
        page.get_by_label("Email").fill(locked)
        page.get_by_label("Password").fill("not the password at all")
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("alert").or_(page.locator(".alert, .errorlist")).first).to_contain_text(
            "not correct")
    failed = [a for a in tab.since(mark) if a.request.method == "POST"]
    assert len(failed) == 5 and {tab.node(a) for a in failed} == {"web-a", "web-b"}
    page.get_by_label("Email").fill(locked)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("body")).to_contain_text("Too many failed login attempts")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_nginx_refuses_a_20_mb_body_before_any_node_sees_it(stack):
    context = ssl.create_default_context(cafile=str(stack.cert))
    with socket.create_connection(("127.0.0.1", stack.https_port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname=HOST) as tls:
        tls.sendall(
            f"POST /accounts/login/ HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: {20 * 1024 * 1024}\r\nConnection: close\r\n\r\n".encode()
        )
        answer = tls.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    # nginx logs the request once the connection is done with.
    assert wait_until(lambda: refused_by_nginx(stack), 15), (stack.logs / "mentorprogram.access.log").read_text()
    assert all(line["upstream"] == "" for line in refused_by_nginx(stack))  # nginx answered itself
    assert not any(line.get("status") == 413 for node in stack.nodes for line in json_lines(node.log))


def refused_by_nginx(stack) -> list[dict]:
    return [line for line in json_lines(stack.logs / "mentorprogram.access.log") if line["status"] == 413]


def test_the_web_nodes_log_json_lines_only_and_never_an_email_address(stack):
    private = [stack.world[k] for k in ("mentor", "coordinator", "locked")] + ["stack.new@medicine.example.edu"]
    for node in stack.nodes:
        lines = node.log.read_text(errors="replace").splitlines()
        served = lines[lines.index("preflight: production configuration ok") + 1:]
        assert served and all(line.startswith("{") for line in served), [ln for ln in served if ln[:1] != "{"][:5]
        requests = [line for line in json_lines(node.log) if line.get("logger") == "mentorprogram.request"]
        assert requests and all({"request_id", "status", "duration_ms", "user_id", "route"} <= set(r) for r in requests)
        assert not any(address in "\n".join(served) for address in private)
