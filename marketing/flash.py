"""Flash sales (秒杀): setting sessions up, pricing and claiming their units at intake, giving back the units of
orders that close unpaid or are cancelled, and returning the unsold units to normal stock when a session ends.

The path of one flash-sale unit:
1. `flash_item_add` holds the sale quantity apart: the `flash_stock_hold` signal (orders' receiver ->
   inventory.stock_reserve under `flash_sale:flash:<item>`) reserves it with ledger rows, so it leaves
   normal availability; more than is available is refused and nothing is written.
2. At intake (`flash_gate_enter` before the order's transaction, `flash_claim` inside it) the units are taken:
   with the Redis gate (settings.FLASH_SALE_GATE == "redis"; off by default: the guarded UPDATE alone
   measured faster, BENCHMARKS.md) a Lua check-and-decrement turns away sold-out and over-limit buyers
   before the database; without it one read of `remaining` does; then — on both paths — a guarded UPDATE of the
   customer's tally (`quantity + n <= limit`) and of the SKU's `remaining` (`remaining >= n`) decides. The
   order's reservation is then moved from the session's reference to the order (orders does it).
3. `flash_unclaim` (an order closes unpaid or is cancelled) puts the units back into the session (and into
   the gate), unless the session has ended and been settled: then the order's release returns them to stock.
4. `flash_sessions_settle` (job `flash_sale_ends`, every minute) returns the unsold units of ended sessions to
   normal stock (`flash_stock_release` -> inventory.stock_release), once: `settled_at` marks it.
"""

import time
import uuid
from datetime import datetime
from decimal import Decimal
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Sku
from marketing import gate, signals
from marketing.models import FlashClaim, FlashPurchase, FlashSaleItem, FlashSession
from marketing.models.flash import Schedule
from shop.audit import record, snapshot
from shop.china import mobile_digits
from shop.errors import Conflict, DomainError, NotFound, RuleRefused
from shop.money import parse_money, to_cents

REFERENCE_TYPE = "flash_sale"
MAX_QUANTITY = 1_000_000


# -- staff: sessions and their SKUs ------------------------------------------------------------------
def _check_window(starts_at, ends_at):
    errors = {}
    if not isinstance(starts_at, datetime):
        errors["starts_at"] = _("Enter a date and time.")
    if not isinstance(ends_at, datetime):
        errors["ends_at"] = _("Enter a date and time.")
    if not errors and ends_at <= starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    if errors:
        raise DomainError(next(iter(errors.values())), code="invalid_window", fields=errors)


def _overlap_problem(sku, starts_at, ends_at, *, exclude_session=None):
    clash = FlashSaleItem.objects.filter(
        sku=sku, session__starts_at__lt=ends_at, session__ends_at__gt=starts_at, session__settled_at__isnull=True
    ).select_related("session")
    if exclude_session is not None:
        clash = clash.exclude(session=exclude_session)
    found = clash.first()
    if found:
        return _("%(sku)s is already in the session “%(s)s” at that time.") % {"sku": sku.code, "s": found.session}
    return None


@transaction.atomic(durable=True)
def flash_session_save(*, actor, name, starts_at, ends_at, session=None) -> FlashSession:
    """Create a session or change its name and times (times only while it has not started)."""
    name = str(name or "").strip()
    if not name:
        raise DomainError(_("Give the session a name."), code="invalid", fields={"name": _("This field is required.")})
    _check_window(starts_at, ends_at)
    if session is not None:
        session = FlashSession.objects.select_for_update().get(pk=session.pk)
        times_changed = (session.starts_at, session.ends_at) != (starts_at, ends_at)
        if times_changed and session.status != Schedule.SCHEDULED:
            message = _("The times of a session that has started cannot change.")
            raise RuleRefused(message, code="session_started", fields={"starts_at": message})
        if times_changed:
            for item in session.items.select_related("sku"):
                problem = _overlap_problem(item.sku, starts_at, ends_at, exclude_session=session)
                if problem:
                    raise RuleRefused(problem, code="flash_overlap", fields={"starts_at": problem})
    before = snapshot(session) if session else None
    session = session or FlashSession()
    session.name, session.starts_at, session.ends_at = name[:100], starts_at, ends_at
    session.save()
    record(actor, "marketing.flash_session_save", session, before=before, after=snapshot(session))
    _forget(session.pk)
    return session


@transaction.atomic(durable=True)
def flash_item_add(*, actor, session, sku, sale_price, quantity, per_customer_limit=1) -> FlashSaleItem:
    """Add a SKU to a session that has not ended, holding `quantity` units apart from normal stock."""
    session = FlashSession.objects.select_for_update().get(pk=session.pk)
    errors = {}
    if session.status == Schedule.ENDED or session.settled_at:
        raise RuleRefused(_("The session has ended."), code="session_ended")
    if not isinstance(sku, Sku):
        sku = Sku.objects.filter(code=str(sku or "").strip()).first()
        if sku is None:
            errors["sku"] = _("Unknown SKU.")
    try:
        price = parse_money(sale_price, field="sale_price")
        if price < 0:
            errors["sale_price"] = _("Enter an amount of zero or more.")
        elif sku is not None and price > to_cents(sku.price):
            errors["sale_price"] = _("The sale price must not be above the list price (%(p)s).") % {"p": sku.price}
    except DomainError as e:
        errors.update(e.data.get("fields") or {"sale_price": e.message})
        price = Decimal("0")
    for key, value in (("quantity", quantity), ("per_customer_limit", per_customer_limit)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QUANTITY:
            errors[key] = _("Enter a whole number from 1 to %(n)s.") % {"n": MAX_QUANTITY}
    if not errors and per_customer_limit > quantity:
        errors["per_customer_limit"] = _("The limit per customer cannot exceed the sale quantity.")
    if sku is not None and "sku" not in errors:
        if session.items.filter(sku=sku).exists():
            errors["sku"] = _("%(sku)s is already in this session.") % {"sku": sku.code}
        else:
            problem = _overlap_problem(sku, session.starts_at, session.ends_at, exclude_session=session)
            if problem:
                errors["sku"] = problem
    if errors:
        raise DomainError(" ".join(errors.values()), code="invalid", fields=errors)
    item = FlashSaleItem.objects.create(
        session=session,
        sku=sku,
        sale_price=price,
        quantity=quantity,
        remaining=quantity,
        per_customer_limit=per_customer_limit,
    )
    try:
        responses = signals.flash_stock_hold.send(sender=FlashSaleItem, item=item, quantity=quantity, actor=actor)
    except DomainError as e:  # not enough stock: the message says how much is available
        raise DomainError(e.message, code=e.code, status=e.status, fields={"quantity": e.message}) from e
    if not signals.answered(responses):
        raise DomainError(_("Stock could not be held for the flash sale."), code="flash_hold_unavailable")
    record(
        actor,
        "marketing.flash_item_add",
        item,
        after={"session": str(session), "sku": sku.code, "price": price, "quantity": quantity},
    )
    _forget(session.pk)
    return item


# -- intake --------------------------------------------------------------------------------------------
def _refuse_unknown(flash_sale_id):
    message = _("Unknown flash sale %(id)s.") % {"id": flash_sale_id}
    return RuleRefused(message, code="flash_sale_unknown", fields={"flash_sale_id": message})


# session id -> (read at, version, session, {sku code: item}): the intake's lookup, kept in the process 5 s at
# most and only while the session's version in the shared cache is the one it was read under. A change
# (`_forget`) writes a new version, so with Redis (REDIS_URL) every process and host drops its copy at once; a
# per-process cache (no Redis) leaves the 5 s age alone, as before. Redis down: the 5 s age alone too.
_CATALOGUE: dict = {}
_VERSION_KEY = "flash:catalogue:{}"


def _version(session_id):
    try:
        return cache.get(_VERSION_KEY.format(session_id))
    except Exception:
        return None


def _bump(session_id):
    _CATALOGUE.pop(session_id, None)
    try:
        cache.set(_VERSION_KEY.format(session_id), uuid.uuid4().hex, 7 * 24 * 3600)
    except Exception:
        pass


def _forget(session_id):
    """The session or its items changed: now (this process) and at the commit (every process)."""
    _bump(session_id)
    transaction.on_commit(partial(_bump, session_id))


def _session_items(flash_sale_id):
    version = _version(flash_sale_id)
    hit = _CATALOGUE.get(flash_sale_id)
    if hit and time.monotonic() - hit[0] < 5 and hit[1] == version:
        return hit[2], hit[3]
    session = FlashSession.objects.filter(pk=flash_sale_id).first() if 0 < flash_sale_id < 2**62 else None
    items = {item.sku.code: item for item in session.items.select_related("sku")} if session else {}
    _CATALOGUE[flash_sale_id] = (time.monotonic(), version, session, items)
    return session, items


def _check_running(session, flash_sale_id, now):
    if session is None:
        raise _refuse_unknown(flash_sale_id)
    if session.settled_at or not session.starts_at <= now < session.ends_at:
        message = (
            _("The flash sale “%(s)s” has not started.")
            if now < session.starts_at
            else _("The flash sale “%(s)s” has ended.")
        ) % {"s": session}
        raise RuleRefused(message, code="flash_sale_not_running", fields={"flash_sale_id": message})


def _sold_out(code):
    message = _("%(sku)s is sold out in this flash sale.") % {"sku": code}
    return Conflict(message, code="flash_sale_sold_out", fields={"lines": message})


def _over_limit(code, limit):
    message = _("At most %(n)s of %(sku)s per customer in this flash sale.") % {"n": limit, "sku": code}
    return RuleRefused(message, code="flash_sale_limit", fields={"lines": message})


def _lines_items(items, lines):
    """[(item, code, quantity)] for (code, quantity) lines; a line outside the session is refused."""
    wanted: dict = {}
    for code, quantity in lines:
        code = str(getattr(code, "code", code) or "").strip()
        wanted[code] = wanted.get(code, 0) + quantity
    out = []
    for code, quantity in wanted.items():
        item = items.get(code)
        if item is None:
            message = _("%(sku)s is not in this flash sale.") % {"sku": code[:64]}
            raise RuleRefused(message, code="flash_sale_sku", fields={"lines": message})
        out.append((item, code, quantity))
    return out


def flash_gate_enter(*, flash_sale_id, lines, phone, now=None):
    """Before the order's transaction: turn away what cannot succeed without touching the database's rows.

    Checks the session runs and the lines are its SKUs; then the Redis gate (when on) takes the units for this
    buyer atomically, or a read of `remaining` (the database path) refuses a sold-out SKU early. Call it inside
    `gate.scope()` so that what the gate took is given back if the intake fails.
    """
    now = now or timezone.now()
    session, items = _session_items(flash_sale_id)
    _check_running(session, flash_sale_id, now)
    wanted = _lines_items(items, [(c, q) for c, q in lines if isinstance(q, int) and not isinstance(q, bool)])
    for item, code, quantity in wanted:
        if quantity > item.per_customer_limit:
            raise _over_limit(code, item.per_customer_limit)
    if gate.enabled():
        buyer = mobile_digits(phone) or str(phone or "")[:20]
        for item, code, quantity in wanted:
            answer = gate.take(item.pk, buyer, quantity, item.per_customer_limit, lambda item=item: _gate_load(item))
            if answer == gate.SOLD_OUT:
                raise _sold_out(code)
            if answer == gate.OVER_LIMIT:
                raise _over_limit(code, item.per_customer_limit)
    else:
        left = dict(FlashSaleItem.objects.filter(pk__in=[i.pk for i, _c, _q in wanted]).values_list("pk", "remaining"))
        for item, code, quantity in wanted:
            if left.get(item.pk, 0) < quantity:
                raise _sold_out(code)


def _gate_load(item):
    row = FlashSaleItem.objects.select_related("session").get(pk=item.pk)
    buyers = dict(
        FlashPurchase.objects.filter(item_id=item.pk, quantity__gt=0).values_list("customer__phone", "quantity")
    )
    return (0 if row.session.settled_at else row.remaining), buyers


def flash_quote(*, flash_sale_id, lines, now=None) -> dict:
    """{sku id: sale price} for the lines of a flash-sale cart, or refuse: unknown id, not running, a SKU not
    in the session, over the per-customer limit in one order (the pricing engine calls it)."""
    now = now or timezone.now()
    session, items = _session_items(int(flash_sale_id))
    _check_running(session, flash_sale_id, now)
    prices = {}
    for item, code, quantity in _lines_items(items, lines):
        if quantity > item.per_customer_limit:
            raise _over_limit(code, item.per_customer_limit)
        prices[item.sku_id] = item.sale_price
    return prices


def flash_claim(*, flash_sale_id, customer, lines, order_number, now=None) -> list:
    """Inside the order's transaction: take the units, or raise (sold out 409, over the limit 422).

    The guarded UPDATEs are the source of truth. Returns [(sku_id, quantity, reference)] for the order's
    reservation to be moved from the session (reference type `flash_sale`)."""
    now = now or timezone.now()
    session, items = _session_items(int(flash_sale_id))
    _check_running(session, flash_sale_id, now)
    moves = []
    for item, code, quantity in sorted(_lines_items(items, lines), key=lambda row: row[0].pk):
        # The customer's tally row exists (INSERT … ON CONFLICT DO NOTHING), then one guarded UPDATE decides.
        FlashPurchase.objects.bulk_create(
            [FlashPurchase(item_id=item.pk, customer=customer, quantity=0)], ignore_conflicts=True
        )
        if not FlashPurchase.objects.filter(
            item_id=item.pk, customer=customer, quantity__lte=item.per_customer_limit - quantity
        ).update(quantity=F("quantity") + quantity):
            raise _over_limit(code, item.per_customer_limit)
        # A settled session's remaining is 0, so this guard also refuses a session that just ended.
        taken = FlashSaleItem.objects.filter(pk=item.pk, remaining__gte=quantity).update(
            remaining=F("remaining") - quantity
        )
        if not taken:
            raise _sold_out(code)
        FlashClaim.objects.create(item_id=item.pk, customer=customer, order_number=order_number, quantity=quantity)
        moves.append((item.sku_id, quantity, item.reference))
    return moves


def flash_unclaim(*, order_number, now=None) -> list:
    """An order closed unpaid or was cancelled: its units go back to the session (and the gate).

    Returns [(sku_id, quantity, reference)] to move the order's reservation back to the session; a settled
    (ended) session takes nothing back, so the order's units return to normal stock with its release."""
    now = now or timezone.now()
    moves = []
    for claim in FlashClaim.objects.select_for_update().filter(order_number=order_number, returned_at__isnull=True):
        item = FlashSaleItem.objects.select_for_update().select_related("session").get(pk=claim.item_id)
        FlashPurchase.objects.filter(item_id=item.pk, customer_id=claim.customer_id).update(
            quantity=F("quantity") - claim.quantity
        )
        claim.returned_at = now
        claim.save(update_fields=["returned_at"])
        if item.session.settled_at is None:
            FlashSaleItem.objects.filter(pk=item.pk).update(remaining=F("remaining") + claim.quantity)
            moves.append((item.sku_id, claim.quantity, item.reference))
        if gate.enabled():  # at once, not on commit: a gate that admits too many is safe, the UPDATE decides
            if item.session.settled_at:
                gate.drop(item.pk)
            else:
                gate.give(item.pk, claim.customer.phone, claim.quantity)
    return moves


# -- the session's end ---------------------------------------------------------------------------------
def flash_sessions_settle(*, now=None) -> dict:
    """Return the unsold units of every ended session to normal stock, once (one transaction per session)."""
    now = now or timezone.now()
    sessions = returned = 0
    for pk in FlashSession.objects.filter(ends_at__lte=now, settled_at__isnull=True).values_list("pk", flat=True):
        returned += _settle_session(pk, now)
        sessions += 1
    return {"sessions": sessions, "returned": returned}


@transaction.atomic(durable=True)
def _settle_session(pk, now) -> int:
    session = FlashSession.objects.select_for_update().filter(pk=pk, settled_at__isnull=True).first()
    if session is None:
        return 0
    units = 0
    for item in session.items.select_for_update().order_by("pk"):
        left = item.remaining
        item.returned, item.remaining = item.returned + left, 0
        item.save(update_fields=["returned", "remaining"])
        signals.flash_stock_release.send(
            sender=FlashSaleItem, item=item, actor=None, reason=_("Flash sale “%(s)s” ended") % {"s": session}
        )
        units += left
        if gate.enabled():
            gate.drop(item.pk)
            transaction.on_commit(partial(gate.drop, item.pk))
    session.settled_at = now
    session.save(update_fields=["settled_at"])
    record(None, "marketing.flash_session_settle", session, after={"returned": units})
    _forget(session.pk)
    return units


def flash_session_or_404(pk) -> FlashSession:
    session = FlashSession.objects.filter(pk=pk).first()
    if session is None:
        raise NotFound(_("Flash-sale session not found."))
    return session


__all__ = [
    "REFERENCE_TYPE",
    "flash_claim",
    "flash_gate_enter",
    "flash_item_add",
    "flash_quote",
    "flash_session_save",
    "flash_sessions_settle",
    "flash_unclaim",
]
