from __future__ import annotations

import pytest

from assessments.models import Instrument, Item
from tests.factories.assessments import items_of, make_instrument


@pytest.fixture
def skills(program):
    """A small skills inventory of the program: 2 domains × 2 ability-and-willingness items."""
    return make_instrument(program, domains=2, items_per_domain=2, name="Skills inventory")


@pytest.fixture
def checklist(program):
    return make_instrument(program, kind=Instrument.Kind.READINESS, domains=2, items_per_domain=2,
                           name="Readiness checklist")


def post_data(version, *, rating="5", willingness="willing", choice="yes", skip=(), action="submit") -> dict:
    """A complete, honest form post for ``version``, minus the items at the indexes in ``skip``."""
    data = {"action": action}
    for index, item in enumerate(items_of(version)):
        if index in skip:
            continue
        name = f"item_{item.pk}"
        if item.response_type == Item.ResponseType.CHECKLIST:
            data[name] = choice
        elif item.response_type == Item.ResponseType.TEXT:
            data[name] = "A thought."
        else:
            data[name] = rating
            if item.response_type == Item.ResponseType.ABILITY_WILLINGNESS:
                data[f"{name}_willingness"] = willingness
    return data
