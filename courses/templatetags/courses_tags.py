from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def hours(value) -> str:
    """2.50 → “2.5”, 1.00 → “1”, 0.25 → “0.25”: hours without trailing zeros."""
    if value in (None, ""):
        return ""
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
