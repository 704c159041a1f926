"""The form a person fills in to take an assessment, built from a version's items."""

from __future__ import annotations

from django import forms

from . import scoring
from .models import Answer, Item
from .selectors import Structure

NOT_APPLICABLE = "na"
REQUIRED_MESSAGE = "Answer this question before you submit, or save a draft and come back to it."
WILLINGNESS_REQUIRED_MESSAGE = "Say whether you are willing to work on this, or choose “not applicable”."


def item_field_name(item_id: int) -> str:
    return f"item_{item_id}"


def willingness_field_name(item_id: int) -> str:
    return f"item_{item_id}_willingness"


def scale_choices(item: Item) -> list[tuple[str, str]]:
    labels = {str(k): v for k, v in (item.scale_labels or {}).items()}
    choices = [(str(n), f"{n} – {labels[str(n)]}" if str(n) in labels else str(n))
               for n in range(item.scale_min, item.scale_max + 1)]
    if item.allow_not_applicable:
        choices.append((NOT_APPLICABLE, "Not applicable"))
    return choices


class ResponseForm(forms.Form):
    """One field per item (two for ability-and-willingness items), none required by the form:
    a draft may be incomplete. Submitting adds an error to each required item left blank."""

    def __init__(self, *args, structure: Structure, answers: dict[int, scoring.AnswerValue], **kwargs):
        super().__init__(*args, **kwargs)
        self.structure = structure
        self.items = {item.pk: item for item in structure.items}
        for item in structure.items:
            self._add_fields(item, answers.get(item.pk))

    def _add_fields(self, item: Item, answer: scoring.AnswerValue | None) -> None:
        name = item_field_name(item.pk)
        kind = item.response_type
        if kind == Item.ResponseType.CHECKLIST:
            self.fields[name] = forms.ChoiceField(
                label=item.prompt, required=False, choices=Answer.Choice.choices, widget=forms.RadioSelect,
                initial=answer.choice if answer else None,
            )
        elif kind in (Item.ResponseType.RATING, Item.ResponseType.ABILITY_WILLINGNESS):
            initial = None
            if answer is not None:
                initial = NOT_APPLICABLE if answer.not_applicable else (str(answer.rating) if answer.rating else None)
            self.fields[name] = forms.ChoiceField(
                label="How skilled are you?" if kind == Item.ResponseType.ABILITY_WILLINGNESS else item.prompt,
                required=False, choices=scale_choices(item), widget=forms.RadioSelect, initial=initial,
            )
            if kind == Item.ResponseType.ABILITY_WILLINGNESS:
                self.fields[willingness_field_name(item.pk)] = forms.ChoiceField(
                    label="Are you willing to work on it?", required=False, choices=Answer.Willingness.choices,
                    widget=forms.RadioSelect, initial=answer.willingness if answer else None,
                )
        else:
            self.fields[name] = forms.CharField(
                label=item.prompt, required=False, max_length=5000, strip=True,
                widget=forms.Textarea(attrs={"rows": 3}), initial=answer.text if answer else "",
            )

    def is_tampered(self) -> bool:
        """Input no honest page sends: fields of items outside this version, values off the scale."""
        unknown = {k for k in self.data if k.startswith("item_")} - set(self.fields)
        if unknown:
            return True
        return any(e.code == "invalid_choice" for errors in self.errors.as_data().values() for e in errors)

    def answers(self) -> dict[int, scoring.AnswerValue]:
        """The non-blank answers of a valid form, keyed by item id."""
        result = {}
        for item_id, item in self.items.items():
            raw = self.cleaned_data.get(item_field_name(item_id)) or ""
            if item.response_type == Item.ResponseType.CHECKLIST:
                value = scoring.AnswerValue(choice=raw)
            elif item.response_type == Item.ResponseType.TEXT:
                value = scoring.AnswerValue(text=raw)
            else:
                willingness = self.cleaned_data.get(willingness_field_name(item_id)) or ""
                if raw == NOT_APPLICABLE:
                    value = scoring.AnswerValue(not_applicable=True)
                else:
                    value = scoring.AnswerValue(rating=int(raw) if raw else None, willingness=willingness)
            if value != scoring.AnswerValue():
                result[item_id] = value
        return result

    def mark_missing(self, item_ids: list[int], answers: dict[int, scoring.AnswerValue]) -> None:
        for item_id in item_ids:
            item, answer = self.items[item_id], answers.get(item_id)
            if (item.response_type == Item.ResponseType.ABILITY_WILLINGNESS and answer is not None
                    and answer.rating is not None):
                self.add_error(willingness_field_name(item_id), WILLINGNESS_REQUIRED_MESSAGE)
            else:
                self.add_error(item_field_name(item_id), REQUIRED_MESSAGE)

    def sections(self) -> list[tuple]:
        """(domain, rows) for the template; a row holds the item and its bound field(s)."""
        return [
            (domain, [
                {
                    "item": item,
                    "field": self[item_field_name(item.pk)],
                    "willingness": self[willingness_field_name(item.pk)]
                    if item.response_type == Item.ResponseType.ABILITY_WILLINGNESS else None,
                }
                for item in domain.items.all()
            ])
            for domain in self.structure.domains
        ]
