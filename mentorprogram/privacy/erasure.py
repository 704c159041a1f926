"""Erasing a person: every entry of the registry (mentorprogram/personal_data.py) handled in one
transaction, then the hooks (the audit trail's). Running it again changes nothing more."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from mentorprogram import personal_data
from mentorprogram.models import Membership, User
from mentorprogram.personal_data import ERASED_NAME, Anonymise, Delete, Keep, erased_email

from .registry import installed_entries, rows_of

log = logging.getLogger(__name__)


@dataclass
class Erasure:
    """What an erasure under way knows: who, what they were called (to find copies of it), when."""

    person: User
    by: User | None
    erased_at: dt.datetime
    old_email: str
    old_name: str
    first_time: bool
    objects: dict[int, set[str]] = field(default_factory=dict)
    """The person's rows before erasure, by content type id → object ids (for the admin's log)."""
    erased_objects: dict[int, set[str]] = field(default_factory=dict)
    """Of those, the rows deleted or anonymised (not the kept ones): their audit entries are scrubbed."""
    counts: Counter = field(default_factory=Counter)

    @property
    def person_id(self) -> int:
        return self.person.pk

    @property
    def new_email(self) -> str:
        return erased_email(self)

    @property
    def old_words(self) -> list[str]:
        """What named the person, longest first, leaving out what the erasure itself wrote."""
        words = {self.old_email, self.old_name} - {"", self.new_email, ERASED_NAME}
        return sorted(words, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for word in self.old_words:
            text = _replace_folded(text, word, self.new_email if "@" in word else ERASED_NAME)
        return text


def _replace_folded(text: str, old: str, new: str) -> str:
    """``text`` with every occurrence of ``old`` replaced, whatever its letter case."""
    lowered, target, out, i = text.casefold(), old.casefold(), [], 0
    if len(lowered) != len(text):  # casefolding changed lengths: fall back to exact matches
        return text.replace(old, new)
    while (j := lowered.find(target, i)) != -1:
        out += [text[i:j], new]
        i = j + len(old)
    out.append(text[i:])
    return "".join(out)


def person_may_erase_self(*, person: User) -> bool:
    """A person may erase their own account when every program they belong to allows it. Staff
    accounts (coordinators, superusers) are erased by a superuser, so that a program never loses
    its coordinator by a click."""
    if not person.is_active or person.is_staff or person.is_superuser:
        return False
    allowed = list(Membership.objects.filter(user=person).values_list("program__self_erasure_allowed", flat=True))
    return bool(allowed) and all(allowed)


def person_erase(*, person: User, by: User | None, now: dt.datetime | None = None) -> Counter:
    """Erase ``person`` (README, "Leaving and erasure"): the account anonymised and locked, their
    own rows deleted, the rows others rely on anonymised, the hooks told. One transaction; running it
    again finds nothing more to do and records nothing more. Returns rows deleted and anonymised."""
    now = now or timezone.now()
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        erasure = Erasure(person=person, by=by, erased_at=person.erased_at or now, old_email=person.email,
                          old_name=person.display_name, first_time=person.erased_at is None)
        entries = installed_entries()
        for entry, model in entries:
            ids = [str(pk) for pk in rows_of(entry, model, person.pk).values_list("pk", flat=True)]
            if ids:
                type_id = ContentType.objects.get_for_model(model).pk
                erasure.objects.setdefault(type_id, set()).update(ids)
                if not isinstance(entry.erase, Keep):
                    erasure.erased_objects.setdefault(type_id, set()).update(ids)
        for entry, model in entries:
            if entry.handler:  # first: it may need the rows as they were
                import_string(entry.handler)(erasure)
            rows = rows_of(entry, model, person.pk)
            if isinstance(entry.erase, Delete):
                deleted, _ = model._base_manager.filter(pk__in=rows.values("pk")).delete()
                erasure.counts["deleted"] += deleted
            elif isinstance(entry.erase, Anonymise):
                values = {name: value(erasure) if callable(value) else value
                          for name, value in entry.erase.values.items()}
                erasure.counts["anonymised"] += model._base_manager.filter(pk__in=rows.values("pk")).update(**values)
        for hook in personal_data.ERASURE_HOOKS:
            import_string(hook)(erasure)
        if erasure.first_time:
            LogEntry.objects.log_actions(
                user_id=(by or person).pk, queryset=User.objects.filter(pk=person.pk), action_flag=CHANGE,
                single_object=True,
                change_message=(f"Erased this person's data: {erasure.counts['deleted']} row(s) deleted, "
                                f"{erasure.counts['anonymised']} anonymised."),
            )
    log.info("person erased", extra={"person": person.pk, "by": by.pk if by else None, **erasure.counts})
    return erasure.counts
