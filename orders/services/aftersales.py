"""What after-sales tells an order (DESIGN §1: aftersales calls orders, never the reverse): the order's
after-sales status and a timeline entry for every step of a request."""

from django.db import transaction
from django.utils.translation import gettext as _

from orders.models import Order
from orders.services.common import _audit, _event, _locked
from shop.errors import DomainError


@transaction.atomic  # joins the after-sales service's transaction
def order_aftersales_mark(*, order, status, actor, message="", data=None) -> Order:
    """Set the order's after-sales status and write the step to its timeline."""
    if status not in Order.AftersalesStatus.values:
        raise DomainError(_("Unknown after-sales status."), code="invalid_aftersales_status")
    order = _locked(order)
    before = order.aftersales_status
    if before != status:
        order.aftersales_status = status
        order.save(update_fields=["aftersales_status"])
    _event(order, "aftersales", actor=actor, message=message, data={"aftersales_status": status, **(data or {})})
    if before != status:
        _audit(
            actor, "orders.aftersales", order, before={"aftersales_status": before}, after={"aftersales_status": status}
        )
    return order
