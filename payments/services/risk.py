"""Risk (fraud) review: scoring an order once and holding it, staff approving or rejecting a held order, the
rules' weights and the hold score, and the blacklist. The scoring itself is in payments/scoring.py."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import services as order_services
from orders import state as order_state
from orders.models import Order
from payments import scoring
from payments.models import (
    BlacklistEntry,
    RiskAssessment,
    RiskRule,
    RiskSettings,
)
from payments.services.common import notify_finance
from payments.state import RISK
from shop.actors import Actor
from shop.audit import record, snapshot
from shop.errors import Conflict, DomainError


def _risk_assess(order, ip):
    ip = ip or order.client_ip
    existing = RiskAssessment.objects.filter(order=order).first()
    if existing is not None:
        return existing
    score, hits = scoring.score_order(order, ip=ip)
    hold = score >= risk_settings().hold_score
    assessment = RiskAssessment.objects.create(
        order=order,
        score=score,
        hits=hits,
        ip=ip or None,
        decision=RiskAssessment.Decision.HELD if hold else RiskAssessment.Decision.PASSED,
    )
    if hold:
        flagged = order_services.order_flag_abnormal(
            order=order, reason=Order.Abnormal.RISK, actor=None, note=_("Risk score %(s)s") % {"s": score}
        )
        order.is_abnormal, order.abnormal_reason = flagged.is_abnormal, flagged.abnormal_reason
        record(None, "payments.risk_hold", order, after={"score": score, "rules": [h["rule"] for h in hits]})
        notify_finance(
            _("Order %(n)s held for risk review") % {"n": order.number}, _("Risk score %(s)s.") % {"s": score}
        )
    return assessment


@transaction.atomic(durable=True)
def risk_assess(*, order, ip=None) -> RiskAssessment:
    """Score a paid order against the risk rules once; hold it for review when the score reaches the limit."""
    order = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
    return _risk_assess(order, ip)


def risk_sweep(*, now=None, grace_minutes=5, days=2) -> int:
    """Score every paid order of the last `days` whose risk task never ran (its queue was down when it was paid);
    the `risk_sweep` job. Orders paid in the last `grace_minutes` are left to their task."""
    now = now or timezone.now()
    due = (
        Order.objects.filter(placed_at__gte=now - timedelta(days=days), risk__isnull=True)
        .filter(paid_at__lte=now - timedelta(minutes=grace_minutes))
        .exclude(status__in=order_state.VOID_STATES)
        .order_by("pk")
    )
    scored = 0
    for order in due.iterator():
        risk_assess(order=order)
        scored += 1
    return scored


@transaction.atomic
def risk_assess_at_intake(*, order, ip=None) -> RiskAssessment:
    """Score an order while intake places it (cash on delivery: no payment comes first); joins intake."""
    return _risk_assess(order, ip)


@transaction.atomic
def risk_hold_record(*, order, actor=None, note="") -> RiskAssessment:
    """Put an order someone held for risk into the risk review queue (joins the hold's transaction).

    Every risk hold on an order has its held assessment, so the abnormal list, the risk review queue,
    the dashboard and the finance overview count the same orders.
    """
    assessment = RiskAssessment.objects.select_for_update().filter(order=order).first()
    hit = {"rule": "manual", "weight": 0, "detail": str(note or _("Held by staff"))[:200]}
    if assessment is None:
        assessment = RiskAssessment.objects.create(
            order=order, hits=[hit], ip=order.client_ip or None, decision=RiskAssessment.Decision.HELD
        )
    elif RISK.allows(assessment, "hold"):
        assessment.reviewed_by, assessment.reviewed_at = None, None
        assessment.hits = [*assessment.hits, hit]
        RISK.move(assessment, "hold", fields=("reviewed_by", "reviewed_at", "hits"))
    return assessment


def risk_settings() -> RiskSettings:
    settings, _created = RiskSettings.objects.get_or_create(pk=1)
    return settings


def _locked(assessment) -> RiskAssessment:
    return RiskAssessment.objects.select_for_update().select_related("order").get(pk=assessment.pk)


@transaction.atomic(durable=True)
def risk_approve(*, assessment, actor, note="") -> RiskAssessment:
    """Release a held order for fulfilment."""
    assessment = _locked(assessment)
    assessment.reviewed_by, assessment.note = Actor.of(actor).user, note[:300]
    before = RISK.move(assessment, "approve", fields=("reviewed_by", "note"))
    if assessment.order.is_abnormal and assessment.order.abnormal_reason == Order.Abnormal.RISK:
        order_services.order_clear_abnormal(order=assessment.order, actor=actor, note=note, risk_review=True)
    record(
        actor,
        "payments.risk_approve",
        assessment.order,
        before={"decision": before},
        after={"decision": assessment.decision, "note": note},
    )
    return assessment


def risk_reject(*, assessment, actor, note="") -> RiskAssessment:
    """Reject a held order: cancel it (a paid one is refunded through the cancellation), then record it.

    order_cancel is its own durable transaction, so it runs first; if this stops between the two
    steps, the order is cancelled and still in the queue, and rejecting it again finishes the job.
    """
    assessment = RiskAssessment.objects.select_related("order").get(pk=assessment.pk)
    RISK.check(assessment, "reject")
    if "cancel" in order_state.allowed_actions(assessment.order):  # not shipped yet (nor cancelled)
        order_services.order_cancel(order=assessment.order, actor=actor, reason=_("Rejected by risk review"))
    return _risk_reject_record(assessment=assessment, actor=actor, note=note)


@transaction.atomic(durable=True)
def _risk_reject_record(*, assessment, actor, note) -> RiskAssessment:
    assessment = _locked(assessment)
    RISK.check(assessment, "reject")  # checked before the order is touched
    order = assessment.order
    if order.is_abnormal and order.abnormal_reason == Order.Abnormal.RISK:  # rejected: off the hold list
        order_services.order_clear_abnormal(order=order, actor=actor, note=note, risk_review=True)
    assessment.reviewed_by, assessment.note = Actor.of(actor).user, note[:300]
    before = RISK.move(assessment, "reject", fields=("reviewed_by", "note"))
    record(
        actor,
        "payments.risk_reject",
        assessment.order,
        before={"decision": before},
        after={"decision": assessment.decision, "note": note},
    )
    return assessment


@transaction.atomic(durable=True)
def risk_rule_update(*, rule, actor, is_enabled, weight, threshold, window_minutes) -> RiskRule:
    """Change a risk rule's switch, weight, threshold or window."""
    fields = ("is_enabled", "weight", "threshold", "window_minutes")
    rule = RiskRule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(rule, fields)
    rule.is_enabled, rule.weight, rule.threshold, rule.window_minutes = (
        is_enabled,
        weight,
        threshold,
        window_minutes,
    )
    rule.save()
    record(actor, "payments.risk_rule_update", rule, before=before, after=snapshot(rule, fields))
    return rule


@transaction.atomic(durable=True)
def risk_settings_update(*, actor, hold_score) -> RiskSettings:
    """Set the score at which orders are held."""
    settings = risk_settings()
    before = {"hold_score": settings.hold_score}
    settings.hold_score = hold_score
    settings.save()
    record(actor, "payments.risk_settings", settings, before=before, after={"hold_score": hold_score})
    return settings


@transaction.atomic(durable=True)
def blacklist_add(*, kind, value, reason, actor) -> BlacklistEntry:
    """Blacklist a phone or an address (normalised, so spacing and punctuation do not matter)."""
    if kind not in BlacklistEntry.Kind.values:
        raise DomainError(_("Choose phone or address."), code="invalid_kind", fields={"kind": _("Choose one.")})
    normal = scoring.normalise(kind, value)
    if len(normal) < (5 if kind == BlacklistEntry.Kind.PHONE else 4):
        message = _("Enter a full phone number or address.")
        raise DomainError(message, code="invalid_value", fields={"value": message})
    if BlacklistEntry.objects.filter(kind=kind, value=normal).exists():
        message = _("Already on the blacklist.")
        raise Conflict(message, code="duplicate", fields={"value": message})
    entry = BlacklistEntry.objects.create(
        kind=kind,
        value=normal,
        reason=(reason or "")[:200],
        created_by=Actor.of(actor).user,
    )
    record(actor, "payments.blacklist_add", entry, after={"kind": kind, "value": normal, "reason": reason})
    return entry


@transaction.atomic(durable=True)
def blacklist_remove(*, entry, actor) -> None:
    """Take an entry off the blacklist."""
    record(actor, "payments.blacklist_remove", entry, before={"kind": entry.kind, "value": entry.value})
    entry.delete()
