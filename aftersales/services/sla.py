"""After-sales SLA timers: answer within `aftersales_respond_hours` of submission, refund (or ship the
replacement) within `aftersales_refund_hours` of receipt. The `complaint_sla` job calls `requests_sla_sweep`
through AftersalesConfig.sla_sweep: an overdue request is flagged once and its assignee (or customer service)
reminded; past `aftersales_escalate_hours` more it is escalated once to the owners. Safe to run twice."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import AftersalesRequest
from shop.audit import record
from shop.selectors import store_settings
from shop.services import notify

S = AftersalesRequest.Status
CUSTOMER_SERVICE = "customer_service"
RESPOND_STATES = (S.SUBMITTED,)
REFUND_STATES = (S.RECEIVED, S.INSPECTED)


def overdue_q(now) -> Q:
    """Open requests whose running timer has passed (the list's `overdue` filter)."""
    return Q(status__in=RESPOND_STATES, respond_due_at__lte=now) | Q(status__in=REFUND_STATES, refund_due_at__lte=now)


def requests_sla_sweep(*, now=None) -> dict:
    """Flag overdue requests (reminding their assignee) and escalate long-overdue ones to the owners."""
    now = now or timezone.now()
    escalate_after = timedelta(hours=store_settings().aftersales_escalate_hours)
    counts = {"overdue": 0, "escalated": 0}
    due = AftersalesRequest.objects.filter(overdue_q(now)).filter(
        Q(overdue_at__isnull=True) | Q(escalated_at__isnull=True)
    )
    for pk in due.order_by("pk").values_list("pk", flat=True)[:1000]:
        flagged, escalated = _sweep_one(pk, now=now, escalate_after=escalate_after)
        counts["overdue"] += flagged
        counts["escalated"] += escalated
    return counts


@transaction.atomic(durable=True)
def _sweep_one(pk, *, now, escalate_after) -> tuple[int, int]:
    request = (
        AftersalesRequest.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("order", "assignee")
        .filter(overdue_q(now), pk=pk)
        .first()
    )
    if request is None:
        return 0, 0
    flagged = escalated = 0
    due = request.due_at
    url = request.get_absolute_url()
    if request.overdue_at is None:
        request.overdue_at = now
        request.save(update_fields=["overdue_at"])
        record(None, "aftersales.request_overdue", request, after={"status": request.status, "due": due})
        users = [request.assignee] if request.assignee and request.assignee.is_active else []
        notify(
            title=_("After-sales request %(n)s is overdue") % {"n": request.number},
            body=_("Order %(o)s: %(s)s since %(t)s.")
            % {"o": request.order.number, "s": request.get_status_display(), "t": _local(request.submitted_at)},
            url=url,
            kind="aftersales",
            users=users,
            role=None if users else CUSTOMER_SERVICE,
        )
        flagged = 1
    if request.escalated_at is None and now >= due + escalate_after:
        request.escalated_at = now
        request.save(update_fields=["escalated_at"])
        record(None, "aftersales.request_escalate", request, after={"status": request.status, "due": due})
        owners = list(get_user_model().objects.filter(groups__name="owner", is_active=True))
        notify(
            title=_("After-sales request %(n)s escalated: overdue since %(t)s")
            % {"n": request.number, "t": _local(due)},
            body=_("Order %(o)s: %(s)s.") % {"o": request.order.number, "s": request.get_status_display()},
            url=url,
            kind="aftersales",
            users=owners,
            email=True,
        )
        escalated = 1
    return flagged, escalated


def _local(when) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else ""
