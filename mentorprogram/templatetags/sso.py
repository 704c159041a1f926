from django import template

from mentorprogram.sso import allow_forms_to

register = template.Library()


@register.simple_tag(takes_context=True)
def sso_form_action(context, providers=None) -> str:
    """``{% sso_form_action providers %}`` on a page with sign-in buttons: its forms may lead there
    (a page about one ``provider`` in its context may leave the list out)."""
    request = context.get("request")
    if providers is None:
        providers = [context["provider"]] if context.get("provider") is not None else []
    if request is not None:
        allow_forms_to(request, providers)
    return ""
