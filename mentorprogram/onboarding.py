"""Bulk onboarding: a coordinator brings in faculty and mentors from a CSV file.

The flow keeps three rules:

* Nothing is saved before the coordinator has seen a preview of every row (create, update,
  unchanged or error, with the row's errors). Between preview and confirmation the parsed rows
  travel signed, and confirmation validates them again: a row that went bad since is skipped.
* Confirming writes every valid row in one transaction, and records the invitations in the
  outbox in that same transaction; they go out once it commits, exactly once (README).
* Importing the same file again creates nothing and invites nobody a second time, unless the
  coordinator asks to resend to people who have not signed in yet.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import permissions
from .models import Membership, OutboundEmail, Program, User
from .outbox import outbox_enqueue, outbox_queue

COLUMNS = ("email", "name", "role", "department")
OPTIONAL_COLUMNS = ("program",)
IMPORTABLE_ROLES = {Membership.Role.MENTOR.value: "mentor", Membership.Role.FACULTY.value: "faculty"}
MAX_ROWS = 2000
MAX_BYTES = 1_000_000
SIGNING_SALT = "mentorprogram.onboarding"
PAYLOAD_MAX_AGE = 60 * 60  # seconds a preview stays valid


class Action:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong encoding, missing columns, too long)."""


@dataclass
class Row:
    line: int
    email: str
    name: str
    role: str
    department: str
    program: str = ""
    action: str = ""
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    invite: bool = False
    status: str = ""
    existing: bool = False
    awaiting: bool = False  # an account outside the coordinator's programs: invited, counts once accepted

    def raw(self) -> dict:
        return {k: getattr(self, k) for k in ("line", "email", "name", "role", "department", "program")}


@dataclass
class Plan:
    program: Program
    rows: list[Row]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in (Action.CREATE, Action.UPDATE, Action.UNCHANGED, Action.ERROR)}

    @property
    def invitations(self) -> int:
        return sum(1 for r in self.rows if r.invite)

    @property
    def has_work(self) -> bool:
        return any(r.action in (Action.CREATE, Action.UPDATE) or r.invite for r in self.rows)


@dataclass
class Result:
    created_people: int = 0
    created_memberships: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    invited_membership_ids: list[int] = field(default_factory=list)


# --- Reading the file ---------------------------------------------------------------------

def read_csv(data: bytes) -> list[Row]:
    """Rows of an uploaded file. Header names are matched without regard to case or spaces."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"The file is larger than {MAX_BYTES // 1000} kB; split it into smaller files.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.") from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFileError(f"Line {line} holds a NUL character, which a CSV text file never does. "
                              "Save the spreadsheet as “CSV UTF-8” and upload it again.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        return _read_rows(reader)
    except csv.Error as error:
        if "field limit" in str(error):
            problem = f"a cell is longer than {csv.field_size_limit():,} characters"
        else:
            problem = str(error)
        raise ImportFileError(f"Line {reader.line_num} cannot be read as CSV: {problem}.") from None


def _read_rows(reader) -> list[Row]:
    header = next(reader, None)
    if not header:
        raise ImportFileError("The file is empty.")
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ImportFileError(
            f"The first line must name the columns {', '.join(COLUMNS)}; missing: {', '.join(missing)}."
        )
    index = {c: names.index(c) for c in COLUMNS + OPTIONAL_COLUMNS if c in names}
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS} people; split it into smaller files.")
        def cell(column: str, cells=cells) -> str:
            i = index.get(column)
            return cells[i].strip() if i is not None and i < len(cells) else ""
        rows.append(Row(line=line, email=cell("email").lower(), name=cell("name"), role=cell("role").lower(),
                        department=cell("department"), program=cell("program")))
    if not rows:
        raise ImportFileError("The file has a header line but no people.")
    return rows


# --- The preview ------------------------------------------------------------------------------

def import_plan(*, user: User, program: Program, rows: list[Row]) -> Plan:
    """Classify each row as create / update / unchanged / error. Reads only; changes nothing."""
    rows = [Row(**r.raw()) for r in rows]  # a fresh verdict every time
    allowed = permissions.admin_program_ids(user)
    for row in rows:
        if any("\x00" in value for value in (row.email, row.name, row.role, row.department, row.program)):
            row.errors.append("The row holds a NUL character; it is skipped.")
    readable = [r for r in rows if not r.errors]  # a NUL never reaches a query
    programs = {p.slug: p for p in Program.objects.filter(slug__in={r.program for r in readable if r.program})}
    emails = {r.email for r in readable if r.email}
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    memberships = {
        (m.user_id, m.program_id, m.role): m
        for m in Membership.objects.filter(user__email__in=emails).only(
            "user_id", "program_id", "role", "status", "department", "invited_at", "declined_at"
        )
    }
    # The accounts this user already sees through an accepted membership of a program they run.
    user_ids = [u.pk for u in users.values()]
    known = set(user_ids) if allowed is None else set(
        Membership.objects.filter(
            permissions.coordinator_sees_membership_q(), user_id__in=user_ids, program_id__in=allowed,
        ).values_list("user_id", flat=True)
    )
    seen: dict[tuple[str, int], int] = {}
    for row in rows:
        if row.errors:
            row.action = Action.ERROR
            continue
        target = _row_program(row, program, programs, allowed)
        _validate(row, target)
        if target is not None and row.email:
            key = (row.email, target.pk)
            if key in seen:
                row.errors.append(f"Duplicate: {row.email} already appears on line {seen[key]} of this file.")
            else:
                seen[key] = row.line
        if row.errors:
            row.action = Action.ERROR
            continue
        _classify(row, target, users.get(row.email), memberships, known)
    return Plan(program=program, rows=rows)


def _row_program(row: Row, default: Program, programs: dict[str, Program], allowed: set[int] | None):
    if not row.program or row.program == default.slug:
        return default
    target = programs.get(row.program)
    if target is None or (allowed is not None and target.pk not in allowed):
        row.errors.append(f"“{row.program}” is not a program you coordinate.")
        return None
    return target


def _validate(row: Row, target: Program | None) -> None:
    if not row.email:
        row.errors.append("The email address is missing.")
    else:
        try:
            validate_email(row.email)
        except ValidationError:
            row.errors.append(f"“{row.email}” is not a valid email address.")
        if len(row.email) > User._meta.get_field("email").max_length:
            row.errors.append("The email address is too long.")
    if row.role not in IMPORTABLE_ROLES:
        if row.role == Membership.Role.COORDINATOR:
            row.errors.append("Coordinators are not imported; an administrator adds them.")
        elif row.role:
            row.errors.append(f"Unknown role “{row.role}”: use mentor or faculty.")
        else:
            row.errors.append("The role is missing: use mentor or faculty.")
    if len(row.name) > User._meta.get_field("display_name").max_length:
        row.errors.append("The name is longer than 150 characters.")
    if len(row.department) > Membership._meta.get_field("department").max_length:
        row.errors.append("The department is longer than 200 characters.")
    row.program = target.slug if target is not None else row.program


def _classify(row: Row, program: Program, user: User | None, memberships: dict, known: set[int]) -> None:
    if user is None:
        row.action = Action.CREATE
        row.invite = True
        row.notes.append("New person: an invitation with a link to set a password will be sent.")
        return
    row.existing = True
    membership = memberships.get((user.pk, program.pk, row.role))
    if user.pk not in known or (membership is not None and membership.awaiting_acceptance):
        _classify_outside(row, program, membership)
        return
    if user.display_name and row.name and user.display_name != row.name:
        row.notes.append(f"The account is named “{user.display_name}”; that name is kept.")
    if membership is None:
        row.action = Action.CREATE
        row.invite = True
        row.notes.append(f"Existing account; a new {row.role} membership in {program.name}.")
        return
    changes = []
    if row.department and row.department != membership.department:
        changes.append(f"department “{membership.department}” → “{row.department}”")
    if row.name and not user.display_name:
        changes.append(f"name → “{row.name}”")
    row.action = Action.UPDATE if changes else Action.UNCHANGED
    row.status = membership.status
    if changes:
        row.notes.append("Changes " + "; ".join(changes) + ".")
    if membership.status == Membership.Status.INVITED and membership.invited_at is None:
        row.invite = True
        row.notes.append("Not invited yet: an invitation will be sent.")
    elif membership.status == Membership.Status.INVITED:
        row.notes.append(f"Invited on {timezone.localdate(membership.invited_at):%b %-d, %Y}.")


def _classify_outside(row: Row, program: Program, membership: Membership | None) -> None:
    """An account this coordinator does not see: nothing of it is shown (not its name), nothing of
    it is changed, and it joins only if the person accepts the invitation."""
    row.awaiting = True
    if membership is None:
        row.action = Action.CREATE
        row.invite = True
        row.notes.append(f"An existing account will be invited; it joins {program.name} once the person accepts.")
        return
    row.action = Action.UNCHANGED
    row.status = Membership.Status.INVITED
    if membership.declined_at is not None:
        row.status = ""  # never asked again
        row.notes.append("An existing account was invited and the person declined.")
    elif membership.invited_at is None:
        row.invite = True
        row.notes.append("An existing account will be invited; it joins once the person accepts.")
    else:
        row.notes.append("An existing account was invited; it joins once the person accepts.")


def mark_resends(plan: Plan) -> None:
    """Ask again those already invited who have not accepted yet (the coordinator's choice)."""
    for row in plan.rows:
        if row.action != Action.ERROR and not row.invite and row.status == Membership.Status.INVITED:
            row.invite = True
            row.notes.append("The invitation will be sent again.")


# --- Between preview and confirmation --------------------------------------------------------

def sign_rows(*, user: User, program: Program, rows: list[Row]) -> str:
    payload = {"u": user.pk, "p": program.pk, "rows": [r.raw() for r in rows]}
    return signing.dumps(payload, salt=SIGNING_SALT, compress=True)


def unsign_rows(*, user: User, program: Program, token: str) -> list[Row]:
    """The rows of a preview this user made for this program, if it is recent and untouched."""
    try:
        payload = signing.loads(token, salt=SIGNING_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.BadSignature:
        raise ImportFileError("This preview has expired or was altered. Upload the file again.") from None
    if payload.get("u") != user.pk or payload.get("p") != program.pk:
        raise ImportFileError("This preview was made for another person or program. Upload the file again.")
    return [Row(**r) for r in payload["rows"]]


# --- Confirming -------------------------------------------------------------------------------

def import_apply(*, user: User, program: Program, rows: list[Row], resend: bool = False,
                 base_url: str, now: datetime | None = None) -> Result:
    """Validate again, write every valid row in one transaction, then queue the invitations."""
    now = now or timezone.now()
    result = Result()
    with transaction.atomic():
        # Two confirmations of one import (a double click, two tabs) take turns here; the second
        # then plans against what the first saved and finds nothing left to do.
        Program.objects.select_for_update().filter(pk=program.pk).first()
        plan = import_plan(user=user, program=program, rows=rows)
        if resend:
            mark_resends(plan)
        programs = {p.slug: p for p in Program.objects.filter(slug__in={r.program for r in plan.rows})}
        made: set[str] = set()  # the accounts this import creates, for their rows in other programs
        for row in plan.rows:
            if row.action == Action.ERROR:
                result.skipped += 1
                continue
            membership = _apply_row(row, programs[row.program], result, made)
            if row.invite:
                result.invited_membership_ids.append(membership.pk)
        _queue_invitations(list(result.invited_membership_ids), base_url, now.isoformat())
    return result


def _apply_row(row: Row, program: Program, result: Result, made: set[str]) -> Membership:
    # get_or_create under the unique constraints: an import into another program that adds the
    # same person at the same moment makes this one read the row instead of failing.
    user, created = User.objects.get_or_create(
        email=row.email, defaults={"display_name": row.name, "password": make_password(None)},
    )
    if created:
        EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        result.created_people += 1
        made.add(user.email)
    # An account the coordinator does not see (or one that another import made a moment ago) is
    # invited and left as it is: its person accepts, or not.
    awaiting = row.awaiting or (not created and not row.existing and user.email not in made)
    if not created and not awaiting and row.name and not user.display_name:
        User.objects.filter(pk=user.pk, display_name="").update(display_name=row.name)
    if awaiting:
        status = Membership.Status.INVITED
    else:
        status = Membership.Status.PROSPECTIVE if user.has_usable_password() else Membership.Status.INVITED
    membership, created = Membership.objects.get_or_create(
        user=user, program=program, role=row.role,
        defaults={"status": status, "department": row.department, "awaiting_acceptance": awaiting},
    )
    if created:
        result.created_memberships += 1
    elif row.action == Action.UPDATE:
        if row.department and membership.department != row.department:
            membership.department = row.department
            membership.save(update_fields=["department"])
        result.updated += 1
    else:
        result.unchanged += 1
    return membership


def _queue_invitations(ids: list[int], base_url: str, requested_at: str) -> list[int]:
    """Record one invitation per membership in the outbox (once per request) and queue them to
    be sent after the transaction commits. Returns the memberships newly invited."""
    memberships = list(Membership.objects.filter(pk__in=ids).select_related("user"))
    wanted = [OutboundEmail(kind=OutboundEmail.Kind.INVITATION, dedupe_key=f"{m.pk}:{requested_at}",
                            program_id=m.program_id, user_id=m.user_id, to_address=m.user.email,
                            context={"membership": m.pk, "base_url": base_url})
              for m in memberships if m.user.is_active and m.declined_at is None]  # a no is final
    token = uuid.uuid4().hex
    with transaction.atomic():
        before = set(OutboundEmail.objects.filter(
            kind=OutboundEmail.Kind.INVITATION, dedupe_key__in=[e.dedupe_key for e in wanted]
        ).values_list("dedupe_key", flat=True))
        outbox_enqueue(wanted, dispatch_token=token)
        new = [e.context["membership"] for e in wanted if e.dedupe_key not in before]
        Membership.objects.filter(pk__in=new).update(invited_at=timezone.now())
        outbox_queue(dispatch_token=token)
    return new


# --- The invitation ---------------------------------------------------------------------------

def invitation_send(*, membership_id: int, base_url: str, requested_at: datetime) -> bool:
    """Invite once per request: record the invitation in the outbox, which sends it exactly once
    after the transaction commits. Asking again for the same request records nothing."""
    return bool(_queue_invitations([membership_id], base_url, requested_at.isoformat()))


def _send_invitation_email(membership: Membership, base_url: str) -> None:
    """Invite now: record a new invitation for the membership in the outbox."""
    _queue_invitations([membership.pk], base_url, timezone.now().isoformat())


def invitation_message(membership: Membership, base_url: str) -> EmailMultiAlternatives:
    """The invitation email, built when the outbox sends it (the set-password link is fresh)."""
    user = membership.user
    context = {
        "user": user,
        "program": membership.program,
        "membership": membership,
        "role": membership.role_phrase,
        "sign_in_url": base_url + reverse("account_login"),
        "reset_url": base_url + reverse("account_reset_password"),
        "set_password_url": None,
        # An existing account invited from outside: the person says yes or no on this page.
        "respond_url": base_url + reverse("invitations") if membership.awaiting_acceptance else None,
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    if not user.has_usable_password():
        key = default_token_generator.make_token(user)
        path = reverse("invitation_welcome", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
        context["set_password_url"] = base_url + path
    subject = " ".join(render_to_string("emails/invitation_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=render_to_string("emails/invitation.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    return message


def memberships_accept_invitation(*, user: User) -> int:
    """Someone who sets their password has accepted: invited memberships become prospective.

    Not the invitations that ask an existing account to join another program: those wait for the
    person's own answer (``services.membership_accept``), whatever happens to their password."""
    return Membership.objects.filter(user=user, status=Membership.Status.INVITED, awaiting_acceptance=False).update(
        status=Membership.Status.PROSPECTIVE
    )


# --- Accepting by the link ------------------------------------------------------------------

def invitation_user_for_key(*, uidb36: str, key: str) -> User | None:
    """The active account whose invitation link this is, while the link is good: the key is
    allauth's password-reset token, so it expires (PASSWORD_RESET_TIMEOUT) and is spent once a
    password is set (the token covers the password hash). None otherwise."""
    from allauth.account.utils import url_str_to_user_pk

    try:
        user = User.objects.filter(pk=url_str_to_user_pk(uidb36), is_active=True).first()
    except (ValueError, OverflowError):
        return None
    if user is None or not default_token_generator.check_token(user, key):
        return None
    return user


def invitation_welcome_memberships(*, user: User) -> list[Membership]:
    """The invitations the link answers, newest first: the ones that setting a password accepts."""
    return list(
        Membership.objects.filter(user=user, status=Membership.Status.INVITED, awaiting_acceptance=False,
                                  declined_at__isnull=True)
        .select_related("program").order_by(F("invited_at").desc(nulls_last=True), "program__name")
    )
