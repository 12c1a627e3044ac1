"""Phone numbers in templates (customers.privacy holds the rule):

{% load privacy %}
{% phone "order" order.pk order.ship_phone %}   masked; REVEAL holders get a "show" button (audited reveal)
{{ order.ship_phone|masked_phone }}             masked, for everyone (printed pages)
"""

import json

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from customers import privacy

register = template.Library()


@register.simple_tag(takes_context=True)
def phone(context, source, pk, number):
    """The masked number; for a user who may reveal phones, a button that swaps in the full number."""
    masked = privacy.mask_phone(number)
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if not masked or masked == str(number or "") or not privacy.may_reveal(user):
        return format_html('<span class="phone">{}</span>', masked)
    return format_html(
        '<span class="phone">{} <button type="button" class="link reveal" hx-post="{}" hx-vals=\'{}\' '
        'hx-target="closest .phone" hx-swap="outerHTML">{}</button></span>',
        masked,
        reverse("customers:phone_reveal"),
        json.dumps({"source": str(source), "pk": str(pk)}),
        _("Show"),
    )


@register.filter
def masked_phone(number):
    return privacy.mask_phone(number)
