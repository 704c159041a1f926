"""Core pages, accounts (allauth) and the health check."""

from __future__ import annotations

from . import NOT_ALLOWED, PROGRAM_MEMBERS, PUBLIC, SIGNED_IN, Route, expect

ROUTES = [
    Route("dashboard:home", get=PUBLIC, post=NOT_ALLOWED),
    Route("healthz", get=PUBLIC, post=NOT_ALLOWED),
    # A List-Unsubscribe link: the signed token is the credential; a forged one is 404 to everyone.
    Route("unsubscribe", kwargs=lambda w: {"token": "not-a-signed-token"},
          get=dict.fromkeys(PUBLIC, 404), post=dict.fromkeys(PUBLIC, 404)),
    Route("profile", get=SIGNED_IN, post=SIGNED_IN),
    Route(
        "program_detail",
        kwargs=lambda w: {"slug": w.program.slug},
        get=PROGRAM_MEMBERS, post=PROGRAM_MEMBERS,
        secret=lambda w: w.program.mission,
    ),
    # allauth: a signed-in person is sent on from the sign-in pages (302); forms re-render on POST.
    Route("account_login", get=expect(anonymous=200, owner=302, other_mentor=302, coordinator=302,
                                      other_coordinator=302, staff=302),
          post=expect(anonymous=200, owner=302, other_mentor=302, coordinator=302,
                      other_coordinator=302, staff=302)),
    Route("account_logout", get={**PUBLIC, "anonymous": 302}, post=dict.fromkeys(PUBLIC, 302)),
    Route("account_inactive", get=PUBLIC, post=NOT_ALLOWED),
    Route("account_signup", get=expect(anonymous=200, owner=302, other_mentor=302, coordinator=302,
                                       other_coordinator=302, staff=302),
          post=expect(anonymous=200, owner=302, other_mentor=302, coordinator=302,
                      other_coordinator=302, staff=302)),
    Route("account_reauthenticate", get=SIGNED_IN, post=SIGNED_IN),
    Route("account_email", get=SIGNED_IN, post={**dict.fromkeys(PUBLIC, 302)}),
    Route("account_email_verification_sent", get=PUBLIC, post=NOT_ALLOWED),
    Route("account_change_password", get=SIGNED_IN, post=SIGNED_IN),
    Route("account_set_password", get={**SIGNED_IN, **{r: 302 for r in SIGNED_IN if r != "anonymous"}},
          post={**SIGNED_IN, **{r: 302 for r in SIGNED_IN if r != "anonymous"}}),
    Route("account_reset_password", get=PUBLIC, post=PUBLIC),
    Route("account_confirm_login_code", get=dict.fromkeys(PUBLIC, 302), post=dict.fromkeys(PUBLIC, 302)),
    Route("account_confirm_email", kwargs=lambda w: {"key": "not-a-real-key"}, get=PUBLIC,
          post=dict.fromkeys(PUBLIC, 404)),
    Route("account_reset_password_from_key_done", get=PUBLIC, post=NOT_ALLOWED),
    Route("account_reset_password_from_key", kwargs=lambda w: {"uidb36": "zz", "key": "not-a-key"},
          get=PUBLIC, post=PUBLIC),
    Route("account_reset_password_done", get=PUBLIC, post=NOT_ALLOWED),
]
