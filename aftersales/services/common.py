"""What every after-sales request step shares: lock the request, move it along its machine, write the order's
timeline (orders.services.order_aftersales_mark) and the audit entry, and send `request_closed` at the end."""

from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales import signals
from aftersales.models import AftersalesRequest
from aftersales.state import KIND_ACTIONS, LABELS, REQUEST_MACHINE
from orders.models import Order
from orders.services import order_aftersales_mark
from shop.audit import record
from shop.errors import NotFound
from shop.state import IllegalTransition

S = AftersalesRequest.Status
K = AftersalesRequest.Kind
A = Order.AftersalesStatus


def _locked(request) -> AftersalesRequest:
    try:
        return (
            AftersalesRequest.objects.select_for_update(of=("self",))
            .select_related("order", "reason")
            .get(pk=request.pk)
        )
    except AftersalesRequest.DoesNotExist:
        raise NotFound(_("After-sales request not found."), code="request_not_found") from None


def _check(request, action) -> None:
    """Refuse a step the request's kind never takes, or its status does not allow now (409)."""
    if action not in KIND_ACTIONS[request.kind]:
        raise IllegalTransition(
            _("A %(kind)s request is never %(action)s.")
            % {"kind": request.get_kind_display(), "action": LABELS[action]},
            status_now=request.status,
        )
    REQUEST_MACHINE.check(request, action)


def _move(request, action, *, actor, now, fields=(), message="", data=None) -> str:
    """Move a locked request, audit it, write the order's timeline; send request_closed on a final state."""
    _check(request, action)
    before = REQUEST_MACHINE.move(request, action, now=now, fields=fields)
    after = {"status": request.status, **(data or {})}
    record(actor, f"aftersales.request_{action}", request, before={"status": before}, after=after)
    _order_mark(request, actor=actor, message=message or _step_message(request))
    if request.status in AftersalesRequest.FINAL:
        transaction.on_commit(partial(_send_closed, request.pk))
    return before


def _step_message(request) -> str:
    return _("After-sales %(number)s (%(kind)s): %(status)s") % {
        "number": request.number,
        "kind": request.get_kind_display(),
        "status": request.get_status_display(),
    }


def order_aftersales_status(order) -> str:
    """The order's after-sales status from all its requests: open ones first, then what the done ones did."""
    statuses = set(AftersalesRequest.objects.filter(order=order).values_list("status", flat=True))
    open_ = statuses - set(AftersalesRequest.FINAL)
    if open_:
        return A.REQUESTED if open_ == {S.SUBMITTED} else A.IN_PROGRESS
    done = AftersalesRequest.objects.filter(order=order, status=S.CLOSED)
    if done.filter(refund__isnull=False).exists():
        return A.REFUNDED
    if done.filter(kind=K.EXCHANGE).exists():
        return A.EXCHANGED
    return A.CLOSED if statuses else A.NONE


def _order_mark(request, *, actor, message) -> None:
    order_aftersales_mark(
        order=request.order,
        status=order_aftersales_status(request.order),
        actor=actor,
        message=message,
        data={"request": request.number, "request_status": request.status},
    )


def _send_closed(request_id) -> None:
    request = AftersalesRequest.objects.filter(pk=request_id).first()
    if request is not None:
        signals.request_closed.send(sender=AftersalesRequest, request=request)
