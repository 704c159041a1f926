"""Instruments as files: export a version as JSON and import one as a new version (README,
"Instruments as files").

The format (``FORMAT``, version ``FORMAT_VERSION``) holds what an instrument version is made
of: its domains with their stable keys, each domain's items with their response type, scale and
scale labels, the scoring rules the app applies, and the licence note of the text. Validation
reads the whole document and reports every problem at once, each at its place
(``domains[1].items[3].scale_max``), so that a coordinator can fix the file in one go; nothing is
saved unless the whole document is valid.

Domains are matched by key: a key the app already knows (the default instruments' domains, or a
domain of an earlier version of the instrument) keeps courses, plans and the report speaking of
the same domain. An unknown key is an error unless the import maps it explicitly, to a known key
or to ``new`` (a new domain of this instrument that no course addresses yet).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from .constants import DOMAIN_NAMES
from .models import Domain, Instrument, InstrumentVersion, Item

FORMAT = "mentorprogram-instrument"
FORMAT_VERSION = 1
NEW_DOMAIN = "new"

SCORING = {
    "domain_score": "mean of the ratings in the domain, leaving out “not applicable”",
    "overall_score": "mean of the domain scores",
    "readiness": "share of checklist answers that are “yes”",
}
"""The scoring rules the app applies (assessments/scoring.py), stated in every exported file. An
import that asks for other rules is refused: its scores would not mean what the file says."""

RESPONSE_TYPES = dict(Item.ResponseType.choices)
SCALED_TYPES = (Item.ResponseType.RATING, Item.ResponseType.ABILITY_WILLINGNESS)
MAX_SCALE = 10  # an answer's rating is at most 10 (Answer.rating)
MAX_DOMAINS = 50
MAX_ITEMS = 500


# --- Export ------------------------------------------------------------------------------------


def version_export(*, version: InstrumentVersion) -> dict:
    """The version as a document of the format (two queries)."""
    instrument = version.instrument
    domains = Domain.objects.filter(version=version).order_by("order", "pk").prefetch_related("items")
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "instrument": {"name": instrument.name, "kind": instrument.kind, "description": instrument.description,
                       "version": version.number},
        "licence": version.licence,
        "scoring": dict(SCORING),
        "domains": [
            {
                "key": d.key, "name": d.name, "description": d.description,
                "items": [_item_export(i) for i in sorted(d.items.all(), key=lambda i: (i.order, i.pk))],
            }
            for d in domains
        ],
    }


def _item_export(item: Item) -> dict:
    data = {"prompt": item.prompt, "help_text": item.help_text, "response_type": item.response_type,
            "required": item.required}
    if item.response_type in SCALED_TYPES:
        data["scale"] = {"min": item.scale_min, "max": item.scale_max,
                         "labels": {str(k): v for k, v in sorted(item.scale_labels.items(), key=lambda kv: int(kv[0]))}}
        data["allow_not_applicable"] = item.allow_not_applicable
    return data


def version_export_json(*, version: InstrumentVersion) -> str:
    return json.dumps(version_export(version=version), indent=2, ensure_ascii=False) + "\n"


# --- Validation --------------------------------------------------------------------------------


@dataclass
class ParsedItem:
    prompt: str
    help_text: str
    response_type: str
    required: bool
    scale_min: int = 1
    scale_max: int = 7
    scale_labels: dict = field(default_factory=dict)
    allow_not_applicable: bool = False

    @property
    def response_type_label(self) -> str:
        return RESPONSE_TYPES[self.response_type]


@dataclass
class ParsedDomain:
    key: str
    """The key stored: the file's own, or the one it is mapped to."""
    file_key: str
    name: str
    description: str
    items: list[ParsedItem]

    @property
    def is_new(self) -> bool:
        return self.key not in DOMAIN_NAMES


@dataclass
class ParsedInstrument:
    name: str
    licence: str
    domains: list[ParsedDomain]

    @property
    def item_count(self) -> int:
        return sum(len(d.items) for d in self.domains)


class InvalidDocument(Exception):  # noqa: N818 (a verdict on the file)
    """``errors`` maps each place in the document ("domains[0].items[2].prompt") to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(f"{sum(len(m) for m in errors.values())} problem(s) in the file.")
        self.errors = errors


def known_domain_keys(instrument: Instrument | None) -> set[str]:
    """Keys the app knows: the default instruments' domains and every domain of the instrument's versions."""
    keys = set(DOMAIN_NAMES)
    if instrument is not None and instrument.pk:
        keys |= set(Domain.objects.filter(version__instrument=instrument).values_list("key", flat=True))
    return keys


def parse_mapping(text: str) -> dict[str, str]:
    """Lines "their-key = our-key" (or "their-key = new"); blank lines are ignored."""
    mapping: dict[str, str] = {}
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        left, sep, right = line.partition("=")
        if not sep or not left.strip() or not right.strip():
            errors.append(f"Line {number}: write “their-key = our-key”, e.g. “listening = effective-communication”.")
            continue
        mapping[left.strip()] = right.strip()
    if errors:
        raise InvalidDocument({"mapping": errors})
    return mapping


def load(raw: bytes | str) -> dict:
    """The file's JSON, or :class:`InvalidDocument` saying why it is not a document."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidDocument({"file": [f"This is not a JSON file ({error})."]}) from error
    if not isinstance(data, dict):
        raise InvalidDocument({"file": ["The file must hold one JSON object, the instrument."]})
    return data


class _Errors:
    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def add(self, where: str, message: str) -> None:
        self.found.setdefault(where, []).append(message)


def _text(data: dict, name: str, where: str, errors: _Errors, *, required: bool, limit: int | None = None) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(f"{where}{name}", "Give this as text.")
        return ""
    value = value.strip()
    if required and not value:
        errors.add(f"{where}{name}", "This is required.")
    if limit is not None and len(value) > limit:
        errors.add(f"{where}{name}", f"At most {limit} characters (this has {len(value)}).")
    return value


def _bool(data: dict, name: str, where: str, errors: _Errors, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        errors.add(f"{where}{name}", "Give true or false.")
        return default
    return value


def _int(value, where: str, errors: _Errors) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(where, "Give a whole number.")
        return None
    return value


def validate_document(data: dict, *, instrument: Instrument | None = None,
                      mapping: dict[str, str] | None = None) -> ParsedInstrument:
    """The document checked in full against the format; :class:`InvalidDocument` lists every
    problem, each at its place. ``mapping`` turns the file's domain keys into the app's."""
    errors = _Errors()
    mapping = mapping or {}
    if data.get("format") != FORMAT:
        errors.add("format", f"Expected “{FORMAT}”: this file is not an instrument of this format.")
    if data.get("format_version") != FORMAT_VERSION:
        errors.add("format_version", f"This app reads format version {FORMAT_VERSION}; the file says "
                                     f"{data.get('format_version')!r}.")
    meta = data.get("instrument", {})
    if not isinstance(meta, dict):
        errors.add("instrument", "Give the instrument as an object with its name.")
        meta = {}
    name = _text(meta, "name", "instrument.", errors, required=True, limit=200)
    licence = _text(data, "licence", "", errors, required=False, limit=5000)
    scoring = data.get("scoring", SCORING)
    if not isinstance(scoring, dict) or any(scoring.get(k) != v for k, v in SCORING.items()) or set(scoring) - set(
            SCORING):
        errors.add("scoring", "This app scores instruments one way only (see the README); give the scoring "
                              "exactly as an exported file states it, or leave it out.")

    known = known_domain_keys(instrument)
    for their, ours in mapping.items():
        if ours != NEW_DOMAIN and ours not in known:
            errors.add("mapping", f"“{their} = {ours}”: “{ours}” is not a domain key this app knows.")

    raw_domains = data.get("domains")
    domains: list[ParsedDomain] = []
    if not isinstance(raw_domains, list) or not raw_domains:
        errors.add("domains", "Give a list of at least one domain.")
        raw_domains = []
    elif len(raw_domains) > MAX_DOMAINS:
        errors.add("domains", f"At most {MAX_DOMAINS} domains.")
        raw_domains = []
    seen_keys: dict[str, str] = {}
    total_items = 0
    for d_index, raw in enumerate(raw_domains):
        where = f"domains[{d_index}]."
        if not isinstance(raw, dict):
            errors.add(f"domains[{d_index}]", "Give each domain as an object with a key, a name and items.")
            continue
        file_key = _text(raw, "key", where, errors, required=True, limit=80)
        key = file_key
        if file_key and slugify(file_key) != file_key:
            errors.add(f"{where}key", "Use lower-case letters, digits and hyphens, e.g. “effective-communication”.")
        elif file_key:
            target = mapping.get(file_key)
            if target == NEW_DOMAIN:
                key = file_key
            elif target is not None:
                key = target
            elif file_key not in known:
                errors.add(f"{where}key", f"“{file_key}” is not a domain key this app knows. Map it to one "
                                          f"(“{file_key} = effective-communication”) or to a new domain "
                                          f"(“{file_key} = new”).")
            if key in seen_keys:
                errors.add(f"{where}key", f"Domain {seen_keys[key]} has the same key; each domain has its own.")
            seen_keys.setdefault(key, f"{d_index + 1}")
        domain_name = _text(raw, "name", where, errors, required=True, limit=200)
        description = _text(raw, "description", where, errors, required=False)
        raw_items = raw.get("items")
        items: list[ParsedItem] = []
        if not isinstance(raw_items, list) or not raw_items:
            errors.add(f"{where}items", "Give a list of at least one item.")
            raw_items = []
        total_items += len(raw_items)
        for i_index, raw_item in enumerate(raw_items):
            parsed = _validate_item(raw_item, f"{where}items[{i_index}]", errors)
            if parsed is not None:
                items.append(parsed)
        domains.append(ParsedDomain(key=key, file_key=file_key, name=domain_name, description=description,
                                    items=items))
    if total_items > MAX_ITEMS:
        errors.add("domains", f"At most {MAX_ITEMS} items in all (this file has {total_items}).")
    if errors.found:
        raise InvalidDocument(errors.found)
    return ParsedInstrument(name=name, licence=licence, domains=domains)


def _validate_item(raw, where: str, errors: _Errors) -> ParsedItem | None:
    if not isinstance(raw, dict):
        errors.add(where, "Give each item as an object with a prompt and a response type.")
        return None
    dot = f"{where}."
    prompt = _text(raw, "prompt", dot, errors, required=True, limit=2000)
    help_text = _text(raw, "help_text", dot, errors, required=False, limit=2000)
    response_type = raw.get("response_type")
    if response_type not in RESPONSE_TYPES:
        errors.add(f"{dot}response_type", f"Use one of: {', '.join(RESPONSE_TYPES)}.")
        response_type = None
    required = _bool(raw, "required", dot, errors, True)
    item = ParsedItem(prompt=prompt, help_text=help_text, response_type=response_type or "", required=required)
    if response_type in SCALED_TYPES:
        scale = raw.get("scale")
        if not isinstance(scale, dict):
            errors.add(f"{dot}scale", "A rating item needs a scale: {\"min\": 1, \"max\": 7, \"labels\": {…}}.")
            return item
        low = _int(scale.get("min"), f"{dot}scale_min", errors)
        high = _int(scale.get("max"), f"{dot}scale_max", errors)
        if low is not None and low < 1:
            errors.add(f"{dot}scale_min", "The bottom of the scale is 1 or more.")
        if high is not None and high > MAX_SCALE:
            errors.add(f"{dot}scale_max", f"The top of the scale is at most {MAX_SCALE}.")
        if low is not None and high is not None and low >= high:
            errors.add(f"{dot}scale_max", "The top of the scale must be above its bottom.")
        labels = scale.get("labels", {})
        if not isinstance(labels, dict):
            errors.add(f"{dot}scale_labels", "Give labels as an object from scale points to text.")
            labels = {}
        for point, label in labels.items():
            if not str(point).isdigit() or (low is not None and high is not None
                                            and not low <= int(point) <= high):
                errors.add(f"{dot}scale_labels", f"“{point}” is not a point of the scale.")
            elif not isinstance(label, str) or not label.strip():
                errors.add(f"{dot}scale_labels", f"The label of point {point} must be text.")
        item.scale_min, item.scale_max = low or 1, high or 7
        item.scale_labels = {str(k): v.strip() for k, v in labels.items() if isinstance(v, str)}
        item.allow_not_applicable = _bool(raw, "allow_not_applicable", dot, errors, False)
    else:
        for name in ("scale", "allow_not_applicable"):
            if name in raw:
                errors.add(f"{dot}{name}", f"Only rating items have a {name.replace('_', ' ')}.")
    return item


# --- Import ------------------------------------------------------------------------------------


@transaction.atomic
def version_import(*, instrument: Instrument, parsed: ParsedInstrument) -> InstrumentVersion:
    """A new, unpublished version of ``instrument`` holding the validated document, numbered after
    its highest version. Like any version it is frozen once someone submits an answer to it."""
    Instrument.objects.select_for_update().get(pk=instrument.pk)  # one version numbered at a time
    number = (InstrumentVersion.objects.filter(instrument=instrument).aggregate(m=Max("number"))["m"] or 0) + 1
    version = InstrumentVersion.objects.create(instrument=instrument, number=number, published_at=None,
                                               licence=parsed.licence)
    domains = Domain.objects.bulk_create([
        Domain(version=version, key=d.key, name=d.name, description=d.description, order=index + 1)
        for index, d in enumerate(parsed.domains)
    ])
    if any(d.pk is None for d in domains):  # databases that do not return ids from bulk inserts
        domains = list(Domain.objects.filter(version=version).order_by("order"))
    Item.objects.bulk_create([
        Item(domain=domain, order=index + 1, prompt=i.prompt, help_text=i.help_text, response_type=i.response_type,
             required=i.required, scale_min=i.scale_min, scale_max=i.scale_max, scale_labels=i.scale_labels,
             allow_not_applicable=i.allow_not_applicable)
        for domain, d in zip(domains, parsed.domains, strict=True) for index, i in enumerate(d.items)
    ])
    return version
