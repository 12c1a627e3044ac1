from django import template
from django.utils.translation import gettext_lazy as _

from orders.models import Order

register = template.Library()

EVENT_LABELS = {
    "placed": _("Placed"),
    "pay": _("Paid"),
    "allocate": _("Allocated"),
    "pick": _("Picking"),
    "ship": _("Shipped"),
    "deliver": _("Delivered"),
    "complete": _("Completed"),
    "cancel": _("Cancelled"),
    "close": _("Closed"),
    "note": _("Note"),
    "address": _("Address changed"),
    "price": _("Price adjusted"),
    "flagged": _("On hold"),
    "resolved": _("Released"),
    "merged": _("Merged"),
    "unmerged": _("Unmerged"),
    "dispatch": _("Dispatch rule"),
    "collected": _("Cash collected"),
    "aftersales": _("After-sales"),
}


@register.filter
def status_label(value):
    return dict(Order.Status.choices).get(value, value)


@register.filter
def event_label(value):
    return EVENT_LABELS.get(value, value)
