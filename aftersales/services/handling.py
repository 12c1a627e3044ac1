"""After-sales requests handled: the returned parcel received, each line inspected (back to stock through the
stock ledger, or written off), the refund asked of payments, the replacement of an exchange shipped, and the
request closed.

Stock: a restocked line is a `return` ledger row (inventory.stock_return, reference_type "aftersales",
reference the request number); an exchange's replacement is reserved under the same reference at inspection
(inventory.stock_reserve) and leaves the shelf when it ships (inventory.stock_commit).
Money: the refund is line-level, exact to what each line was charged (payments.refund_request_for_aftersales:
quantity × charged / bought, the last units taking what is left), unless staff asked a smaller amount.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import AftersalesLine, AftersalesRequest
from aftersales.services.common import K, _check, _locked, _move
from aftersales.services.policy import line_share
from inventory.models import Warehouse
from inventory.services import stock_commit, stock_reserve, stock_return
from orders import selectors as order_selectors
from orders.models import Carrier
from orders.services import clean_tracking
from payments.services import refund_request_for_aftersales
from shop.errors import DomainError
from shop.selectors import store_settings

RESERVATION_TYPE = "aftersales"


@transaction.atomic(durable=True)
def request_receive(*, request, actor, note="", now=None) -> AftersalesRequest:
    """The returned parcel arrived at the warehouse; the refund (or replacement) clock starts."""
    now = now or timezone.now()
    request = _locked(request)
    _check(request, "receive")
    request.refund_due_at = now + timedelta(hours=store_settings().aftersales_refund_hours)
    request.overdue_at = None  # the response timer was met; the refund timer is a new episode
    request.escalated_at = None
    fields = ["refund_due_at", "overdue_at", "escalated_at"]
    if note:
        request.staff_note = str(note).strip()[:500]
        fields.append("staff_note")
    _move(request, "receive", actor=actor, now=now, fields=tuple(fields))
    return request


@transaction.atomic(durable=True)
def request_inspect(*, request, actor, outcomes, now=None):
    """Record each line's inspection: {line id: {"outcome": restock|write_off, "warehouse": Warehouse,
    "reason": str, "replacement_sku": Sku|None}}. Restocked units go back on hand through the stock ledger;
    an exchange's replacements are reserved."""
    now = now or timezone.now()
    request = _locked(request)
    _check(request, "inspect")
    lines = list(request.lines.select_related("order_line__sku"))
    errors = {}
    for line in lines:
        choice = outcomes.get(line.pk) or {}
        outcome = choice.get("outcome")
        key = f"line_{line.pk}"
        if outcome == AftersalesLine.Outcome.RESTOCK:
            warehouse = choice.get("warehouse")
            if not isinstance(warehouse, Warehouse) or not warehouse.is_active:
                errors[key] = _("Choose the warehouse the goods go back to.")
        elif outcome == AftersalesLine.Outcome.WRITE_OFF:
            if not str(choice.get("reason") or "").strip():
                errors[key] = _("Give the reason for the write-off.")
        else:
            errors[key] = _("Choose back to stock or write off.")
    if errors:
        raise DomainError(next(iter(errors.values())), code="inspection_incomplete", fields=errors)
    for line in lines:
        choice = outcomes[line.pk]
        line.outcome = choice["outcome"]
        if line.outcome == AftersalesLine.Outcome.RESTOCK:
            line.warehouse = choice["warehouse"]
            stock_return(
                sku=line.order_line.sku,
                warehouse=line.warehouse,
                quantity=line.quantity,
                actor=actor,
                reason=_("After-sales return %(n)s") % {"n": request.number},
                reference=request.number,
                reference_type=RESERVATION_TYPE,
            )
        else:
            line.write_off_reason = str(choice["reason"]).strip()[:200]
        if request.kind == K.EXCHANGE:
            line.replacement_sku = choice.get("replacement_sku") or line.order_line.sku
        line.save(update_fields=["outcome", "warehouse", "write_off_reason", "replacement_sku"])
    fields: tuple[str, ...] = ()
    if request.kind == K.EXCHANGE:  # after the restock, so a returned unit may serve its own replacement
        stock_reserve(
            items=[(line.replacement_sku, line.quantity) for line in lines],
            reference=request.number,
            reference_type=RESERVATION_TYPE,
            province=request.order.ship_province,
            actor=actor,
        )
        request.replacement_reserved_at = now
        fields = ("replacement_reserved_at",)
    _move(
        request,
        "inspect",
        actor=actor,
        now=now,
        fields=fields,
        data={"lines": [[ln.order_line.sku_code, ln.quantity, ln.outcome] for ln in lines]},
    )
    return request


def _refund(request, *, actor, now):
    """Ask payments for the request's refund (in the caller's transaction) and move the request to refunded."""
    _check(request, "refund")
    lines = list(request.lines.select_related("order_line__order"))
    charged = order_selectors.line_charges(request.order)
    exact = all(line.amount_asked >= line_share(line.order_line, line.quantity, charged) for line in lines)
    reason = _("After-sales %(n)s: %(r)s") % {"n": request.number, "r": request.reason.name}
    refund = refund_request_for_aftersales(
        order=request.order,
        lines={line.order_line_id: line.quantity for line in lines},
        # staff agreed on less than a line was charged: that amount, no more (a partial refund of the payment)
        amount=None if exact else sum((line.amount_asked for line in lines), Decimal("0")),
        reason=reason,
        actor=actor,
        refund_only=request.kind == K.REFUND_ONLY,
    )
    for line in lines:
        line.amount_refunded = _row_amount(refund, line) if exact else line.amount_asked
        line.save(update_fields=["amount_refunded"])
    request.refund = refund
    _move(
        request,
        "refund",
        actor=actor,
        now=now,
        fields=("refund",),
        data={"refund": refund.pk, "amount": refund.amount},
        message=_("After-sales %(number)s: refund of ¥%(amount)s requested (awaiting finance)")
        % {"number": request.number, "amount": refund.amount},
    )
    return refund


def _row_amount(refund, line) -> Decimal:
    return sum((Decimal(r["amount"]) for r in refund.lines if r["line"] == line.order_line_id), Decimal("0"))


@transaction.atomic(durable=True)
def request_refund(*, request, actor, now=None):
    """Refund an inspected return or an approved refund-only request through payments, line by line."""
    request = _locked(request)
    _refund(request, actor=actor, now=now or timezone.now())
    return request


@transaction.atomic(durable=True)
def request_ship_replacement(*, request, carrier, tracking_number, actor, now=None):
    """Ship an exchange's replacement: its reserved stock leaves the shelf; the customer gets the tracking number."""
    now = now or timezone.now()
    request = _locked(request)
    _check(request, "ship_replacement")
    if not isinstance(carrier, Carrier):
        message = _("Choose the carrier.")
        raise DomainError(message, code="carrier_required", fields={"carrier": message})
    number = clean_tracking(carrier, tracking_number)
    stock_commit(reference=request.number, reference_type=RESERVATION_TYPE, actor=actor)
    request.replacement_carrier, request.replacement_tracking = carrier, number
    _move(
        request,
        "ship_replacement",
        actor=actor,
        now=now,
        fields=("replacement_carrier", "replacement_tracking"),
        data={"carrier": carrier.code, "tracking_number": number},
        message=_("After-sales %(number)s: replacement shipped with %(carrier)s %(tracking)s")
        % {"number": request.number, "carrier": carrier.name, "tracking": number},
    )
    return request


@transaction.atomic(durable=True)
def request_close(*, request, actor, now=None):
    """Close a refunded or exchanged request (its survey may follow: request_closed)."""
    request = _locked(request)
    _move(request, "close", actor=actor, now=now or timezone.now())
    return request
