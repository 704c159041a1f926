"""Security settings: headers, sessions, rate limits, passwords. Every state-changing POST here
goes through ``csrf_post`` on a client that enforces CSRF, as a browser's would."""

from __future__ import annotations

from django.test import Client


def csrf_post(client: Client, url: str, data: dict, *, form_page: str | None = None):
    """Load the form page (to receive the CSRF cookie), then POST with the token, as a browser does."""
    client.get(form_page or url)
    token = client.cookies["csrftoken"].value
    return client.post(url, {**data, "csrfmiddlewaretoken": token})
