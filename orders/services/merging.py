"""Merging: orders of one customer to one address ship together under the oldest; money stays per order."""

from django.db import transaction
from django.utils.translation import gettext as _

from orders.models import Order
from orders.services.common import _audit, _event, _locked
from orders.state import PAID_STATES
from shop.errors import Conflict


def _address(order) -> tuple:
    return (
        order.ship_name,
        order.ship_phone,
        order.ship_province,
        order.ship_city,
        order.ship_district,
        order.ship_detail,
    )


def merge_problems(orders) -> list[str]:
    """Why these orders cannot ship together (empty when they can)."""
    problems = []
    if len(orders) < 2:
        problems.append(_("Choose at least two orders."))
        return problems
    first = orders[0]
    for o in orders:
        if o.customer_id != first.customer_id:
            problems.append(_("%(n)s belongs to another customer.") % {"n": o.number})
        elif _address(o) != _address(first):
            problems.append(_("%(n)s goes to another address.") % {"n": o.number})
        if o.status not in PAID_STATES:
            problems.append(
                _("%(n)s is %(s)s; only paid, unshipped orders merge.") % {"n": o.number, "s": o.get_status_display()}
            )
        if o.merged_into_id:
            problems.append(_("%(n)s is already merged.") % {"n": o.number})
    return problems


@transaction.atomic(durable=True)
def orders_merge(*, orders, actor) -> Order:
    """Ship these orders of one customer to one address together; the oldest leads. Money stays per order."""
    ids = sorted(o.pk for o in orders)
    locked = list(Order.objects.select_for_update().filter(pk__in=ids).order_by("placed_at", "pk"))
    problems = merge_problems(locked)
    if problems:
        raise Conflict(" ".join(problems), code="cannot_merge")
    lead, others = locked[0], locked[1:]
    Order.objects.filter(merged_into__in=[o.pk for o in others]).update(merged_into=lead)
    for o in others:
        o.merged_into = lead
        o.save(update_fields=["merged_into"])
        _event(o, "merged", actor=actor, message=_("Ships with %(n)s") % {"n": lead.number})
    _event(
        lead,
        "merged",
        actor=actor,
        message=_("Ships together with %(list)s") % {"list": ", ".join(o.number for o in others)},
    )
    _audit(actor, "orders.merge", lead, after={"orders": [o.number for o in others]})
    return lead


@transaction.atomic(durable=True)
def order_unmerge(*, order, actor) -> Order:
    """Let a merged order ship on its own again."""
    order = _locked(order)
    if not order.merged_into_id:
        raise Conflict(_("Order %(n)s is not merged.") % {"n": order.number}, code="not_merged")
    lead = order.merged_into
    order.merged_into = None
    order.save(update_fields=["merged_into"])
    _event(order, "unmerged", actor=actor, message=lead.number)
    _audit(actor, "orders.unmerge", order, before={"merged_into": lead.number})
    return order
