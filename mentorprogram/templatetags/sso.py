from django import template

from mentorprogram.sso import allow_forms_to

register = template.Library()


@register.simple_tag(takes_context=True)
def sso_form_action(context, providers) -> str:
    """``{% sso_form_action providers %}`` on a page with sign-in buttons: its forms may lead there."""
    request = context.get("request")
    if request is not None:
        allow_forms_to(request, providers)
    return ""
