"""Core pages, accounts (allauth) and the health check."""

from __future__ import annotations

from . import (
    NOT_ALLOWED,
    OWNER_ONLY,
    PROGRAM_MEMBERS,
    PUBLIC,
    SIGNED_IN,
    SIGNED_IN_NOT_ALLOWED,
    Route,
    builder,
    expect,
)

ADMIN_OF_OWNERS_PROGRAM = expect(owner=302, other_mentor=302, coordinator=200, other_coordinator=404, staff=403,
                                 mentee=302, other_mentee=302)
"""An admin page of the owner's program: coordinators of the program only. People who are not staff
are sent to the admin's sign-in, staff without a program are refused, another program's coordinator
finds nothing."""
TO_MENTEE_HOME = {"mentee": 302, "other_mentee": 302}
COORDINATOR_ADMIN = expect(owner=302, other_mentor=302, coordinator=200, other_coordinator=200, staff=403,
                           mentee=302, other_mentee=302)
"""An admin page of one's own programs (each coordinator their own)."""
SUPERUSERS_ADMIN = expect(owner=302, other_mentor=302, coordinator=403, other_coordinator=403, staff=403,
                          mentee=302, other_mentee=302)
"""An admin page for superusers only (the matrix has none: tests/mentorprogram/test_audit_access.py)."""
NO_FACTOR = {**dict.fromkeys(PUBLIC, 404), "anonymous": 302}
"""A page about one's own second factor, for people who have none."""
OWN_KEY = dict.fromkeys(PUBLIC, 302)
"""Another person's security key: everyone is asked for the password again (or to sign in) before
the key is even looked up, so nothing is found or changed (allauth then finds only one's own keys)."""
ANSWER_OWN_INVITATION = expect(owner=302, coordinator=404)
"""The person invited answers (and is sent on); nobody else finds the invitation."""


@builder
def invitation(w) -> None:
    from mentorprogram.models import Membership
    from tests.factories import MembershipFactory

    # Another program invites the owner's existing account: open until the owner answers.
    w.objects.invitation = MembershipFactory(
        user=w.people["owner"], program=w.other_program, role=Membership.Role.MENTOR,
        status=Membership.Status.INVITED, awaiting_acceptance=True,
    )

@builder
def security_key(w) -> None:
    from allauth.mfa.models import Authenticator

    from tests.factories import UserFactory

    # Someone else's key, which no role may rename or remove.
    w.objects.security_key = Authenticator.objects.create(
        user=UserFactory(email="key.holder@example.org"), type=Authenticator.Type.WEBAUTHN,
        data={"name": "Someone's key", "credential": {}})


@builder
def unanswered_invitation(w) -> None:
    from mentorprogram.models import Membership
    from tests.factories import MembershipFactory, UserFactory

    # A new account the owner's program invited, for its coordinators to send again.
    w.objects.unanswered_invitation = MembershipFactory(
        user=UserFactory(password=None, email="invited.newcomer@example.org"), program=w.program,
        role=Membership.Role.MENTOR, status=Membership.Status.INVITED,
    )


@builder
def data_export(w) -> None:
    from mentorprogram.privacy.export import download_token
    from tests.factories.privacy import DataExportFactory

    # The owner's copy of their data, ready, and the link their email carries.
    w.objects.data_export_token = download_token(DataExportFactory(user=w.people["owner"]))


ROUTES = [
    # A mentee who takes part (and holds no membership) is sent on to their mentoring page.
    Route("dashboard:home", get={**PUBLIC, **TO_MENTEE_HOME}, post=NOT_ALLOWED),
    Route("dashboard:mine", get={**PUBLIC, **TO_MENTEE_HOME}, post=NOT_ALLOWED),
    Route("dashboard:first_steps", get={**SIGNED_IN, **TO_MENTEE_HOME}, post=NOT_ALLOWED),
    Route("healthz", get=PUBLIC, post=NOT_ALLOWED),
    # A List-Unsubscribe link: the signed token is the credential; a forged one is 404 to everyone.
    Route("unsubscribe", kwargs=lambda w: {"token": "not-a-signed-token"},
          get=dict.fromkeys(PUBLIC, 404), post=dict.fromkeys(PUBLIC, 404)),
    Route("profile", get=SIGNED_IN, post=SIGNED_IN),
    # Ends one's own sign-ins (tests/mentorprogram/test_session_limits.py), then the sign-in page.
    Route("sign_out_everywhere", get=SIGNED_IN_NOT_ALLOWED, post=dict.fromkeys(PUBLIC, 302)),
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
    # allauth.mfa: each person's own second factor. Adding or removing one asks the password again
    # (302 to account_reauthenticate); codes are shown only to someone who has them.
    Route("mfa_index", get=SIGNED_IN, post=SIGNED_IN_NOT_ALLOWED),
    # No sign-in under way (authenticate), or no factor yet to prove (reauthenticate): sent on.
    Route("mfa_authenticate", get=dict.fromkeys(PUBLIC, 302), post=dict.fromkeys(PUBLIC, 302)),
    Route("mfa_reauthenticate", get=dict.fromkeys(PUBLIC, 302), post=dict.fromkeys(PUBLIC, 302)),
    Route("mfa_activate_totp", get=dict.fromkeys(PUBLIC, 302), post=dict.fromkeys(PUBLIC, 302)),
    Route("mfa_generate_recovery_codes", get=dict.fromkeys(PUBLIC, 302), post=dict.fromkeys(PUBLIC, 302)),
    # Security keys (WebAuthn, tests/browser/test_webauthn.py): adding one asks the password again,
    # and so does another person's key; the passkey sign-in answers its script only (a browser that
    # opens it is sent to the sign-in page).
    Route("mfa_list_webauthn", get=SIGNED_IN, post=SIGNED_IN_NOT_ALLOWED),
    Route("mfa_add_webauthn", get=dict.fromkeys(PUBLIC, 302), post=dict.fromkeys(PUBLIC, 302)),
    Route("mfa_reauthenticate_webauthn", get=dict.fromkeys(PUBLIC, 302), post=dict.fromkeys(PUBLIC, 302)),
    *[Route(name, kwargs=lambda w: {"pk": w.objects.security_key.pk}, get=OWN_KEY, post=OWN_KEY)
      for name in ("mfa_remove_webauthn", "mfa_edit_webauthn")],
    Route("mfa_login_webauthn", get=dict.fromkeys(PUBLIC, 302), post=dict.fromkeys(PUBLIC, 302)),
    # Nothing to remove or show to someone who has no factor.
    Route("mfa_deactivate_totp", get=NO_FACTOR, post=NO_FACTOR),
    Route("mfa_view_recovery_codes", get=NO_FACTOR, post=SIGNED_IN_NOT_ALLOWED),
    Route("mfa_download_recovery_codes", get=NO_FACTOR, post=NO_FACTOR),
    # allauth.socialaccount (single sign-on, tests/sso/): each person's own linked sign-ins; the
    # sign-up step is closed (sent on); a provider that is not configured is not found.
    Route("socialaccount_connections", get=SIGNED_IN, post=SIGNED_IN),
    Route("socialaccount_login_cancelled", get=PUBLIC, post=NOT_ALLOWED),
    Route("socialaccount_login_error", get=dict.fromkeys(PUBLIC, 401), post=NOT_ALLOWED),
    Route("socialaccount_signup", get=dict.fromkeys(PUBLIC, 302), post=dict.fromkeys(PUBLIC, 302)),
    Route("openid_connect_login", kwargs=lambda w: {"provider_id": "not-configured"},
          get=dict.fromkeys(PUBLIC, 404), post=dict.fromkeys(PUBLIC, 404)),
    Route("openid_connect_callback", kwargs=lambda w: {"provider_id": "not-configured"},
          get=dict.fromkeys(PUBLIC, 404), post=dict.fromkeys(PUBLIC, 404)),
    # SAML: a provider that is not configured is not found; the ACS keeps whatever is posted only to
    # hand it to its finishing step (which finds no provider).
    *[Route(name, kwargs=lambda w: {"organization_slug": "not-configured"},
            get=dict.fromkeys(PUBLIC, 404), post=dict.fromkeys(PUBLIC, 404))
      for name in ("saml_finish_acs", "saml_sls", "saml_metadata", "saml_login")],
    Route("saml_acs", kwargs=lambda w: {"organization_slug": "not-configured"},
          get=dict.fromkeys(PUBLIC, 302), post=dict.fromkeys(PUBLIC, 302)),
    # A person's own data (tests/mentorprogram/test_data_export.py, test_erasure.py): each asks for their
    # own copy; the emailed link works for its person only; erasing oneself is refused unless every
    # program of the person allows it (the world's program does not), and to staff always.
    Route("data_export_request", get=SIGNED_IN_NOT_ALLOWED, post=dict.fromkeys(PUBLIC, 302)),
    Route("data_export_download", kwargs=lambda w: {"token": w.data_export_token},
          get=OWNER_ONLY, post=SIGNED_IN_NOT_ALLOWED),
    Route("erase_account", get=SIGNED_IN, post={**dict.fromkeys(PUBLIC, 403), "anonymous": 302},
          post_data=lambda w: {"email": w.people["owner"].email}),
    # Invitations: each person's own.
    Route("invitations", get=SIGNED_IN, post=SIGNED_IN_NOT_ALLOWED),
    # The invitation link: a forged key is moved into the session and then refused, for everyone.
    Route("invitation_welcome", kwargs=lambda w: {"uidb36": "zz", "key": "not-a-key"},
          get=dict.fromkeys(PUBLIC, 302), post=dict.fromkeys(PUBLIC, 302)),
    # Sending an unanswered invitation again: the program's coordinators only.
    Route("invitation_resend", kwargs=lambda w: {"pk": w.unanswered_invitation.pk}, get=SIGNED_IN_NOT_ALLOWED,
          post=expect(owner=404, coordinator=302)),
    Route("invitation_accept", kwargs=lambda w: {"pk": w.invitation.pk},
          get=SIGNED_IN_NOT_ALLOWED, post=ANSWER_OWN_INVITATION),
    Route("invitation_decline", kwargs=lambda w: {"pk": w.invitation.pk},
          get=SIGNED_IN_NOT_ALLOWED, post=ANSWER_OWN_INVITATION),
    # The admin pages where a coordinator meets people (the rest of the admin: test_admin_scoping.py).
    # A POST of the owner's page changes nothing of their sign-in (tests/mentorprogram/test_coordinator_powers.py).
    Route("admin:mentorprogram_user_change", kwargs=lambda w: {"object_id": str(w.people["owner"].pk)},
          get=ADMIN_OF_OWNERS_PROGRAM, post=ADMIN_OF_OWNERS_PROGRAM,
          post_data=lambda w: {"email": "taken-over@example.net", "display_name": "Taken", "time_zone": "UTC"}),
    Route("admin:mentorprogram_membership_import", get=COORDINATOR_ADMIN, post=COORDINATOR_ADMIN),
    # The audit trail: no coordinator reads it, not even their own members' entries.
    Route("admin:mentorprogram_auditentry_changelist", get=SUPERUSERS_ADMIN, post=SUPERUSERS_ADMIN),
    Route("admin:mentorprogram_membership_add", get=COORDINATOR_ADMIN, post=COORDINATOR_ADMIN,
          # The coordinator role, asked for by coordinators: a field error, nothing saved.
          post_data=lambda w: {"user": w.people["owner"].pk, "program": w.program.pk, "role": "coordinator",
                               "status": "active", "joined_on": "2026-01-05"}),
]
