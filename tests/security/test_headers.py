from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.template import engines
from django.urls import path, reverse

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_it_sends_a_same_origin_only_content_security_policy(client, db):
    csp = directives(client.get("/"))
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'"
    everything = " ".join(" ".join(v) for v in csp.values())
    assert "'unsafe-inline'" not in everything and "'unsafe-eval'" not in everything
    assert "*" not in everything and "http:" not in everything


def test_it_covers_the_admin_and_the_sign_in_pages_too(client, db):
    for url in ["/accounts/login/", "/admin/login/", reverse("healthz")]:
        assert "frame-ancestors 'none'" in client.get(url)["Content-Security-Policy"], url


def nonce_page(request):
    html = engines["django"].from_string('<script nonce="{{ CSP_NONCE }}">1</script>').render(request=request)
    return HttpResponse(html)


urlpatterns = [path("nonce/", nonce_page)]


@pytest.mark.urls(__name__)
def test_it_allows_an_inline_script_only_with_this_responses_nonce(client):
    first, second = client.get("/nonce/"), client.get("/nonce/")
    nonces = []
    for response in (first, second):
        nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
        assert f"'nonce-{nonce}'" in directives(response)["script-src"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_it_adds_no_nonce_to_pages_without_inline_script(client, db):
    assert not any(s.startswith("'nonce-") for s in directives(client.get("/"))["script-src"])


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)(?![^>]*\bnonce=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


@pytest.mark.parametrize("template", sorted(TEMPLATES_DIR.rglob("*.html")),
                         ids=lambda p: str(p.relative_to(TEMPLATES_DIR)))
def test_it_keeps_templates_free_of_code_the_policy_would_block(template):
    """Inline scripts need a nonce; style attributes and onclick= handlers are refused outright."""
    if "emails" in template.parts:
        pytest.skip("emails are not served under the policy")
    text = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "move the script to static/js/ or give it nonce=\"{{ CSP_NONCE }}\""
    assert not INLINE_STYLE.search(text), "use a class (static/css/site.css) or data-width instead of style="
    assert not INLINE_HANDLER.search(text), "attach event handlers from static/js/"


def test_it_forbids_framing_sniffing_and_cross_site_referrers(client, db):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url", ["/assessments/", "/assessments/1/take/", "/accountability/",
                                 "/accountability/mentees/3/", "/profile/", "/"])
def test_it_tells_browsers_not_to_store_private_pages(client, mentor, url):
    client.force_login(mentor)
    response = client.get(url)
    cache_control = response.get("Cache-Control", "")
    assert "no-store" in cache_control and "private" in cache_control, (url, response.status_code)


def test_it_keeps_any_other_page_of_a_signed_in_person_out_of_caches_too(client, mentor, program):
    client.force_login(mentor)
    response = client.get(reverse("program_detail", args=[program.slug]))
    assert "no-store" in response["Cache-Control"]


def test_it_keeps_admin_pages_out_of_caches(client, coordinator):
    client.force_login(coordinator)
    assert "no-store" in client.get("/admin/")["Cache-Control"]
