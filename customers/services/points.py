"""The points ledger's use cases (customers.models.points): the only code that writes points.

Every write locks the customer row (`select_for_update`), first expires the customer's lots that are
past their date, then writes its ledger rows and the new `Customer.points_balance` in the same
transaction, so the balance is the ledger's sum however many orders race for it. Positive rows are
lots (expiring after the store's `points_valid_days`); negative rows consume the oldest lots first.

    points_earn_for_order     an order completed: floor(paid × points_per_yuan × tier multiplier)
    points_redemption_value   what `points` are worth on a cart (pricing asks it; nothing written)
    points_redeem             the redemption row, inside the intake transaction
    points_return_for_order   a cancelled or closed order: its redeemed points come back
    points_after_refund       a refund confirmed: redeemed points back, earned points reversed, in proportion
    points_adjust             staff add or take points, with a reason (permission customers.adjust_points)
    points_expire_due         the job: expire every lot past its date (an `expire` row per lot)
    points_birthday_grant     the job: the tier's birthday gift, once per customer and year
"""

from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer, PointsEntry
from shop.actors import Actor
from shop.audit import record
from shop.errors import DomainError, RuleRefused
from shop.money import to_cents
from shop.selectors import store_settings

K = PointsEntry.Kind
MAX_ADJUST = 10_000_000


class PointsInsufficient(RuleRefused):
    code = "points_insufficient"


def _lock(customer) -> Customer:
    return Customer.objects.select_for_update().get(pk=customer.pk if isinstance(customer, Customer) else customer)


def _open_lots(customer):
    """The customer's lots with points left, oldest expiry first (FIFO)."""
    return PointsEntry.objects.filter(customer=customer, remaining__gt=0).order_by("expires_at", "created_at", "id")


def _consume(customer, points: int, *, first=None) -> int:
    """Take `points` from the customer's lots, `first` (a lot) before the oldest; return what was taken."""
    lots = list(_open_lots(customer).select_for_update())
    if first is not None:
        lots.sort(key=lambda lot: lot.pk != first.pk)
    taken = 0
    for lot in lots:
        if taken == points:
            break
        share = min(lot.remaining, points - taken)
        lot.remaining -= share
        lot.save(update_fields=["remaining"])
        taken += share
    return taken


def _post(customer, kind, points, *, now, actor=None, reason="", order_number="", reference="", amount=None, lot=None):
    """Write one ledger row on a locked customer and move their balance with it."""
    who = Actor.of(actor)
    entry = PointsEntry(
        customer=customer,
        kind=kind,
        points=points,
        reason=str(reason)[:200],
        order_number=order_number[:32],
        reference=str(reference)[:64],
        amount=amount,
        actor=who.user,
        actor_label=who.label,
        created_at=now,
    )
    if points > 0:
        entry.remaining = points
        entry.expires_at = now + timedelta(days=store_settings().points_valid_days)
    elif kind != K.EXPIRE:
        _consume(customer, -points, first=lot)
    customer.points_balance += points
    entry.balance_after = customer.points_balance
    entry.save()
    Customer.objects.filter(pk=customer.pk).update(points_balance=customer.points_balance)
    return entry


def _expire_lots(customer, now) -> int:
    """Expire the locked customer's lots past their date: one `expire` row per lot; the points expired."""
    expired = 0
    for lot in _open_lots(customer).filter(expires_at__lte=now).select_for_update():
        points = lot.remaining
        lot.remaining = 0
        lot.save(update_fields=["remaining"])
        _post(customer, K.EXPIRE, -points, now=now, reason=_("Points expired"), reference=f"lot:{lot.pk}")
        expired += points
    return expired


def _locked_current(customer, now) -> Customer:
    customer = _lock(customer)
    _expire_lots(customer, now)
    return customer


def _whole(points, field="points") -> int:
    if isinstance(points, bool) or not isinstance(points, int):
        message = _("Enter a whole number of points.")
        raise DomainError(message, code="invalid_points", fields={field: message})
    return points


# -- earning ----------------------------------------------------------------------------------------
def points_for_amount(customer, amount) -> int:
    """floor(amount × the store's points per yuan × the customer's tier multiplier)."""
    multiplier = customer.tier.points_multiplier if customer.tier_id else Decimal("1")
    raw = Decimal(amount) * store_settings().points_per_yuan * multiplier
    return max(int(raw.to_integral_value(rounding=ROUND_FLOOR)), 0)


@transaction.atomic(durable=True)
def points_earn_for_order(*, customer, order_number, amount, now=None) -> PointsEntry | None:
    """Grant the points of a completed order (once per order); None when there is nothing to grant."""
    now = now or timezone.now()
    customer = _locked_current(customer, now)
    if PointsEntry.objects.filter(kind=K.EARN, order_number=order_number).exists():
        return None
    points = points_for_amount(Customer.objects.select_related("tier").get(pk=customer.pk), amount)
    if points <= 0:
        return None
    return _post(
        customer,
        K.EARN,
        points,
        now=now,
        reason=_("Order %(n)s completed") % {"n": order_number},
        order_number=order_number,
        amount=to_cents(amount),
    )


# -- redeeming --------------------------------------------------------------------------------------
def points_redemption_value(*, customer, points, goods_total) -> Decimal:
    """What `points` take off a cart of `goods_total`, or a refusal with the reason (nothing written).

    The store's `points_per_yuan_redeemed` points are worth ¥1 (the value is rounded down to the cent);
    points may pay at most `points_max_percent` of the goods total, and never more than the balance.
    """
    points = _whole(points)
    if points < 0:
        raise DomainError(_("Points must be zero or more."), code="invalid_points", fields={"points": _("Invalid.")})
    if points == 0:
        return Decimal("0.00")
    if customer is None or customer.pk is None:
        raise PointsInsufficient(
            _("Only a customer with points can redeem them."), fields={"points": _("No points to redeem.")}
        )
    settings = store_settings()
    balance = Customer.objects.filter(pk=customer.pk).values_list("points_balance", flat=True).first() or 0
    if points > balance:
        message = _("Only %(n)s points are available.") % {"n": balance}
        raise PointsInsufficient(message, fields={"points": message})
    value = (Decimal(points) / settings.points_per_yuan_redeemed).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    cap = to_cents(Decimal(goods_total) * settings.points_max_percent / 100)
    if value > cap:
        most = int(cap * settings.points_per_yuan_redeemed)
        message = _("Points may pay at most %(p)s%% of this order: up to %(n)s points.") % {
            "p": settings.points_max_percent,
            "n": most,
        }
        raise RuleRefused(message, code="points_over_limit", fields={"points": message})
    if value <= 0:
        message = _("%(n)s points are worth less than one cent.") % {"n": points}
        raise RuleRefused(message, code="points_too_few", fields={"points": message})
    return value


@transaction.atomic
def points_redeem(*, customer, order_number, points, value, actor=None, now=None) -> PointsEntry:
    """Take the points an order redeems (inside the intake transaction); refuse more than the balance."""
    now = now or timezone.now()
    points = _whole(points)
    if points <= 0:
        raise DomainError(_("Points must be above zero."), code="invalid_points", fields={"points": _("Invalid.")})
    customer = _locked_current(customer, now)
    if points > customer.points_balance:
        message = _("Only %(n)s points are available.") % {"n": customer.points_balance}
        raise PointsInsufficient(message, fields={"points": message})
    return _post(
        customer,
        K.REDEEM,
        -points,
        now=now,
        actor=actor,
        reason=_("Redeemed on order %(n)s") % {"n": order_number},
        order_number=order_number,
        amount=value,
    )


# -- returning and reversing ------------------------------------------------------------------------
def _order_sum(order_number, *kinds) -> int:
    rows = PointsEntry.objects.filter(order_number=order_number, kind__in=kinds).values_list("points", flat=True)
    return sum(rows)


@transaction.atomic
def points_return_for_order(*, customer, order_number, reason="", actor=None, now=None) -> PointsEntry | None:
    """Give back the points a cancelled or closed order redeemed (what was not returned yet); once."""
    now = now or timezone.now()
    customer = _locked_current(customer, now)
    owed = -_order_sum(order_number, K.REDEEM) - _order_sum(order_number, K.RETURN)
    if owed <= 0 or PointsEntry.objects.filter(kind=K.RETURN, order_number=order_number, reference="cancel").exists():
        return None
    return _post(
        customer,
        K.RETURN,
        owed,
        now=now,
        actor=actor,
        reason=reason or _("Order %(n)s cancelled") % {"n": order_number},
        order_number=order_number,
        reference="cancel",
    )


def _share(points: int, part: Decimal, whole: Decimal) -> int:
    """points × part / whole, rounded half-up; all of them when the part is the whole."""
    if whole <= 0 or part >= whole:
        return points
    return int((Decimal(points) * part / whole).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@transaction.atomic
def points_after_refund(*, customer, order_number, refund_reference, refunded, captured, actor=None, now=None) -> list:
    """After a refund: give back the redeemed points and reverse the earned ones in proportion to the
    order's refunded share (`refunded` of `captured`, every refund so far); once per refund.

    The shares are cumulative (what should be back after every refund so far, minus what already is),
    so partial refunds add up to exactly all the points when the whole order is refunded.
    """
    now = now or timezone.now()
    customer = _locked_current(customer, now)
    reference = str(refund_reference)[:64]
    done = PointsEntry.objects.filter(order_number=order_number, reference=reference, kind__in=(K.RETURN, K.REVERSE))
    if done.exists():
        return []
    refunded, captured = Decimal(refunded), Decimal(captured)
    entries = []
    redeemed = -_order_sum(order_number, K.REDEEM)
    returned = _order_sum(order_number, K.RETURN)
    give = min(_share(redeemed, refunded, captured), redeemed) - returned
    reason = _("Order %(n)s refunded") % {"n": order_number}
    if give > 0:
        entries.append(
            _post(
                customer,
                K.RETURN,
                give,
                now=now,
                actor=actor,
                reason=reason,
                order_number=order_number,
                reference=reference,
            )
        )
    earn = PointsEntry.objects.filter(kind=K.EARN, order_number=order_number).first()
    if earn is not None:
        reversed_ = -_order_sum(order_number, K.REVERSE)
        # The points were earned on what was paid less what was refunded by then (`earn.amount`):
        # only the refunds since count against them.
        basis = earn.amount if earn.amount is not None else captured
        since = refunded - (captured - basis)
        take = min(_share(earn.points, max(since, Decimal("0")), basis), earn.points) - reversed_
        # Points already spent cannot be taken back: the balance never goes below zero.
        take = min(take, customer.points_balance)
        if take > 0:
            entries.append(
                _post(
                    customer,
                    K.REVERSE,
                    -take,
                    now=now,
                    actor=actor,
                    reason=reason,
                    order_number=order_number,
                    reference=reference,
                    lot=earn,
                )
            )
    return entries


# -- staff ------------------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def points_adjust(*, customer, points, reason, actor, now=None) -> PointsEntry:
    """Add (or with a negative number take) points by hand, with a reason; never below a zero balance."""
    now = now or timezone.now()
    points = _whole(points)
    if points == 0 or abs(points) > MAX_ADJUST:
        message = _("Enter a number of points other than zero, at most %(n)s either way.") % {"n": MAX_ADJUST}
        raise DomainError(message, code="invalid_points", fields={"points": message})
    reason = str(reason or "").strip()
    if not reason:
        message = _("Give a reason for the adjustment.")
        raise DomainError(message, code="reason_required", fields={"reason": message})
    customer = _locked_current(customer, now)
    before = customer.points_balance
    if before + points < 0:
        message = _("The customer has %(n)s points; the balance cannot go below zero.") % {"n": before}
        raise RuleRefused(message, code="points_negative", fields={"points": message})
    entry = _post(customer, K.ADJUST, points, now=now, actor=actor, reason=reason)
    record(
        actor,
        "customers.points_adjust",
        customer,
        before={"points_balance": before},
        after={"points_balance": customer.points_balance, "points": points, "reason": reason[:200]},
    )
    return entry


# -- jobs -------------------------------------------------------------------------------------------
def points_expire_due(*, now=None, limit=10_000) -> dict:
    """Expire every lot past its date, customer by customer (one short transaction each); safe to rerun."""
    now = now or timezone.now()
    ids = list(
        PointsEntry.objects.filter(remaining__gt=0, expires_at__lte=now)
        .order_by("customer_id")
        .values_list("customer_id", flat=True)
        .distinct()[:limit]
    )
    points = 0
    for pk in ids:
        with transaction.atomic(durable=True):
            points += _expire_lots(_lock(pk), now)
    return {"customers": len(ids), "points": points}


def _birthday_filter(today: date) -> Q:
    condition = Q(birthday__month=today.month, birthday__day=today.day)
    leap = today.year % 4 == 0 and (today.year % 100 != 0 or today.year % 400 == 0)
    if (today.month, today.day) == (2, 28) and not leap:
        condition |= Q(birthday__month=2, birthday__day=29)
    return condition


def points_birthday_grant(*, today=None, now=None) -> dict:
    """Give each customer whose birthday is today their tier's birthday points, once a year."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    year = str(today.year)
    candidates = list(
        Customer.objects.filter(_birthday_filter(today), tier__birthday_points__gt=0)
        .exclude(points_entries__kind=K.BIRTHDAY, points_entries__reference=year)
        .values_list("pk", flat=True)
    )
    granted = 0
    for pk in candidates:
        with transaction.atomic(durable=True):
            customer = _locked_current(pk, now)
            if PointsEntry.objects.filter(customer=customer, kind=K.BIRTHDAY, reference=year).exists():
                continue
            gift = Customer.objects.select_related("tier").get(pk=pk).tier
            if gift is None or gift.birthday_points <= 0:
                continue
            _post(customer, K.BIRTHDAY, gift.birthday_points, now=now, reason=_("Birthday gift"), reference=year)
            granted += 1
    return {"granted": granted}
