"""Phone numbers in templates (customers.privacy holds the rule):

{% load privacy %}
{% phone "order" order.pk order.ship_phone %}   masked; REVEAL holders get a "show" button (audited reveal)
{{ order.ship_phone|masked_phone }}             masked, for everyone (printed pages)
"""

from django import template
from django.utils.safestring import mark_safe

from customers import privacy

register = template.Library()


@register.simple_tag(takes_context=True)
def phone(context, source, pk, number):
    """The masked number; for a user who may reveal phones, a button that swaps in the full number."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return mark_safe(privacy.phone_html(user, source)(pk, number))


@register.filter
def masked_phone(number):
    return privacy.mask_phone(number)
