"""Staff set-up of after-sales: the reasons list (with its order), the categories excluded from no-reason
returns, the auto-approval rules and the after-sales store settings (windows, return address, SLA hours)."""

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.models import AftersalesExcludedCategory, AftersalesReason, AftersalesRequest, AutoApprovalRule
from shop.audit import audited_save, record, snapshot
from shop.errors import Conflict, DomainError
from shop.selectors import store_settings

REASON_FIELDS = ["name", "code", "kinds", "freight_payer", "no_reason", "is_active", "position"]
RULE_FIELDS = ["name", "kind", "max_amount", "only_unshipped", "is_active", "position"]
SETTING_FIELDS = [
    "aftersales_window_days",
    "aftersales_quality_days",
    "aftersales_return_days",
    "aftersales_return_address",
    "aftersales_respond_hours",
    "aftersales_refund_hours",
    "aftersales_escalate_hours",
]


@transaction.atomic(durable=True)
def reason_save(*, actor, reason=None, **values) -> AftersalesReason:
    """Create or edit an after-sales reason."""
    kinds = values.get("kinds")
    if kinds is not None and set(kinds) - set(AftersalesRequest.Kind.values):
        raise DomainError(_("Unknown kind of request."), code="invalid_kind", fields={"kinds": _("Unknown kind.")})
    return audited_save(reason or AftersalesReason(), actor=actor, action="aftersales.reason_save", fields=values)


@transaction.atomic(durable=True)
def reason_delete(*, actor, reason) -> None:
    """Delete a reason no request has used (a used one is deactivated instead)."""
    if reason.requests.exists():
        raise Conflict(
            _("Requests give %(r)s as their reason: deactivate it instead.") % {"r": reason.name}, code="reason_in_use"
        )
    record(actor, "aftersales.reason_delete", reason, before=snapshot(reason, REASON_FIELDS))
    reason.delete()


@transaction.atomic(durable=True)
def reasons_reorder(*, actor, ids) -> None:
    """Put the reasons in this order (ids first to last; the others after them)."""
    order = [int(i) for i in ids]
    reasons = {r.pk: r for r in AftersalesReason.objects.select_for_update()}
    rest = [pk for pk in reasons if pk not in order]
    for position, pk in enumerate([pk for pk in order if pk in reasons] + rest):
        if reasons[pk].position != position:
            AftersalesReason.objects.filter(pk=pk).update(position=position)
    record(
        actor, "aftersales.reasons_reorder", None, after={"order": [reasons[pk].code for pk in order if pk in reasons]}
    )


@transaction.atomic(durable=True)
def excluded_category_add(*, actor, category, note="") -> AftersalesExcludedCategory:
    """Exclude a category (and everything under it) from no-reason returns."""
    row, created = AftersalesExcludedCategory.objects.get_or_create(category=category, defaults={"note": note[:200]})
    if not created:
        raise Conflict(_("%(c)s is already excluded.") % {"c": category.name}, code="already_excluded")
    record(actor, "aftersales.excluded_category_add", row, after={"category": category.name, "note": row.note})
    return row


@transaction.atomic(durable=True)
def excluded_category_remove(*, actor, row) -> None:
    """Allow no-reason returns of a category again."""
    record(actor, "aftersales.excluded_category_remove", row, before={"category": str(row.category)})
    row.delete()


@transaction.atomic(durable=True)
def auto_rule_save(*, actor, rule=None, **values) -> AutoApprovalRule:
    """Create or edit an auto-approval rule."""
    return audited_save(rule or AutoApprovalRule(), actor=actor, action="aftersales.auto_rule_save", fields=values)


@transaction.atomic(durable=True)
def auto_rule_delete(*, actor, rule) -> None:
    """Delete an auto-approval rule (requests it approved keep their record of it by name in the audit log)."""
    record(actor, "aftersales.auto_rule_delete", rule, before=snapshot(rule, RULE_FIELDS))
    rule.delete()


@transaction.atomic(durable=True)
def aftersales_settings_update(*, actor, values):
    """Save the after-sales store settings (windows, return address, SLA hours)."""
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise DomainError(_("Unknown setting."), code="invalid_setting")
    return audited_save(store_settings(), actor=actor, action="aftersales.policy_update", fields=values)
