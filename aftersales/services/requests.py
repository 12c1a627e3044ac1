"""After-sales requests coming in and decided: submit (API or staff), auto-approve, approve, reject, cancel,
assign, note, and the customer's return parcel.

Approving a request does not approve its refund: the refund step asks payments for a line-level refund
(Source.AFTERSALES), which finance approves and sends through payments' own flow (the `refund_timeouts` job
reminds and escalates it, and may auto-approve refund-only refunds of unshipped orders).
"""

import secrets
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import AftersalesEvidence, AftersalesLine, AftersalesReason, AftersalesRequest
from aftersales.services.common import K, S, _check, _locked, _move, _order_mark
from aftersales.services.policy import LineAsk, auto_approval_rule, freight_payer, line_share, policy_check
from orders import selectors as order_selectors
from orders.models import Carrier, Order, OrderLine
from orders.services import clean_tracking, intake_key_find, intake_key_store
from shop.actors import Actor
from shop.audit import record
from shop.errors import Conflict, DomainError, RuleRefused
from shop.images import image_check, image_thumbnail
from shop.selectors import store_settings

MAX_IMAGES = 9
MAX_IMAGE_BYTES = 3 * 1024 * 1024  # evidence photos: smaller than catalog images
MAX_LINES = 100


def _new_number(now) -> str:
    """AS + local date + a 5-digit sequence of the day (AS2026120100001); the unique index settles races."""
    prefix = "AS" + timezone.localtime(now).strftime("%Y%m%d")
    last = (
        AftersalesRequest.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
    ).first()
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


def reason_find(value) -> AftersalesReason:
    """An active reason by id or code, or a DomainError naming the field."""
    value = str(value or "").strip()
    reasons = AftersalesReason.objects.filter(is_active=True)
    reason = reasons.filter(pk=int(value)).first() if value.isdigit() else reasons.filter(code=value[:40]).first()
    if reason is None:
        message = _("Unknown reason.")
        raise DomainError(message, code="unknown_reason", fields={"reason": message})
    return reason


def resolve_lines(order, raw) -> list[LineAsk]:
    """[{"line": id | "sku": code, "quantity": n, "amount": optional}] -> the asks, each line once."""
    lines = list(order.lines.select_related("sku__product__category"))
    by_id = {line.pk: line for line in lines}
    by_sku: dict[str, OrderLine] = {}
    for line in lines:
        by_sku.setdefault(line.sku_code, line)
    charged = order_selectors.line_charges(order, lines=lines)
    asks, seen, errors = [], set(), {}
    if not raw:
        raise DomainError(
            _("Choose at least one line."), code="no_lines", fields={"lines": _("Choose at least one line.")}
        )
    if len(raw) > MAX_LINES:
        raise DomainError(_("Too many lines."), code="too_many_lines", fields={"lines": _("Too many lines.")})
    for i, item in enumerate(raw):
        key = f"lines.{i}"
        line = by_id.get(item.get("line")) if item.get("line") else by_sku.get(str(item.get("sku") or ""))
        if line is None:
            errors[key] = _("That line is not on order %(n)s.") % {"n": order.number}
            continue
        if line.pk in seen:
            errors[key] = _("This line is listed twice.")
            continue
        seen.add(line.pk)
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            errors[key] = _("Enter a whole number above zero.")
            continue
        amount = item.get("amount")
        if amount in (None, ""):
            amount = line_share(line, min(quantity, line.quantity), charged)
        else:
            try:
                amount = Decimal(str(amount))
            except InvalidOperation:
                amount = Decimal("NaN")
            if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
                errors[key] = _("Enter an amount of zero or more with at most two decimals.")
                continue
        asks.append(LineAsk(order_line=line, quantity=quantity, amount=amount))
    if errors:
        raise DomainError(next(iter(errors.values())), code="invalid_lines", fields=errors)
    return asks


def _check_images(images) -> None:
    if len(images) > MAX_IMAGES:
        message = _("At most %(n)s images.") % {"n": MAX_IMAGES}
        raise DomainError(message, code="too_many_images", fields={"images": message})
    for upload in images:
        image_check(upload, max_bytes=MAX_IMAGE_BYTES)


def request_submit(
    *,
    order,
    kind,
    reason,
    lines,
    actor,
    note="",
    images=(),
    channel=AftersalesRequest.Channel.API,
    idempotency_scope="",
    idempotency_key="",
    payload=None,
    now=None,
) -> tuple[AftersalesRequest, bool]:
    """Submit a request (storefront or staff); return (request, created). A retry with the same
    Idempotency-Key and body answers with the first request; a refusal writes nothing."""
    images = list(images)
    _check_images(images)  # before any row is written
    for attempt in range(2):
        try:
            return _submit(
                order=order,
                kind=kind,
                reason=reason,
                lines=lines,
                actor=actor,
                note=note,
                images=images,
                channel=channel,
                idempotency_scope=idempotency_scope,
                idempotency_key=idempotency_key,
                payload=payload,
                now=now,
            )
        except IntegrityError:
            replay = _replay(idempotency_scope, idempotency_key, payload)
            if replay is not None:
                return replay, False
            if attempt:  # two requests numbered alike at once: the retry takes the next number
                raise
    raise AssertionError("unreachable")


def _replay(scope, key, payload) -> AftersalesRequest | None:
    found = intake_key_find(scope=scope, key=key, payload=payload) if key else None
    return AftersalesRequest.objects.filter(number=found.reference).first() if found else None


@transaction.atomic(durable=True)
def _submit(
    *, order, kind, reason, lines, actor, note, images, channel, idempotency_scope, idempotency_key, payload, now
):
    now = now or timezone.now()
    replay = _replay(idempotency_scope, idempotency_key, payload)
    if replay is not None:
        return replay, False
    order = Order.objects.select_for_update().get(pk=order.pk)  # two requests of one order queue here
    asks = resolve_lines(order, lines)
    policy_check(order=order, kind=kind, reason=reason, asks=asks, now=now)
    settings = store_settings()
    who = Actor.of(actor)
    request = AftersalesRequest.objects.create(
        number=_new_number(now),
        order=order,
        kind=kind,
        channel=channel,
        reason=reason,
        freight_payer=freight_payer(reason),
        customer_note=str(note or "").strip()[:500],
        amount_asked=sum((a.amount for a in asks), Decimal("0")),
        submitted_at=now,
        respond_due_at=now + timedelta(hours=settings.aftersales_respond_hours),
        created_by=who.user,
    )
    AftersalesLine.objects.bulk_create(
        [
            AftersalesLine(request=request, order_line=a.order_line, quantity=a.quantity, amount_asked=a.amount)
            for a in asks
        ]
    )
    for upload in images:
        evidence = AftersalesEvidence(request=request)
        name = f"{request.number}-{secrets.token_hex(4)}.{_extension(upload)}"
        evidence.image.save(name, upload, save=False)
        evidence.thumbnail.save(f"thumb-{name}.jpg", image_thumbnail(upload), save=False)
        evidence.save()
    record(
        actor,
        "aftersales.request_submit",
        request,
        after={
            "order": order.number,
            "kind": kind,
            "reason": reason.code,
            "lines": [[a.order_line.sku_code, a.quantity, a.amount] for a in asks],
        },
    )
    _order_mark(
        request,
        actor=actor,
        message=_("After-sales %(number)s submitted (%(kind)s): %(reason)s")
        % {
            "number": request.number,
            "kind": request.get_kind_display(),
            "reason": reason.name,
        },
    )
    rule = auto_approval_rule(request)
    if rule is not None:
        _approve(request, actor=None, now=now, rule=rule)
    if idempotency_key:
        intake_key_store(
            scope=idempotency_scope, key=idempotency_key, payload=payload, order=order, reference=request.number
        )
    return request, True


def _extension(upload) -> str:
    name = str(getattr(upload, "name", "") or "")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else "jpg"
    return ext if ext in ("jpg", "jpeg", "png", "gif", "webp") else "jpg"


def _return_address() -> str:
    settings = store_settings()
    return settings.aftersales_return_address or " ".join(
        p for p in (settings.name, settings.contact_phone, settings.address) if p
    )


def _approve(request, *, actor, now, rule=None, note=""):
    settings = store_settings()
    fields = ["first_response_at", "overdue_at", "escalated_at"]
    request.first_response_at = request.first_response_at or now
    request.overdue_at = request.escalated_at = None  # the answer came: the next timer flags afresh
    if request.kind != K.REFUND_ONLY:
        request.return_address = _return_address()[:300]
        request.return_deadline = now + timedelta(days=settings.aftersales_return_days)
        fields += ["return_address", "return_deadline"]
    if rule is not None:
        request.auto_approved_by = rule
        fields.append("auto_approved_by")
    if note:
        request.staff_note = note[:500]
        fields.append("staff_note")
    _move(
        request,
        "approve",
        actor=actor,
        now=now,
        fields=tuple(fields),
        data={"rule": rule.name if rule else "", "return_deadline": request.return_deadline},
    )
    if rule is not None:
        record(None, "aftersales.request_auto_approve", request, after={"rule": rule.name})
    if rule is not None and request.kind == K.REFUND_ONLY:
        from aftersales.services.handling import _refund  # the refund step, in this transaction

        try:
            with transaction.atomic():  # a savepoint: a refund payments refuses leaves the request approved
                _refund(request, actor=None, now=now)
        except DomainError:
            request.refresh_from_db()


@transaction.atomic(durable=True)
def request_approve(*, request, actor, note="", now=None) -> AftersalesRequest:
    """Approve a submitted request: a return or an exchange gets the return address and its deadline."""
    request = _locked(request)
    _approve(request, actor=actor, now=now or timezone.now(), note=str(note or "").strip())
    return request


def requests_approve(*, requests, actor) -> int:
    """Approve each submitted request of a bulk action (each in its own transaction); return how many."""
    done = 0
    for request in requests:
        if request.status == S.SUBMITTED:
            request_approve(request=request, actor=actor)
            done += 1
    return done


@transaction.atomic(durable=True)
def request_reject(*, request, actor, reason, now=None) -> AftersalesRequest:
    """Refuse a submitted request, with the reason the customer is told."""
    reason = str(reason or "").strip()[:300]
    if not reason:
        message = _("Give the reason for the refusal.")
        raise DomainError(message, code="reason_required", fields={"refusal_reason": message})
    request = _locked(request)
    now = now or timezone.now()
    request.refusal_reason = reason
    request.first_response_at = request.first_response_at or now
    _move(
        request, "reject", actor=actor, now=now, fields=("refusal_reason", "first_response_at"), data={"reason": reason}
    )
    return request


@transaction.atomic(durable=True)
def request_cancel(*, request, actor, now=None) -> AftersalesRequest:
    """The customer withdraws a request that nobody has decided yet."""
    request = _locked(request)
    _move(request, "cancel", actor=actor, now=now or timezone.now())
    return request


@transaction.atomic(durable=True)
def request_assign(*, request, assignee, actor) -> AftersalesRequest:
    """Give the request to a staff member (None: nobody)."""
    request = _locked(request)
    if assignee is not None and not assignee.is_active:
        raise DomainError(
            _("That staff account is not active."), code="inactive_user", fields={"assignee": _("Inactive.")}
        )
    before = request.assignee.get_username() if request.assignee else ""
    request.assignee = assignee
    request.save(update_fields=["assignee"])
    record(
        actor,
        "aftersales.request_assign",
        request,
        before={"assignee": before},
        after={"assignee": assignee.get_username() if assignee else ""},
    )
    return request


def requests_assign(*, requests, assignee, actor) -> int:
    """Assign every request of a bulk action (open ones) to one staff member; return how many."""
    done = 0
    for request in requests:
        if request.is_open:
            request_assign(request=request, assignee=assignee, actor=actor)
            done += 1
    return done


@transaction.atomic(durable=True)
def request_note(*, request, actor, note, now=None) -> AftersalesRequest:
    """Set the staff note (counts as the first response to the customer)."""
    note = str(note or "").strip()[:500]
    if not note:
        raise DomainError(
            _("Write the note."), code="note_required", fields={"staff_note": _("This field is required.")}
        )
    request = _locked(request)
    before = request.staff_note
    request.staff_note = note
    request.first_response_at = request.first_response_at or now or timezone.now()
    request.save(update_fields=["staff_note", "first_response_at"])
    record(actor, "aftersales.request_note", request, before={"staff_note": before}, after={"staff_note": note})
    return request


@transaction.atomic(durable=True)
def request_return_shipment(*, request, carrier_code, tracking_number, actor, now=None) -> AftersalesRequest:
    """The customer sent the goods back: their carrier and tracking number (again to correct them)."""
    now = now or timezone.now()
    request = _locked(request)
    _check(request, "ship_back")
    if request.return_deadline and now > request.return_deadline:
        raise RuleRefused(
            _("The goods had to be sent back by %(d)s.")
            % {"d": timezone.localtime(request.return_deadline).strftime("%Y-%m-%d %H:%M")},
            code="return_deadline_passed",
        )
    carrier = Carrier.objects.filter(code=str(carrier_code or "").strip()[:20], is_active=True).first()
    if carrier is None:
        message = _("Unknown carrier.")
        raise DomainError(message, code="unknown_carrier", fields={"carrier": message})
    number = clean_tracking(carrier, tracking_number)
    if AftersalesRequest.objects.filter(return_carrier=carrier, return_tracking=number).exclude(pk=request.pk).exists():
        raise Conflict(_("This tracking number is already used by another request."), code="tracking_used")
    request.return_carrier, request.return_tracking = carrier, number
    _move(
        request,
        "ship_back",
        actor=actor,
        now=now,
        fields=("return_carrier", "return_tracking"),
        data={"carrier": carrier.code, "tracking_number": number},
        message=_("After-sales %(number)s: goods sent back with %(carrier)s %(tracking)s")
        % {"number": request.number, "carrier": carrier.name, "tracking": number},
    )
    return request
