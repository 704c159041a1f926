"""Every model that holds data about a person, what a copy of their data takes from it, and what
erasure does to it (README, "A person's data" and "Leaving and erasure").

One line per model and path to the person. ``tests/mentorprogram/test_personal_data_coverage.py``
walks every model of the project and fails for a foreign key, one-to-one or many-to-many field to
the user model or to ``accountability.Mentee`` (a person too, kept by their mentor) that no entry
here starts from. A new model that references a person is added here with one line, saying how
erasure treats it:

* ``Delete(reason)``: the rows are the person's own and nobody else relies on them.
* ``Anonymise(values, reason)``: the rows stay, because others rely on them, with every field
  that names or describes the person replaced (``values``: field → new value, or a function of
  the :class:`~mentorprogram.privacy.erasure.Erasure` under way).
* ``Keep(reason)``: the rows name nothing of the person but the account, which is anonymised.

``handler`` names a function (dotted path) for what one update cannot do; it runs just before
the entry's own handling (the rows are still as they were), with the erasure under way.
``export`` lists the fields the copy takes (default: every concrete field but ``exclude``);
``also`` adds related values that make a row readable (``item__prompt``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password


@dataclass(frozen=True)
class Delete:
    reason: str
    handling = "delete"


@dataclass(frozen=True)
class Anonymise:
    values: dict[str, Any | Callable]
    reason: str
    handling = "anonymise"


@dataclass(frozen=True)
class Keep:
    reason: str
    handling = "keep"


@dataclass(frozen=True)
class Entry:
    model: str
    """``app_label.ModelName``."""
    path: str
    """The lookup from the model to the person (``pk`` for the account itself)."""
    erase: Delete | Anonymise | Keep
    export: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    handler: str | None = None

    @property
    def field(self) -> str:
        """The model's own field the path starts from."""
        return self.path.split("__")[0]


ERASED_NAME = "Erased person"


def erased_email(erasure) -> str:
    return f"erased-{erasure.person_id}@erased.invalid"


def _unusable_password(erasure) -> str:
    """A password no one can sign in with; the same one on a second run, so erasing twice changes nothing."""
    current = erasure.person.password
    return current if current.startswith(UNUSABLE_PASSWORD_PREFIX) else make_password(None)


def _erased_at(erasure):
    return erasure.erased_at


H = "mentorprogram.privacy.handlers."

ENTRIES: list[Entry] = [
    # --- The core -------------------------------------------------------------------------------
    Entry("mentorprogram.User", "pk", Anonymise({
        "email": erased_email, "display_name": ERASED_NAME, "password": _unusable_password,
        "is_active": False, "is_staff": False, "is_superuser": False, "last_login": None,
        "reminders_opt_out": True, "nudges_opt_out": True, "erased_at": _erased_at,
    }, "The account stays, so that what others recorded (a verified course, a change to a plan, the "
       "admin's log) still points somewhere; it names nobody and can no longer sign in."),
        exclude=("password",), handler=H + "account_access"),
    Entry("mentorprogram.Membership", "user", Anonymise(
        {"department": "", "status": "alumni", "awaiting_acceptance": False},
        "The program's record of how many people it had in each role; the person leaves every list of "
        "active people as an alumnus of an anonymised account."), also=("program__name",)),
    Entry("mentorprogram.PrivacyThresholdChange", "changed_by", Anonymise(
        {"changed_by_email": erased_email},
        "The program's history of its privacy threshold is kept; who changed it is no longer named.")),
    Entry("mentorprogram.OutboundEmail", "user", Anonymise(
        {"to_address": erased_email, "subject": "", "body_text": "", "body_html": "", "context": {},
         "last_error": ""},
        "The outbox's bookkeeping (what kind of email went out when, and how) is kept; to whom and what it "
        "said is not. Emails not yet sent are not sent."),
        exclude=("claim_token", "dispatch_token", "context"), handler=H + "outbox"),
    Entry("mentorprogram.DataExport", "user", Delete("Copies of the person's data are theirs alone."),
          export=("id", "status", "requested_at", "ready_at", "expires_at", "size")),
    # --- Accounts (allauth) and the admin's log ---------------------------------------------------
    Entry("account.EmailAddress", "user", Delete("Sign-in addresses of the account.")),
    Entry("socialaccount.SocialAccount", "user", Delete("Single sign-on links of the account."),
          export=("id", "provider", "uid", "last_login", "date_joined")),
    Entry("socialaccount.SocialToken", "account__user", Delete("Credentials of the sign-on links."), export=()),
    Entry("mfa.Authenticator", "user", Delete("Second sign-in factors of the account."),
          export=("id", "type", "created_at", "last_used_at")),
    Entry("admin.LogEntry", "user", Keep(
        "The admin's record of what this account did to others' objects; the account is anonymised, and "
        "the entries about the person's own objects lose their names."),
        export=("id", "action_time", "content_type", "object_id", "action_flag"), handler=H + "admin_log"),
    # --- Self-assessments ---------------------------------------------------------------------------
    Entry("assessments.Response", "user", Delete(
        "Answers are kept only as anonymous counts inside the report's figures already published "
        "(reports.FigureRelease), which the report goes on showing until enough other people change them."),
        also=("instrument__name", "version__number", "program__name")),
    Entry("assessments.Answer", "response__user", Delete("With its response."),
          also=("item__prompt", "item__domain__name")),
    Entry("assessments.DomainScore", "response__user", Delete("With its response."), also=("domain__name",)),
    # --- Courses ----------------------------------------------------------------------------------------
    Entry("courses.Completion", "user", Delete("The person's transcript."), also=("course__title",)),
    Entry("courses.Completion", "verified_by", Keep(
        "Another person's course record, verified by this account; the account is anonymised."),
        export=("id", "course", "verified_at")),
    # --- The Mentor Community ----------------------------------------------------------------------------
    Entry("community.Rsvp", "user", Delete("The person's answers to meeting invitations.")),
    Entry("community.Attendance", "user", Delete("The person's attendance record.")),
    Entry("community.Challenge", "author", Delete(
        "The person's own words. An agenda item made from one keeps its place on the meeting's agenda with "
        "its text replaced."), handler="community.erasure.challenge_agenda_items"),
    Entry("community.Acknowledgement", "user", Delete("The person's acknowledgements of the process agreements.")),
    Entry("community.CalendarFeed", "user", Delete("A credential of the person's calendar."), exclude=("token",)),
    # --- Reminders and nudges: delivery bookkeeping, their emails anonymised above ---------------------------
    Entry("reminders.ReminderDelivery", "user", Keep(
        "Which reminder went out for which meeting (no text); keeps each reminder once; its email is anonymised.")),
    Entry("accountability.Nudge", "person", Keep(
        "Which nudge went out about what (no text); keeps each nudge once; its email is anonymised.")),
    # --- The audit trail (mentorprogram/audit.py): what happened stays, naming nobody ---------------------
    Entry("mentorprogram.AuditEntry", "person", Keep(
        "That the person's data was changed or viewed, and when; scrub_person (an erasure hook) takes their "
        "names, addresses and free text out of the entries and records the erasure."),
          exclude=("actor_email", "remote_addr")),
    Entry("mentorprogram.AuditEntry", "actor", Keep(
        "What the person changed or viewed of others' data stays in those people's trails; the account it "
        "points to is anonymised, and scrub_person takes the person's name and address out."),
          export=("id", "action", "timestamp")),  # what they did and when; the others' data is not theirs
    # --- Accountability: the mentor's own records -----------------------------------------------------------
    Entry("accountability.Mentee", "mentor", Delete(
        "The mentor's private notebook about people who have no account here: nobody else may read it.")),
    Entry("accountability.Mentorship", "mentee__mentor", Delete("With its mentee record.")),
    Entry("accountability.MenteeMeeting", "mentee__mentor", Delete("With its mentee record (private notes).")),
    Entry("accountability.MenteeGoal", "mentee__mentor", Delete("With its mentee record (private notes).")),
    # A mentor's copy says when feedback was asked about them, never who answered or what was said: they see
    # their mentees' feedback only in aggregate (accountability/feedback.py).
    Entry("accountability.FeedbackRequest", "mentor", Delete(
        "Feedback asked about the person as a mentor: it is about them, and its comments may name them; the "
        "program's published figures stay."), exclude=("email", "response", "answered_at", "comment",
                                                       "share_with_mentor")),
    Entry("accountability.FeedbackRequest", "mentee__mentor", Delete("With its mentee record."),
          exclude=("email", "response", "answered_at", "comment", "share_with_mentor")),
    # --- Accountability: the person as a mentee with an account (before their record loses the link) ------
    Entry("accountability.FeedbackRequest", "mentee__user", Delete(
        "The person's feedback on their mentor and its comment, like their own self-assessments; the "
        "program's published figures stay.")),
    Entry("accountability.Mentorship", "mentee__user", Keep(
        "The mentor's record that the mentorship took place: dates and a status, no text.")),
    Entry("accountability.MenteeMeeting", "mentee__user", Delete(
        "Meetings on the erased mentee's record: they are about the person."), exclude=("notes",)),
    Entry("accountability.MenteeGoal", "mentee__user", Delete(
        "Goals on the erased mentee's record, their own among them."), exclude=("notes",)),
    Entry("accountability.Mentee", "user", Anonymise({
        "user": None, "name": ERASED_NAME, "email": "", "department": "", "career_stage": "",
        "invited_at": None, "accepted_at": None, "declined_at": None,
    }, "The mentor's record of the mentorship stays (its dates and counts), naming nobody and linked to no account.")),
    Entry("accountability.AccountabilityPlan", "mentor", Delete("The person's plan.")),
    Entry("accountability.PlanItem", "plan__mentor", Delete("With its plan.")),
    Entry("accountability.PlanItemChange", "item__plan__mentor", Delete("With its plan.")),
    Entry("accountability.PlanItemChange", "changed_by", Keep(
        "A change this account made to another person's plan stays in that plan's history; the account "
        "is anonymised."), exclude=("changes",)),
]


ERASURE_HOOKS: list[str] = [
    "mentorprogram.privacy.handlers.audit_trail",
]
"""Functions (dotted paths) called with the erasure under way, after every entry, in the same
transaction: apps that keep something of their own about people hook in here."""
