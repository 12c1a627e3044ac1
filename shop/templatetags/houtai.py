from django import template

from shop import labels
from shop.money import format_money

register = template.Library()

PAGE_KEYS = ("after", "before", "page")


@register.simple_tag
def query_replace(request, key, value):
    """The current query string with `key` set to `value`: a new filter or sort starts at the first page,
    one keyset cursor replaces the other, and links never carry an export."""
    params = request.GET.copy()
    params[key] = value
    for cursor in PAGE_KEYS:
        if cursor != key and key != "export":
            params.pop(cursor, None)
    if key != "export":
        params.pop("export", None)
    return params.urlencode()


@register.filter
def money(value, currency="CNY"):
    """¥1,234.50, grouped by the active locale; Decimal in, never float (shop.money.format_money)."""
    return format_money(value, currency)


# -- labels for codes (shop.labels is the registry) --------------------------------------------------
@register.filter
def action_label(code):
    return labels.action_label(code)


@register.filter
def module_label(code):
    return labels.module_label(code)


@register.filter
def actor_label(label):
    return labels.actor_label(label)


@register.filter
def role_label(code):
    return labels.role_label(code)


@register.simple_tag
def reference_label(reference_type, reference=""):
    return labels.reference_label(reference_type, reference)


@register.filter
def audit_changes(entry):
    return labels.audit_changes(entry)


@register.filter
def rich(value):
    """Staff-written rich text (an FAQ answer, a product description) as HTML, through shop.html.sanitize_html
    at every showing: whatever wrote it (a service, an import, the Django admin, a migration), no script runs."""
    from django.utils.safestring import mark_safe

    from shop.html import sanitize_html

    return mark_safe(sanitize_html(str(value or "")))
