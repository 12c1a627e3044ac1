"""Group buys (拼团): activities, opening and joining groups at intake, the hold until a group is full, and the
`group_buy_deadlines` job that fails unfilled groups.

`group_buy_id` at intake names either an activity — the buyer opens a new group of it — or an open group —
the buyer joins it. Activity ids and group ids come from one sequence (`GroupBuyKey`), so a number is one or
the other. The order then carries the id of the group it is in.

A seat is taken at intake (a guarded UPDATE: `joined < size`); a member who does not pay (the order closes
or is cancelled) gives the seat back while the group is open. The group succeeds when all of its seats are
paid. Until then a paid member's order is held (orders: abnormal reason `group_buy`, which the shipping
queues respect); on success orders releases every member's hold.

Past its deadline an unfilled group fails: `group_buys_fail_due` marks it and its members failed and sends
`marketing.signals.group_buy_failed(group, order_numbers)`; orders' receiver cancels those orders, and a paid
order's refund is requested through `orders.signals.refund_requested`, which payments handles with
`refund_request_for_order` (at most one refund per order). marketing imports neither orders nor payments.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Sku
from marketing import signals
from marketing.models import GroupBuy, GroupBuyGroup, GroupBuyKey, GroupBuyMember
from shop.audit import record, snapshot
from shop.errors import Conflict, DomainError, RuleRefused
from shop.money import parse_money, to_cents

MAX_SIZE = 100
G = GroupBuyGroup.Status
M = GroupBuyMember.Status


def _next_id() -> int:
    return GroupBuyKey.objects.create().pk


# -- staff ---------------------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def group_buy_save(
    *, actor, name, sku, group_size, group_price, starts_at, ends_at, fill_hours=24, activity=None
) -> GroupBuy:
    """Create or edit a group-buy activity; every problem is named on its field and nothing is written."""
    errors = {}
    name = str(name or "").strip()
    if not name:
        errors["name"] = _("This field is required.")
    if not isinstance(sku, Sku):
        sku = Sku.objects.filter(code=str(sku or "").strip()).first()
        if sku is None:
            errors["sku"] = _("Unknown SKU.")
    if isinstance(group_size, bool) or not isinstance(group_size, int) or not 2 <= group_size <= MAX_SIZE:
        errors["group_size"] = _("A group needs from 2 to %(n)s members.") % {"n": MAX_SIZE}
    if isinstance(fill_hours, bool) or not isinstance(fill_hours, int) or not 1 <= fill_hours <= 720:
        errors["fill_hours"] = _("Enter a whole number of hours from 1 to 720.")
    try:
        price = parse_money(group_price, field="group_price")
        if price < 0:
            errors["group_price"] = _("Enter an amount of zero or more.")
        elif sku is not None and price > to_cents(sku.price):
            errors["group_price"] = _("The group price must not be above the list price (%(p)s).") % {"p": sku.price}
    except DomainError as e:
        errors.update(e.data.get("fields") or {"group_price": e.message})
        price = None
    if not isinstance(starts_at, datetime):
        errors["starts_at"] = _("Enter a date and time.")
    if not isinstance(ends_at, datetime):
        errors["ends_at"] = _("Enter a date and time.")
    elif isinstance(starts_at, datetime) and ends_at <= starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    if activity is not None:
        activity = GroupBuy.objects.select_for_update().get(pk=activity.pk)
        if (
            activity.groups.exists()
            and sku is not None
            and (sku.pk, group_size) != (activity.sku_id, activity.group_size)
        ):
            errors["group_size"] = _("The SKU and group size cannot change once groups have opened.")
    if errors:
        raise DomainError(" ".join(errors.values()), code="invalid", fields=errors)
    before = snapshot(activity) if activity else None
    activity = activity or GroupBuy(id=_next_id())
    activity.name, activity.sku, activity.group_size, activity.group_price = name[:100], sku, group_size, price
    activity.starts_at, activity.ends_at, activity.fill_hours = starts_at, ends_at, fill_hours
    activity.save()
    record(actor, "marketing.group_buy_save", activity, before=before, after=snapshot(activity))
    return activity


# -- intake --------------------------------------------------------------------------------------------
def _unknown(group_buy_id):
    message = _("Unknown group buy %(id)s.") % {"id": group_buy_id}
    return RuleRefused(message, code="group_buy_unknown", fields={"group_buy_id": message})


def _resolve(group_buy_id, now):
    """(activity, group or None) for an id, or refuse: unknown, not running, group closed or full."""
    group = None
    activity = (
        GroupBuy.objects.select_related("sku").filter(pk=group_buy_id).first() if 0 < group_buy_id < 2**62 else None
    )
    if activity is None:
        group = GroupBuyGroup.objects.select_related("activity__sku").filter(pk=group_buy_id).first()
        if group is None:
            raise _unknown(group_buy_id)
        activity = group.activity
        if group.status != G.OPEN or group.deadline <= now:
            message = _("Group %(id)s is no longer open.") % {"id": group_buy_id}
            raise RuleRefused(message, code="group_closed", fields={"group_buy_id": message})
        if group.joined >= group.size:
            message = _("Group %(id)s is full.") % {"id": group_buy_id}
            raise Conflict(message, code="group_full", fields={"group_buy_id": message})
    elif not activity.starts_at <= now < activity.ends_at:
        message = _("The group buy “%(a)s” is not running.") % {"a": activity}
        raise RuleRefused(message, code="group_buy_not_running", fields={"group_buy_id": message})
    return activity, group


def group_buy_quote(*, group_buy_id, lines, now=None) -> dict:
    """{sku id: group price} for a group-buy cart (one line: the activity's SKU), or refuse with the reason."""
    activity, _group = _resolve(int(group_buy_id), now or timezone.now())
    codes = {str(getattr(sku, "code", sku)) for sku, _q in lines}
    if codes != {activity.sku.code}:
        message = _("A group-buy order holds only %(sku)s.") % {"sku": activity.sku.code}
        raise RuleRefused(message, code="group_buy_sku", fields={"lines": message})
    return {activity.sku_id: activity.group_price}


def group_buy_join(*, group_buy_id, customer, order_number, now=None) -> GroupBuyGroup:
    """Inside the order's transaction: open a group of an activity, or take a seat in an open group."""
    now = now or timezone.now()
    activity, group = _resolve(int(group_buy_id), now)
    if group is None:
        deadline = min(now + timedelta(hours=activity.fill_hours), activity.ends_at)
        group = GroupBuyGroup.objects.create(
            id=_next_id(), activity=activity, size=activity.group_size, joined=1, opened_at=now, deadline=deadline
        )
        leader = True
    else:
        if GroupBuyMember.objects.filter(group=group, customer=customer, status__in=(M.JOINED, M.PAID)).exists():
            message = _("You are already in group %(id)s.") % {"id": group.pk}
            raise RuleRefused(message, code="group_member_already", fields={"group_buy_id": message})
        seated = GroupBuyGroup.objects.filter(
            pk=group.pk, status=G.OPEN, joined__lt=F("size"), deadline__gt=now
        ).update(joined=F("joined") + 1)
        if not seated:
            message = _("Group %(id)s is full.") % {"id": group.pk}
            raise Conflict(message, code="group_full", fields={"group_buy_id": message})
        leader = False
    GroupBuyMember.objects.create(
        group=group, customer=customer, order_number=order_number, is_leader=leader, joined_at=now
    )
    return group


def group_buy_member_paid(*, order_number, now=None) -> dict:
    """A member's order was paid. Returns {"hold": bool, "release": [order numbers]}: hold this order while
    the group is not full; when this payment fills it, release every member (this order included)."""
    now = now or timezone.now()
    member = GroupBuyMember.objects.select_for_update().filter(order_number=order_number).first()
    if member is None or member.status != M.JOINED:
        return {"hold": False, "release": []}
    group = GroupBuyGroup.objects.select_for_update().get(pk=member.group_id)
    member.status, member.paid_at = M.PAID, now
    member.save(update_fields=["status", "paid_at"])
    group.paid += 1
    if group.status == G.OPEN and group.paid >= group.size:
        group.status, group.finished_at = G.SUCCEEDED, now
        group.save(update_fields=["paid", "status", "finished_at"])
        record(None, "marketing.group_succeeded", group, after={"members": group.paid})
        paid = list(group.members.filter(status=M.PAID).values_list("order_number", flat=True))
        return {"hold": False, "release": [n for n in paid if n != order_number]}
    group.save(update_fields=["paid"])
    return {"hold": group.status != G.SUCCEEDED, "release": []}


def group_buy_member_left(*, order_number, now=None) -> None:
    """A member's order closed or was cancelled: give the seat back while the group is open."""
    member = GroupBuyMember.objects.select_for_update().filter(order_number=order_number).first()
    if member is None or member.status not in (M.JOINED, M.PAID):
        return
    group = GroupBuyGroup.objects.select_for_update().get(pk=member.group_id)
    if group.status != G.OPEN:
        return
    was_paid = member.status == M.PAID
    member.status = M.LEFT
    member.save(update_fields=["status"])
    GroupBuyGroup.objects.filter(pk=group.pk).update(joined=F("joined") - 1, paid=F("paid") - (1 if was_paid else 0))


def group_buy_waiting(order_number) -> bool:
    """Whether this order is a member of a group that is not full yet (its order must not ship)."""
    return GroupBuyMember.objects.filter(order_number=order_number, group__status=G.OPEN).exists()


# -- the deadline job ----------------------------------------------------------------------------------
def group_buys_fail_due(*, now=None, limit=1000) -> dict:
    """Fail every open group past its deadline and have its members' orders cancelled (paid ones refunded);
    one transaction per group; a failed group is never failed twice."""
    now = now or timezone.now()
    failed = orders = 0
    due = GroupBuyGroup.objects.filter(status=G.OPEN, deadline__lte=now).order_by("deadline", "pk")
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        done = _fail_group(pk, now)
        if done is not None:
            failed += 1
            orders += done
    return {"failed": failed, "orders": orders}


@transaction.atomic(durable=True)
def _fail_group(pk, now):
    group = GroupBuyGroup.objects.select_for_update().filter(pk=pk, status=G.OPEN, deadline__lte=now).first()
    if group is None:
        return None
    members = list(group.members.select_for_update().filter(status__in=(M.JOINED, M.PAID)))
    group.status, group.finished_at = G.FAILED, now
    group.save(update_fields=["status", "finished_at"])
    GroupBuyMember.objects.filter(pk__in=[m.pk for m in members]).update(status=M.FAILED)
    numbers = [m.order_number for m in members]
    record(None, "marketing.group_failed", group, after={"members": len(numbers), "orders": numbers})
    signals.group_buy_failed.send(sender=GroupBuyGroup, group=group, order_numbers=numbers)
    return len(numbers)


__all__ = [
    "group_buy_join",
    "group_buy_member_left",
    "group_buy_member_paid",
    "group_buy_quote",
    "group_buy_save",
    "group_buy_waiting",
    "group_buys_fail_due",
]
