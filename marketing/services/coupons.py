"""Coupons: claiming, batches of unique codes, redemption at order intake, release when the order is
cancelled or closed, and expiry. Orders calls `quote_commit` and `coupons_release` inside its own
transaction (orders may import marketing; marketing never imports orders).

Races: every claim locks the template row first (select_for_update; SQLite serialises writers), then
checks the total quantity and the per-customer limit; a coupon is used by a conditional UPDATE on its
state, so two orders racing for the last coupon get one order and one 422.
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing.models import Coupon, CouponTemplate, Kind, OrderPromotion
from shop.audit import record
from shop.errors import DomainError, RuleRefused

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
MAX_BATCH = 10_000


def _refuse(message, code):
    raise RuleRefused(message, code=code, fields={"coupon_code": message})


def _expiry(template, now):
    if template.valid_days:
        return now + timedelta(days=template.valid_days)
    return template.valid_until


def _lock_for_claim(template, customer, *, new=True):
    """Lock the template; refuse when the total quantity (for a new coupon) or the customer's limit is reached."""
    template = CouponTemplate.objects.select_for_update().get(pk=template.pk)
    if new and template.total_quantity is not None and template.issued >= template.total_quantity:
        _refuse(_("Coupon %(c)s has all been claimed.") % {"c": template.name}, "coupon_sold_out")
    if Coupon.objects.filter(template=template, customer=customer).count() >= template.per_customer_limit:
        _refuse(
            _("Coupon %(c)s: at most %(n)s per customer.") % {"c": template.name, "n": template.per_customer_limit},
            "coupon_limit",
        )
    return template


def _claim(template, customer, now, *, state=Coupon.State.CLAIMED, **extra):
    template = _lock_for_claim(template, customer)
    if now < template.valid_from or now >= template.valid_until or not template.is_enabled:
        _refuse(_("Coupon %(c)s cannot be claimed now.") % {"c": template.name}, "coupon_not_claimable")
    CouponTemplate.objects.filter(pk=template.pk).update(issued=F("issued") + 1)
    return Coupon.objects.create(
        template=template, customer=customer, state=state, claimed_at=now, expires_at=_expiry(template, now), **extra
    )


@transaction.atomic(durable=True)
def coupon_claim(*, template, customer, actor=None, now=None) -> Coupon:
    """A customer claims (or staff give them) one coupon of a template, within its limits."""
    now = now or timezone.now()
    coupon = _claim(template, customer, now)
    record(
        actor or "system",
        "marketing.coupon_claim",
        coupon,
        after={"customer": str(customer), "template": template.name},
    )
    return coupon


def _new_code(prefix):
    return prefix + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


@transaction.atomic(durable=True)
def coupon_codes_generate(*, template, count, batch="", prefix="", actor) -> list[Coupon]:
    """A batch of `count` unique codes of a template (not yet claimed), within its total quantity."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_BATCH:
        message = _("Enter a number from 1 to %(n)s.") % {"n": MAX_BATCH}
        raise DomainError(message, code="invalid_count", fields={"count": message})
    prefix = "".join(ch for ch in str(prefix or "").upper() if ch.isalnum())[:10]
    template = CouponTemplate.objects.select_for_update().get(pk=template.pk)
    if template.total_quantity is not None and template.issued + count > template.total_quantity:
        message = _("Only %(n)s more coupons of this template may be issued.") % {
            "n": template.total_quantity - template.issued
        }
        raise DomainError(message, code="over_total", fields={"count": message})
    batch = str(batch or "").strip()[:40] or timezone.localtime().strftime("B%Y%m%d%H%M%S")
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {_new_code(prefix) for _ in range(count - len(codes))}
        codes |= wanted - set(Coupon.objects.filter(code__in=wanted).values_list("code", flat=True))
    coupons = Coupon.objects.bulk_create(
        [Coupon(template=template, code=code, batch=batch, expires_at=None) for code in sorted(codes)]
    )
    CouponTemplate.objects.filter(pk=template.pk).update(issued=F("issued") + count)
    record(actor, "marketing.coupon_codes", template, after={"batch": batch, "count": count})
    return coupons


def quote_commit(*, quote, order_id, order_number, customer, now=None) -> list[OrderPromotion]:
    """At intake, in the order's transaction: redeem the quote's coupon for the order and record every
    promotion the order got with its per-line split. RuleRefused (422) when the coupon was taken meanwhile."""
    now = now or timezone.now()
    if quote.coupon is not None:
        template, coupon = quote.coupon
        used = {"state": Coupon.State.USED, "used_at": now, "order_id": order_id, "order_number": order_number}
        if coupon is None:  # a claim code: claim one for the customer and use it at once
            _claim(
                template,
                customer,
                now,
                state=Coupon.State.USED,
                used_at=now,
                order_id=order_id,
                order_number=order_number,
            )
        elif coupon.customer_id is None:  # an unclaimed unique code: the customer's limit, then take it
            _lock_for_claim(template, customer, new=False)
            taken = Coupon.objects.filter(pk=coupon.pk, state=Coupon.State.AVAILABLE, customer__isnull=True).update(
                customer=customer, claimed_at=now, **used
            )
            if not taken:
                _refuse(_("Coupon %(c)s was already used.") % {"c": coupon.code}, "coupon_used")
        else:
            taken = (
                Coupon.objects.filter(pk=coupon.pk, state=Coupon.State.CLAIMED, customer=customer)
                .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
                .update(**used)
            )
            if not taken:
                _refuse(_("Coupon %(c)s was already used.") % {"c": coupon.code or template.name}, "coupon_used")
    rows = [
        OrderPromotion(
            order_id=order_id,
            order_number=order_number,
            kind=a.kind,
            promotion_id=a.promotion_id,
            name=str(a.name)[:120],
            amount=a.amount,
            lines={code: str(amount) for code, amount in a.lines.items()},
        )
        for a in quote.applied
        if a.kind in Kind.values
    ]
    return OrderPromotion.objects.bulk_create(rows)


def coupons_release(*, order_id, now=None) -> int:
    """When an order is cancelled or closed unpaid (in its transaction): its coupon returns to the customer,
    or becomes expired when its time is over. Returns how many were released."""
    now = now or timezone.now()
    used = Coupon.objects.filter(order_id=order_id, state=Coupon.State.USED)
    cleared = {"used_at": None, "order_id": None, "order_number": ""}
    over = Q(expires_at__lte=now) | Q(template__valid_until__lte=now, template__valid_days__isnull=True)
    expired = used.filter(over).update(state=Coupon.State.EXPIRED, **cleared)
    back = used.update(state=Coupon.State.CLAIMED, **cleared)
    return expired + back


def coupons_expire(*, now=None) -> dict:
    """Expire the claimed and unclaimed coupons whose time is over (idempotent). The daily job
    `expire_coupons_and_points` calls this beside the points expiry."""
    now = now or timezone.now()
    open_states = [Coupon.State.CLAIMED, Coupon.State.AVAILABLE]
    over = Q(expires_at__lte=now) | Q(
        expires_at__isnull=True, template__valid_until__lte=now
    )  # unclaimed codes end with their template's window
    with transaction.atomic():
        expired = Coupon.objects.filter(state__in=open_states).filter(over).update(state=Coupon.State.EXPIRED)
    return {"coupons_expired": expired}
