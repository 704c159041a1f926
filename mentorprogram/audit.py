"""The audit trail: who changed or looked at whose data, when, before → after (README "Audit trail").

Changes are recorded by django-auditlog, through the registrations below — the one place that
says which models the trail follows and which fields it leaves out. Views of one person's
private data by someone else (a coordinator, a superuser) are recorded by the selectors that
serve them, with :func:`record_access` and :func:`record_export`. Writes that bypass ``save()``
(a conditional ``UPDATE``, a bulk upsert) record what they changed with :func:`record_change`.

Every entry names the person it is about (``AuditEntry.person``), found by :func:`person_id_of`;
a person's trail is every entry about them. Entries are never edited: :func:`scrub_person`, called
by the erasure service, is the one way to take personal values out of them.

The actor of a change is the signed-in person of the request (:class:`AuditActorMiddleware`);
changes made by Celery tasks and management commands have none, which the admin shows as
"system".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import contextmanager

from allauth.account.adapter import get_adapter
from auditlog.middleware import AuditlogMiddleware
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditEntry, User

Action = AuditEntry.Action

PRIVATE_TEXT = "(private text)"
"""What the trail keeps of a private note: that it changed, not what it says."""

ERASED = "(erased)"
"""What :func:`scrub_person` leaves in place of a personal value."""


def mask_private_text(value: str) -> str:
    return "" if value in ("", "None") else PRIVATE_TEXT


# --- What is followed ------------------------------------------------------------------------

# model label → registration options. Secrets (password hashes, tokens, second-factor secrets)
# are never followed: the models holding tokens and factors are not registered at all, and the
# user's password and last sign-in are excluded (sign-ins are not changes to a person).
_FOLLOWED: dict[str, dict] = {
    "mentorprogram.User": {"exclude_fields": ["password", "last_login"]},
    "mentorprogram.Membership": {},
    "mentorprogram.Program": {},
    "mentorprogram.PrivacyThresholdChange": {},
    "assessments.Instrument": {},
    "assessments.InstrumentVersion": {},
    "assessments.Domain": {},
    "assessments.Item": {},
    # Answers are written in bulk (one upsert, no signals): their response's entries record them,
    # "answer to item N: before → after" (assessments/services.py), free text only as "(private text)".
    "assessments.Response": {},
    "assessments.FollowUpCadence": {},
    "accountability.ReportingRequirement": {},
    "accountability.FeedbackSchedule": {},
    "accountability.FeedbackRound": {},
    "accountability.AccountabilityPlan": {},
    "accountability.PlanItem": {},
    "accountability.Mentee": {},
    "accountability.Mentorship": {},
    "accountability.MenteeMeeting": {"mask_fields": ["notes"]},
    "accountability.MenteeGoal": {"mask_fields": ["notes"]},
    "courses.Completion": {},
}

# model label → the path from one of its objects to the person an entry about it concerns (None:
# nobody, e.g. a program or an instrument).
_PERSON_PATHS: dict[str, str | None] = {
    "mentorprogram.User": "pk",
    "mentorprogram.Membership": "user",
    "mentorprogram.Program": None,
    "mentorprogram.PrivacyThresholdChange": None,
    "assessments.Instrument": None,
    "assessments.InstrumentVersion": None,
    "assessments.Domain": None,
    "assessments.Item": None,
    "assessments.Response": "user",
    "assessments.FollowUpCadence": None,
    "accountability.ReportingRequirement": None,
    "accountability.FeedbackSchedule": None,
    "accountability.FeedbackRound": None,
    "accountability.AccountabilityPlan": "mentor",
    "accountability.PlanItem": "plan__mentor",
    "accountability.Mentee": "mentor",
    "accountability.Mentorship": "mentee__mentor",
    "accountability.MenteeMeeting": "mentee__mentor",
    "accountability.MenteeGoal": "mentee__mentor",
    "courses.Completion": "user",
}


def followed_models() -> list[type[models.Model]]:
    return [apps.get_model(label) for label in _FOLLOWED]


def register() -> None:
    """Register every followed model with django-auditlog (called once, from the app's ready())."""
    for label, options in _FOLLOWED.items():
        model = apps.get_model(label)
        if auditlog.contains(model):
            continue
        options = dict(options)
        if "mask_fields" in options:
            options["mask_callable"] = "mentorprogram.audit.mask_private_text"
        auditlog.register(model, **options)


def person_id_of(instance: models.Model) -> int | None:
    """The person an entry about ``instance`` concerns (None for a program, an instrument …)."""
    path = _PERSON_PATHS.get(instance._meta.label)
    if path is None:
        return None
    if path == "pk":
        return instance.pk
    value = instance
    parts = path.split("__")
    for i, part in enumerate(parts):
        field = value._meta.get_field(part)
        if i == len(parts) - 1:
            return getattr(value, field.attname)
        if not field.is_cached(value):
            # Not loaded: one query from here to the person, rather than one per hop.
            rest = "__".join(parts[i:])
            return value.__class__._base_manager.filter(pk=value.pk).values_list(rest, flat=True).first()
        value = getattr(value, part)
    return None


# --- Who made a change ---------------------------------------------------------------------

class AuditActorMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware: the signed-in person becomes the actor of the changes the
    request makes. The client address is the one the sign-in rate limits trust (the proxy count
    of ``TRUSTED_PROXY_COUNT``), not the first ``X-Forwarded-For`` entry, which anyone can write."""

    @staticmethod
    def _get_remote_addr(request):
        try:
            return get_adapter(request).get_client_ip(request)
        except (PermissionDenied, ImproperlyConfigured):  # no address, or a forwarded-for header too short
            return None


@contextmanager
def acting(actor: User | None):
    """Name the actor of the changes made inside (a service run outside a request, e.g. a test or
    a command run on someone's behalf)."""
    from auditlog.context import set_actor

    with set_actor(actor):
        yield


# --- Views of a person's data --------------------------------------------------------------

def _is_recorded_viewer(viewer: User | None, person_id: int | None) -> bool:
    # A person looking at their own data is not an access to record; neither is nobody.
    return viewer is not None and viewer.is_authenticated and person_id is not None and viewer.pk != person_id


def record_access(*, viewer: User, obj: models.Model, what: str, person_id: int | None = None,
                  now=None) -> AuditEntry | None:
    """Record that ``viewer`` looked at ``obj`` (``what``: e.g. "assessment results"), when the
    object is someone else's. One INSERT."""
    person_id = person_id if person_id is not None else person_id_of(obj)
    if not _is_recorded_viewer(viewer, person_id):
        return None
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk), object_id=obj.pk,
        object_repr=str(obj)[:500], action=Action.ACCESS, changes=None, actor=viewer, actor_email=viewer.email,
        person_id=person_id, timestamp=now or timezone.now(), additional_data={"viewed": what},
    )


_EXPORT_INSERT = (
    "INSERT INTO mentorprogram_auditentry (content_type_id, object_pk, object_id, object_repr, action, "
    "changes_text, actor_id, actor_email, person_id, timestamp, additional_data) "
    "SELECT %s, CAST(p.id AS TEXT), p.id, %s, %s, '', %s, %s, p.id, %s, {json} FROM ({ids}) p"
)
_EXPORT_INSERT_POSTGRESQL = _EXPORT_INSERT.format(
    json="CAST(%s AS jsonb)",
    ids="SELECT CAST(value AS bigint) AS id FROM jsonb_array_elements_text(CAST(%s AS jsonb))",
)
_EXPORT_INSERT_SQLITE = _EXPORT_INSERT.format(json="%s", ids="SELECT CAST(value AS INTEGER) AS id FROM json_each(%s)")


def record_export(*, viewer: User, people: Iterable[User | int], what: str, now=None) -> int:
    """Record that ``viewer`` downloaded ``what`` (e.g. "memberships CSV") naming ``people``: one
    entry in each named person's trail (except the viewer's own), in one INSERT however many."""
    if viewer is None or not viewer.is_authenticated:
        return 0
    ids = sorted({p if isinstance(p, int) else p.pk for p in people if p is not None} - {viewer.pk})
    if not ids:
        return 0
    # INSERT … SELECT over a JSON array of the ids: one statement and one parameter for any number
    # of people (bulk_create would take one INSERT per ~80 rows on SQLite).
    sql = _EXPORT_INSERT_POSTGRESQL if connection.vendor == "postgresql" else _EXPORT_INSERT_SQLITE
    params = [
        ContentType.objects.get_for_model(User).pk, what, Action.ACCESS, viewer.pk, viewer.email,
        connection.ops.adapt_datetimefield_value(now or timezone.now()), json.dumps({"exported": what}),
        json.dumps(ids),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return len(ids)


def record_change(instance: models.Model, changes: dict[str, list], *, actor: User | None = None) -> AuditEntry | None:
    """Record a change made without ``save()`` (a conditional UPDATE, a bulk upsert): ``changes``
    maps a field (or a named part, e.g. "answer to item 12") to ``[before, after]``."""
    changes = {k: list(v) for k, v in changes.items() if v[0] != v[1]}
    if not changes:
        return None
    extra = {"actor": actor, "actor_email": actor.email} if actor is not None else {}
    return AuditEntry.objects.log_create(instance, action=Action.UPDATE, changes=changes, **extra)


def csv_export_action(*fields, people: str, name: str = "export_csv", filename: str | None = None,
                      **options):
    """``toolbox.admin_export.export_csv_action`` that also records, in each named person's trail,
    that the signed-in person downloaded them. ``people``: the ORM path from a row to its person's
    id (e.g. ``"user_id"``, ``"plan__mentor_id"``, ``"pk"``). Two queries more, however many rows."""
    from toolbox.admin_export import export_csv_action

    inner = export_csv_action(*fields, name=name, filename=filename, **options)
    what = f"{(filename or 'admin').replace('-', ' ')} CSV"

    def action(modeladmin, request, queryset):
        response = inner(modeladmin, request, queryset)
        record_export(viewer=request.user, people=queryset.values_list(people, flat=True).distinct(), what=what)
        return response

    action.__name__ = inner.__name__
    action.short_description = inner.short_description
    action.allowed_permissions = inner.allowed_permissions
    return action


# --- A person's trail, and its erasure -------------------------------------------------------

def trail_for(person: User | int):
    """Every entry about the person, newest first."""
    pk = person if isinstance(person, int) else person.pk
    return AuditEntry.objects.filter(person_id=pk).select_related("actor", "content_type")


_KEPT_FIELD_TYPES = (
    models.BooleanField, models.IntegerField, models.DecimalField, models.FloatField, models.DateField,
    models.TimeField, models.DurationField, models.ForeignKey, models.AutoField, models.UUIDField,
)


def _is_personal(model: type[models.Model] | None, field_name: str) -> bool:
    """A value the erasure takes out: names, emails, free text — any text without fixed choices,
    JSON, and anything the trail cannot tie to a field. Statuses, numbers, dates and ids stay."""
    if model is None:
        return True
    try:
        field = model._meta.get_field(field_name)
    except Exception:
        return True
    if getattr(field, "choices", None):
        return False
    return not isinstance(field, _KEPT_FIELD_TYPES)


@contextmanager
def _erasure_allowed():
    """On PostgreSQL the trigger refuses every UPDATE of the trail unless this transaction says it
    is the erasure (README "Audit trail")."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('mentorprogram.audit_erasure', 'on', true)")
        yield
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('mentorprogram.audit_erasure', 'off', true)")


def scrub_person(user: User, *, by: User | None = None, now=None,
                 objects: dict[int, set[str]] | None = None) -> int:
    """Take the person's personal values out of the trail, and record that this happened.

    In every entry about the person: names, emails and free text in the before → after values
    become "(erased)" (statuses, dates, numbers and ids stay, so the trail still shows what kind
    of change happened when), and the object's name becomes "(erased)". In the entries the person
    made, their email and address go. One entry records the erasure: who erased, when, nothing of
    what. Idempotent: a second run changes nothing and records no second erasure.

    The erasure service calls this last, in its own transaction, after the account is anonymised
    and the notes deleted — those changes are entries about the person too, and are scrubbed with
    the rest. ``objects`` (content type id → primary keys) names the rows the erasure deleted or
    anonymised: entries about them are scrubbed too, whoever's trail they are in (a mentee's own
    goal is in their mentor's trail). Returns the number of entries changed.
    """
    erasure_recorded = AuditEntry.objects.filter(person_id=user.pk, additional_data__event="erasure").exists()
    changed = 0
    with _erasure_allowed():
        changed += _scrub_mentions(_names_of(user), exclude_person_id=user.pk)
        changed += _scrub_entries(models.Q(person_id=user.pk) | _about(objects or {}), actor=user)
        changed += AuditEntry.objects.filter(actor_id=user.pk).exclude(actor_email=None, remote_addr=None).update(
            actor_email=None, remote_addr=None,
        )
        if changed or not erasure_recorded:
            AuditEntry.objects.create(
                content_type=ContentType.objects.get_for_model(User), object_pk=str(user.pk), object_id=user.pk,
                object_repr=ERASED, action=Action.DELETE, changes={"personal data": ["kept", "erased"]},
                actor=by, actor_email=by.email if by is not None else None, person_id=user.pk,
                timestamp=now or timezone.now(), additional_data={"event": "erasure"},
            )
    return changed


def scrub_rows(*querysets: models.QuerySet) -> int:
    """Take names, emails and free text out of the entries about these rows, whoever's trail they
    are in: retention clears a former mentee's record while their mentor stays, and what it
    clears must not stay in the trail. The entries stay (what kind of change, when). Returns the
    number of entries changed."""
    objects = {ContentType.objects.get_for_model(qs.model).pk: {str(pk) for pk in qs.values_list("pk", flat=True)}
               for qs in querysets}
    if not any(objects.values()):
        return 0
    with _erasure_allowed():
        return _scrub_entries(_about(objects))


def _about(objects: dict[int, set[str]]) -> models.Q:
    """Entries about the rows named by content type id → primary keys."""
    about = models.Q(pk__in=[])
    for type_id, pks in objects.items():
        about |= models.Q(content_type_id=type_id, object_pk__in=sorted(pks))
    return about


def _scrub_entries(about: models.Q, *, actor: User | None = None) -> int:
    """Scrub the personal values out of the entries ``about`` selects (and, in those ``actor``
    made, their email and address). Inside ``_erasure_allowed``."""
    changed = 0
    models_by_type: dict[int, type[models.Model] | None] = {}
    entries = AuditEntry.objects.filter(about).exclude(additional_data__event="erasure")
    for entry in entries.select_for_update().iterator(chunk_size=500):
        type_id = entry.content_type_id
        if type_id not in models_by_type:
            models_by_type[type_id] = ContentType.objects.get_for_id(type_id).model_class()
        new_changes = _scrubbed_changes(entry.changes, models_by_type[type_id])
        update = {}
        if new_changes != entry.changes:
            update["changes"] = new_changes
        if entry.object_repr != ERASED:
            update["object_repr"] = ERASED
        if entry.changes_text:
            update["changes_text"] = ""
        if entry.serialized_data is not None:
            update["serialized_data"] = None
        if actor is not None and entry.actor_id == actor.pk and (entry.actor_email or entry.remote_addr):
            update.update(actor_email=None, remote_addr=None)
        if update:
            AuditEntry.objects.filter(pk=entry.pk).update(**update)
            changed += 1
    return changed


def _names_of(user: User) -> set[str]:
    """The person's email addresses and names, now and before (the account may be anonymised
    already: its past values are in its own entries)."""
    names = {user.email, user.display_name}
    user_type = ContentType.objects.get_for_model(User)
    own = AuditEntry.objects.filter(person_id=user.pk, content_type=user_type)
    for changes in own.values_list("changes", flat=True):
        for field_name in ("email", "display_name"):
            for value in (changes or {}).get(field_name, []) or []:
                names.add(value)
    return {n for n in names if isinstance(n, str) and len(n) >= 3 and n not in (ERASED, "None")}


def _scrub_mentions(names: set[str], *, exclude_person_id: int) -> int:
    """Entries about someone else (or nobody) that name the person — a threshold change recording
    who made it, an object named after them — keep the entry, lose the name."""
    if not names:
        return 0
    query = models.Q()
    for name in names:
        escaped = json.dumps(name)[1:-1]  # JSON text escapes non-ASCII letters
        query |= models.Q(changes__icontains=name) | models.Q(changes__icontains=escaped)
        query |= models.Q(object_repr__icontains=name) | models.Q(actor_email__iexact=name)
    lowered = [n.lower() for n in names]

    def names_them(value) -> bool:
        # The whole value, or a long enough name inside it ("Ann" must not take "Annual review").
        text = value.lower() if isinstance(value, str) else ""
        return any(text == n or (len(n) >= 6 and n in text) for n in lowered)

    changed = 0
    for entry in AuditEntry.objects.exclude(person_id=exclude_person_id).filter(query).iterator(chunk_size=500):
        update = {}
        if isinstance(entry.changes, dict):
            changes = {
                field_name: [ERASED if names_them(v) else v for v in values] if isinstance(values, list) else values
                for field_name, values in entry.changes.items()
            }
            if changes != entry.changes:
                update["changes"] = changes
        if any(n in entry.object_repr.lower() for n in lowered):
            update["object_repr"] = ERASED
        if entry.actor_email and entry.actor_email.lower() in lowered:
            update["actor_email"] = None
        if update:
            AuditEntry.objects.filter(pk=entry.pk).update(**update)
            changed += 1
    return changed


def _scrubbed_changes(changes, model):
    if not isinstance(changes, dict):
        return changes
    result = {}
    for field_name, values in changes.items():
        if isinstance(values, list | tuple) and len(values) == 2 and _is_personal(model, field_name):
            result[field_name] = [v if v in (None, "", "None") else ERASED for v in values]
        elif isinstance(values, dict):  # an m2m change: the names of the objects added or removed
            result[field_name] = {**values, "objects": [ERASED for _ in values.get("objects", [])]}
        else:
            result[field_name] = values
    return result
